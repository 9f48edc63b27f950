/** The guard report: findings stored with sent replies, and replies the guard blocked (audit trail). */
import { sql } from "drizzle-orm";
import type { Db } from "./db.ts";

export interface GuardCounts {
  replies: number;
  repliesWithWarnings: number;
  byRule: Array<{ rule: string; severity: string; count: number }>;
  blockedAttempts: number;
  blockedByRule: Array<{ rule: string; count: number }>;
}

export function guardRepository(db: Db) {
  const rows = async <T>(query: ReturnType<typeof sql>): Promise<T[]> =>
    ((await db.execute(query)) as unknown as { rows: T[] }).rows;
  return {
    async counts(range: { from?: Date; to?: Date }): Promise<GuardCounts> {
      const within = (column: ReturnType<typeof sql>) => sql`
        ${range.from ? sql`AND ${column} >= ${range.from.toISOString()}::timestamptz` : sql``}
        ${range.to ? sql`AND ${column} < ${range.to.toISOString()}::timestamptz` : sql``}`;
      const [totals] = await rows<{ replies: number; with_warnings: number }>(sql`
        SELECT count(*)::int AS replies,
          count(*) FILTER (WHERE jsonb_array_length(guard_findings) > 0)::int AS with_warnings
        FROM messages WHERE guard_findings IS NOT NULL AND jsonb_typeof(guard_findings) = 'array'
        ${within(sql`created_at`)}`);
      const byRule = await rows<{ rule: string; severity: string; count: number }>(sql`
        SELECT f ->> 'rule' AS rule, f ->> 'severity' AS severity, count(*)::int AS count
        FROM messages m, jsonb_array_elements(m.guard_findings) f
        WHERE m.guard_findings IS NOT NULL AND jsonb_typeof(m.guard_findings) = 'array'
        ${within(sql`m.created_at`)}
        GROUP BY 1, 2 ORDER BY 1, 2`);
      const [blocked] = await rows<{ count: number }>(sql`
        SELECT count(*)::int AS count FROM audit_events
        WHERE action = 'reply.blocked' ${within(sql`created_at`)}`);
      const blockedByRule = await rows<{ rule: string; count: number }>(sql`
        SELECT f ->> 'rule' AS rule, count(*)::int AS count
        FROM audit_events a, jsonb_array_elements(a.data -> 'findings') f
        WHERE a.action = 'reply.blocked' AND f ->> 'severity' = 'block' ${within(sql`a.created_at`)}
        GROUP BY 1 ORDER BY 1`);
      return {
        replies: totals?.replies ?? 0,
        repliesWithWarnings: totals?.with_warnings ?? 0,
        byRule,
        blockedAttempts: blocked?.count ?? 0,
        blockedByRule,
      };
    },
  };
}
