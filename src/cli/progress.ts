/** A progress bar on the terminal (stderr), silent when output is not a terminal. */
import cliProgress from "cli-progress";

export interface Progress {
  update(done: number, total: number, extra?: Record<string, string | number>): void;
  stop(): void;
}

export function progressBar(
  label: string,
  unit: "rows" | "bytes" | "messages",
  enabled = process.stderr.isTTY,
): Progress {
  if (!enabled) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {stats} | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, extra = {}) {
      const stats = Object.entries(extra)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      if (!started) {
        bar.start(Math.max(total, done, 1), done, { stats });
        started = true;
      }
      bar.setTotal(Math.max(total, done, 1));
      bar.update(done, { stats });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
