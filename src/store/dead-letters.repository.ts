/** Reading dead letters and the raw events behind them. */
import { sql } from "drizzle-orm";
import type { Database } from "./db.ts";

export interface DeadLetterRow {
  id: number;
  rawEventId: number;
  source: string;
  format: string;
  reason: string;
  detail: Record<string, unknown> | null;
  attempts: number;
  createdAt: Date;
  lastAttemptAt: Date;
  resolvedAt: Date | null;
  payload: unknown;
}

export class DeadLettersRepository {
  constructor(private readonly database: Database) {}

  async list(
    options: { includeResolved?: boolean; ids?: number[]; limit?: number; afterId?: number } = {},
  ): Promise<DeadLetterRow[]> {
    const rows = await this.database.rows<Record<string, unknown>>(sql`
      SELECT d.id, d.raw_event_id, d.source, r.format, d.reason, d.detail, d.attempts, d.created_at,
             d.last_attempt_at, d.resolved_at, r.payload
      FROM dead_letters d JOIN raw_events r ON r.id = d.raw_event_id
      WHERE (${options.includeResolved ?? false} OR d.resolved_at IS NULL)
        AND (${options.ids === undefined} OR d.id IN (SELECT value::bigint FROM json_array_elements_text(${JSON.stringify(options.ids ?? [])}::json)))
        AND d.id > ${options.afterId ?? 0}
      ORDER BY d.id
      LIMIT ${options.limit ?? 1000}`);
    return rows.map((r) => ({
      id: Number(r.id),
      rawEventId: Number(r.raw_event_id),
      source: r.source as string,
      format: r.format as string,
      reason: r.reason as string,
      detail: (r.detail as Record<string, unknown> | null) ?? null,
      attempts: Number(r.attempts),
      createdAt: new Date(r.created_at as string),
      lastAttemptAt: new Date(r.last_attempt_at as string),
      resolvedAt: r.resolved_at ? new Date(r.resolved_at as string) : null,
      payload: r.payload,
    }));
  }
}
