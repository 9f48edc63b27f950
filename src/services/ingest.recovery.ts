/**
 * Payloads stored raw by a process that died before processing them (their webhook was already
 * answered) are found by `IngestService.recoverPending`. Every long-running process (`rapport serve`
 * and `rapport worker`) runs this loop, so a deployment recovers them whichever processes it keeps up;
 * the claims in recoverPending keep two processes from recovering the same payload.
 */
import type { IngestService } from "./ingest.service.ts";

export interface RecoveryLog {
  warn(data: Record<string, unknown>, message: string): void;
  error(data: Record<string, unknown>, message: string): void;
}

/** Recovers now and then every `everyMs` (default five minutes); returns a stop function. */
export function startPendingRecovery(
  ingest: Pick<IngestService, "recoverPending">,
  log: RecoveryLog,
  everyMs = 5 * 60_000,
): () => void {
  const recover = () =>
    ingest
      .recoverPending()
      .then((n) => {
        if (n > 0) log.warn({ rawEvents: n }, "recovered payloads left unprocessed by a stopped process");
      })
      .catch((error: unknown) => log.error({ err: error }, "recovering unprocessed payloads failed"));
  void recover();
  const timer = setInterval(() => void recover(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
