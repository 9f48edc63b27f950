/**
 * A Jetstream subscription that survives: connects with `wantedCollections` and a `cursor` (time_us),
 * hands events over in batches — the next batch only after the previous one was handled, so the cursor
 * saved after a batch never runs ahead of what was stored — and reconnects after a dropped stream with
 * exponential backoff and jitter, rewinding a few seconds (events seen twice are stored once).
 */
import WebSocket from "ws";
import type { PollLog } from "../connector.ts";
import { backoffMs, sleep } from "./bluesky.backoff.ts";
import type { JetstreamEvent } from "./bluesky.inbound.ts";

export interface JetstreamOptions {
  url: string;
  collections: string[];
  /** Where to resume (time_us of the last handled event), or null for live. */
  cursor: number | null;
  /** How far to rewind on (re)connect, in microseconds (default 5 s). */
  rewindUs?: number;
  signal: AbortSignal;
  /** Handles a batch of events, in arrival order; the cursor advances past them once it resolves. */
  onEvents(events: JetstreamEvent[]): Promise<void>;
  /** Called with the newest handled time_us after each batch. */
  onCursor(timeUs: number): Promise<void>;
  log: PollLog;
  /** Backoff after the n-th consecutive failure (tests shorten it). */
  backoff?: (failures: number) => number;
}

export async function runJetstream(options: JetstreamOptions): Promise<void> {
  const rewind = options.rewindUs ?? 5_000_000;
  let cursor = options.cursor;
  let failures = 0;
  while (!options.signal.aborted) {
    const url = new URL(options.url);
    for (const c of options.collections) url.searchParams.append("wantedCollections", c);
    if (cursor) url.searchParams.set("cursor", String(Math.max(1, cursor - rewind)));
    const outcome = await connectOnce(url.toString(), options, (timeUs) => {
      cursor = Math.max(cursor ?? 0, timeUs);
    });
    if (options.signal.aborted) break;
    failures = outcome.received ? 1 : failures + 1;
    const delay = (options.backoff ?? backoffMs)(failures);
    options.log.warn(`Jetstream ${outcome.reason}; reconnecting in ${(delay / 1000).toFixed(1)} s`, {
      cursor,
    });
    await sleep(delay, options.signal);
  }
}

/** One connection: resolves when it closes (or the signal aborts), after its last batch was handled. */
function connectOnce(
  url: string,
  options: JetstreamOptions,
  advanced: (timeUs: number) => void,
): Promise<{ received: boolean; reason: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { handshakeTimeout: 15_000 });
    const queue: JetstreamEvent[] = [];
    let chain: Promise<void> = Promise.resolve();
    let scheduled = false;
    let received = false;
    let reason = "closed";
    let done = false;

    const drain = async () => {
      while (queue.length > 0) {
        const batch = queue.splice(0, 500);
        try {
          await options.onEvents(batch);
          const newest = Math.max(...batch.map((e) => e.time_us));
          advanced(newest);
          await options.onCursor(newest);
        } catch (error) {
          // The batch was not stored: drop the connection and replay from the last saved cursor.
          reason = `batch failed (${error instanceof Error ? error.message : String(error)})`;
          queue.length = 0;
          ws.terminate();
          return;
        }
      }
    };
    const finish = async () => {
      if (done) return;
      done = true;
      options.signal.removeEventListener("abort", abort);
      await chain;
      resolve({ received, reason });
    };
    const abort = () => ws.terminate();
    options.signal.addEventListener("abort", abort);

    ws.on("message", (data) => {
      let event: JetstreamEvent;
      try {
        event = JSON.parse(data.toString()) as JetstreamEvent;
      } catch {
        return;
      }
      if (typeof event?.time_us !== "number") return;
      received = true;
      queue.push(event);
      if (!scheduled) {
        scheduled = true;
        chain = chain.then(() => {
          scheduled = false;
          return drain();
        });
      }
    });
    ws.on("unexpected-response", (_req, res) => {
      reason = `answered HTTP ${res.statusCode}`;
    });
    ws.on("error", (error) => {
      reason = `error: ${error.message}`;
    });
    ws.on("close", (code) => {
      if (reason === "closed") reason = `closed (${code})`;
      void finish();
    });
  });
}
