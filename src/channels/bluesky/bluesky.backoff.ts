/** Exponential backoff with jitter, and an abortable sleep, for the Bluesky loops. */

/** 1 s, 2 s, 4 s … up to 5 minutes, each ±50% so many processes do not retry in step. */
export function backoffMs(failures: number, baseMs = 1_000, maxMs = 300_000): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(failures - 1, 20)));
  return Math.round(exp * (0.5 + Math.random()));
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
