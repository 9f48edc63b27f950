/** The outbound webhooks' transactional outbox (`event_journal`; see schema.webhooks.ts). */
import { sql } from "drizzle-orm";
import type { Database, Db } from "./db.ts";

export function eventJournalRepository(database: Database) {
  return {
    /** Writes one transaction's events while any webhook is enabled; returns the row's id, or null. */
    async stage(tx: Db, events: unknown[]): Promise<number | null> {
      const [row] = await database.rows<{ id: string | number }>(
        sql`INSERT INTO event_journal (events)
          SELECT ${JSON.stringify(events)}::jsonb WHERE EXISTS (SELECT 1 FROM webhooks WHERE enabled)
          RETURNING id`,
        tx,
      );
      return row ? Number(row.id) : null;
    },

    /**
     * Deletes these rows and returns the ids this transaction deleted: the one that deletes a row records
     * its deliveries (a concurrent sweep of the same row then deletes nothing and records nothing).
     */
    async take(tx: Db, ids: number[]): Promise<Set<number>> {
      if (ids.length === 0) return new Set();
      const rows = await database.rows<{ id: string | number }>(
        sql`DELETE FROM event_journal
          WHERE id IN (SELECT value::bigint FROM json_array_elements_text(${JSON.stringify(ids)}::json))
          RETURNING id`,
        tx,
      );
      return new Set(rows.map((r) => Number(r.id)));
    },

    /** Claims rows older than `olderThanMs` that nobody recorded (or whose claim lapsed after ten minutes). */
    async claimStale(olderThanMs: number, limit: number): Promise<Array<{ id: number; events: unknown[] }>> {
      const rows = await database.rows<{ id: string | number; events: unknown[] }>(sql`
        UPDATE event_journal j SET claimed_at = now()
        WHERE j.id IN (
          SELECT id FROM event_journal
          WHERE created_at < now() - make_interval(secs => ${olderThanMs / 1000})
            AND (claimed_at IS NULL OR claimed_at < now() - interval '10 minutes')
          ORDER BY id LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING j.id, j.events`);
      return rows.map((r) => ({ id: Number(r.id), events: r.events })).sort((a, b) => a.id - b.id);
    },
  };
}
