/**
 * The ingest pipeline's own bookkeeping, for IngestRepository: raw events (stored before anything is
 * parsed), dead letters (what could not be ingested, and their retries), and pending derivations
 * (committed batches whose conversations still need their timelines and rules run).
 */
import { sql } from "drizzle-orm";
import { COPY_MIN_ROWS, type CopyValue, copyRows, encodeCopy } from "./copy.ts";
import type { Database, Db } from "./db.ts";
import type { RawEventRow } from "./ingest.rows.ts";

const json = (value: unknown) => JSON.stringify(value);

export async function insertRawEvents(database: Database, rows: RawEventRow[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const ids = await database.rows<{ id: string | number }>(
    sql`SELECT nextval('raw_events_id_seq') AS id FROM generate_series(1, ${rows.length})`,
  );
  const withIds = rows.map((row, i) => ({ ...row, id: Number(ids[i]!.id) }));
  if (database.engine === "postgres" && rows.length >= COPY_MIN_ROWS) {
    const chunks = encodeCopy(
      withIds.map((r): CopyValue[] => [r.id, r.source, r.format, r.channel_key, json(r.payload)]),
    );
    // Ids come from the sequence above, so no row can conflict: a failure is a real one.
    if (chunks) {
      await copyRows(database.db, "raw_events", ["id", "source", "format", "channel_key", "payload"], chunks);
      return withIds.map((r) => r.id);
    }
  }
  // json_to_recordset reads a JSON `null` payload as SQL NULL; it is kept as the JSON value it was.
  await database.db.execute(sql`
    INSERT INTO raw_events (id, source, format, channel_key, payload)
    SELECT id, source, format, channel_key, coalesce(payload, 'null'::json)
    FROM json_to_recordset(${json(withIds)}::json)
      AS r(id bigint, source text, format text, channel_key text, payload json)`);
  return withIds.map((r) => r.id);
}

export async function loadRawEvents(
  database: Database,
  ids: number[],
): Promise<Array<RawEventRow & { id: number }>> {
  if (ids.length === 0) return [];
  const rows = await database.rows<RawEventRow & { id: string | number }>(sql`
    SELECT id, source, format, channel_key, payload FROM raw_events
    WHERE id IN (SELECT value::bigint FROM json_array_elements_text(${json(ids)}::json))`);
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/**
 * Claims raw events still `pending` `olderThanMs` after they arrived, after `afterId`, in id order:
 * payloads a process stored and then died before processing (the partial index on pending events
 * serves this). A claim lasts `olderThanMs` too: another server recovering at the same time skips
 * claimed (and locked) rows, and if the claimer dies as well, its claims lapse and the rows are
 * recovered again.
 */
export async function claimStalePendingRawEvents(
  database: Database,
  options: { afterId: number; olderThanMs: number; limit: number },
): Promise<Array<RawEventRow & { id: number }>> {
  const stale = sql`clock_timestamp() - ${options.olderThanMs} * interval '1 millisecond'`;
  const rows = await database.rows<RawEventRow & { id: string | number }>(sql`
    UPDATE raw_events r SET recovery_claimed_at = clock_timestamp()
    WHERE r.id IN (
      SELECT id FROM raw_events
      WHERE status = 'pending' AND id > ${options.afterId} AND received_at < ${stale}
        AND (recovery_claimed_at IS NULL OR recovery_claimed_at < ${stale})
      ORDER BY id LIMIT ${options.limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING r.id, r.source, r.format, r.channel_key, r.payload`);
  return rows.map((r) => ({ ...r, id: Number(r.id) })).sort((a, b) => a.id - b.id);
}

export async function markRawEvents(tx: Db, ids: number[], status: "processed" | "dead"): Promise<void> {
  if (ids.length === 0) return;
  await tx.execute(sql`
    UPDATE raw_events SET status = ${status}
    WHERE id IN (SELECT value::bigint FROM json_array_elements_text(${json(ids)}::json))`);
}

export async function insertDeadLetters(
  database: Database,
  tx: Db,
  rows: Array<{ raw_event_id: number; source: string; reason: string; detail: unknown }>,
): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await database.rows<{ id: string | number; raw_event_id: string | number }>(
    sql`
    INSERT INTO dead_letters (raw_event_id, source, reason, detail)
    SELECT raw_event_id, source, reason, detail
    FROM json_to_recordset(${json(rows)}::json) AS r(raw_event_id bigint, source text, reason text, detail jsonb)
    RETURNING id, raw_event_id`,
    tx,
  );
  const byRaw = new Map(inserted.map((r) => [Number(r.raw_event_id), Number(r.id)]));
  return rows.map((r) => byRaw.get(r.raw_event_id) ?? 0);
}

export async function recordPendingDerivation(
  database: Database,
  tx: Db,
  row: { conversationIds: string[]; created: string[]; reopen: string[] },
): Promise<number> {
  const [inserted] = await database.rows<{ id: string | number }>(
    sql`
    INSERT INTO pending_derivations (conversation_ids, created, reopen)
    VALUES (${json(row.conversationIds)}::jsonb, ${json(row.created)}::jsonb, ${json(row.reopen)}::jsonb)
    RETURNING id`,
    tx,
  );
  return Number(inserted!.id);
}

export async function claimPendingDerivation(
  database: Database,
  tx: Db,
  id: number,
): Promise<{ conversationIds: string[]; created: string[]; reopen: string[] } | undefined> {
  const [row] = await database.rows<{
    conversation_ids: string[];
    created: string[];
    reopen: string[];
  }>(sql`DELETE FROM pending_derivations WHERE id = ${id} RETURNING conversation_ids, created, reopen`, tx);
  return row && { conversationIds: row.conversation_ids, created: row.created, reopen: row.reopen };
}

export async function pendingDerivations(database: Database): Promise<number[]> {
  const rows = await database.rows<{ id: string | number }>(
    sql`SELECT id FROM pending_derivations ORDER BY id`,
  );
  return rows.map((r) => Number(r.id));
}

export async function recordRetries(tx: Db, rows: Array<{ id: number; reason: string }>): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    UPDATE dead_letters d SET attempts = d.attempts + 1, reason = r.reason, last_attempt_at = now()
    FROM json_to_recordset(${json(rows)}::json) AS r(id bigint, reason text)
    WHERE d.id = r.id`);
}

export async function resolveDeadLetters(tx: Db, rawEventIds: number[]): Promise<void> {
  if (rawEventIds.length === 0) return;
  await tx.execute(sql`
    UPDATE dead_letters SET resolved_at = now(), last_attempt_at = now()
    WHERE resolved_at IS NULL
      AND raw_event_id IN (SELECT value::bigint FROM json_array_elements_text(${json(rawEventIds)}::json))`);
}
