/**
 * What the ingest pipeline could not take becomes a dead letter with the reason, in the batch's
 * transaction: a new one for a first failure, one more attempt on the same letter for a replay; its raw
 * event is marked dead. Nothing a person sent is dropped.
 */
import type { Db } from "../store/db.ts";
import type { IngestRepository } from "../store/ingest.repository.ts";
import type { Failed } from "./ingest.model.ts";
import type { ItemOutcome } from "./ingest.types.ts";

export async function storeFailures(
  repo: Pick<IngestRepository, "insertDeadLetters" | "recordRetries" | "markRawEvents">,
  tx: Db,
  failed: Failed[],
  outcomes: Map<number, ItemOutcome>,
): Promise<void> {
  if (failed.length === 0) return;
  const fresh = failed.filter((f) => f.entry.deadLetterId === undefined);
  const retried = failed.filter((f) => f.entry.deadLetterId !== undefined);
  const ids = await repo.insertDeadLetters(
    tx,
    fresh.map((f) => ({
      raw_event_id: f.entry.rawEventId,
      source: f.entry.source,
      reason: f.reason,
      detail: f.entry.detail ?? null,
    })),
  );
  fresh.forEach((f, i) => {
    outcomes.set(f.entry.index, { status: "dead_letter", deadLetterId: ids[i]!, reason: f.reason });
  });
  await repo.recordRetries(
    tx,
    retried.map((f) => ({ id: f.entry.deadLetterId!, reason: f.reason })),
  );
  for (const f of retried) {
    outcomes.set(f.entry.index, {
      status: "dead_letter",
      deadLetterId: f.entry.deadLetterId!,
      reason: f.reason,
    });
  }
  await repo.markRawEvents(
    tx,
    failed.map((f) => f.entry.rawEventId),
    "dead",
  );
}
