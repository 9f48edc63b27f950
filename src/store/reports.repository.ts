/**
 * The SQL behind the fairness and happiness reports: one aggregate scan of `conversations` each,
 * percentiles computed by PostgreSQL (percentile_cont). Spam and conversations without an inbound
 * message are never counted. The services in services/reports/ turn these rows into reports.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Database, Db } from "./db.ts";

/** Which conversations a report covers: first inbound message in [from, to), optionally one channel. */
export interface ReportScope {
  from?: Date;
  to?: Date;
  channelId?: string;
}

export interface ChannelRef {
  id: string;
  key: string;
  name: string;
}

export interface FairnessRow {
  bucket: string;
  people: number;
  conversations: number;
  answered: number;
  p50: number | null;
  p90: number | null;
}

export interface HappinessRow {
  /** "all", "channel" or "week": which grouping the row belongs to. */
  grouping: "all" | "channel" | "week";
  channelId: string | null;
  channelKey: string | null;
  channelName: string | null;
  /** ISO week ("2026-W03") and its Monday ("2026-01-12"), UTC. */
  week: string | null;
  weekStart: string | null;
  people: number;
  peopleAnswered: number;
  conversations: number;
  answered: number;
  p50: number | null;
  p90: number | null;
  /** Over conversations with both a first and a latest inbound sentiment score. */
  scored: number;
  sentimentStart: number | null;
  sentimentEnd: number | null;
  startedNegative: number;
  recovered: number;
}

/** Follower-count bucket bounds (inclusive lower bounds); the last bucket is open-ended. */
export const AUDIENCE_BUCKETS = [
  { key: "0-99", min: 0 },
  { key: "100-999", min: 100 },
  { key: "1000-9999", min: 1_000 },
  { key: "10000-99999", min: 10_000 },
  { key: "100000+", min: 100_000 },
] as const;

function scopeWhere(scope: ReportScope): SQL {
  const parts: SQL[] = [sql`c.status <> 'spam'`, sql`c.first_inbound_at IS NOT NULL`];
  if (scope.from) parts.push(sql`c.first_inbound_at >= ${scope.from.toISOString()}::timestamptz`);
  if (scope.to) parts.push(sql`c.first_inbound_at < ${scope.to.toISOString()}::timestamptz`);
  if (scope.channelId) parts.push(sql`c.channel_id = ${scope.channelId}::uuid`);
  return sql.join(parts, sql` AND `);
}

const responseSeconds = sql`extract(epoch FROM c.first_human_response_at - c.first_inbound_at)::float8`;
const scored = sql`(c.first_sentiment IS NOT NULL AND c.last_sentiment IS NOT NULL)`;

function bucketCase(): SQL {
  // Highest bound first, so each audience size lands in exactly one bucket.
  const whens = [...AUDIENCE_BUCKETS]
    .reverse()
    .map((b) => sql`WHEN c.audience_size >= ${sql.raw(String(b.min))} THEN ${sql.raw(`'${b.key}'`)}`);
  // Negative counts cannot happen; if one did, it would count as the smallest bucket.
  return sql`CASE WHEN c.audience_size IS NULL THEN 'unknown' ${sql.join(whens, sql` `)} ELSE '0-99' END`;
}

/**
 * Settings for the report's own transaction, measured over a million conversations:
 * - work_mem: sorting a million response times for percentiles spills to disk with the default 4 MB;
 * - jit off: compiling these plans cost more than it saved;
 * - seq scans off: the planner prices a full scan below an index-only scan of conversations_report_idx,
 *   which reads a third of the bytes and ran about twice as fast.
 */
async function inReportTransaction<T>(database: Database, query: SQL): Promise<T[]> {
  return database.db.transaction(async (tx: Db) => {
    await tx.execute(sql`SET LOCAL work_mem = '128MB'`);
    await tx.execute(sql`SET LOCAL jit = off`);
    await tx.execute(sql`SET LOCAL enable_seqscan = off`);
    return database.rows<T>(query, tx);
  });
}

export function reportsRepository(database: Database) {
  return {
    async channelByKey(key: string): Promise<ChannelRef | null> {
      const rows = await database.rows<ChannelRef>(
        sql`SELECT id, key, name FROM channels WHERE key = ${key} LIMIT 1`,
      );
      return rows[0] ?? null;
    },

    /** One row per audience-size bucket that has conversations in scope. */
    async fairness(scope: ReportScope): Promise<FairnessRow[]> {
      return inReportTransaction<FairnessRow>(
        database,
        sql`
        SELECT ${bucketCase()} AS bucket,
          count(DISTINCT c.person_id)::int AS people,
          count(*)::int AS conversations,
          count(c.first_human_response_at)::int AS answered,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY ${responseSeconds}) AS p50,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY ${responseSeconds}) AS p90
        FROM conversations c
        WHERE ${scopeWhere(scope)}
        GROUP BY 1`,
      );
    },

    /**
     * Overall, per channel or per ISO week (UTC) of the first inbound message. `negative` is the score
     * at or below which a message counts as negative. Three queries rather than GROUPING SETS: on
     * PostgreSQL they run at once on separate connections, and each sorts only for its own grouping.
     */
    async happiness(
      scope: ReportScope,
      grouping: HappinessRow["grouping"],
      negative: number,
    ): Promise<HappinessRow[]> {
      const key =
        grouping === "channel"
          ? sql`c.channel_id`
          : grouping === "week"
            ? sql`date_trunc('week', c.first_inbound_at AT TIME ZONE 'UTC')`
            : sql`NULL::int`;
      return inReportTransaction<HappinessRow>(
        database,
        sql`
        WITH g AS (
          SELECT ${key} AS key,
            count(DISTINCT c.person_id)::int AS people,
            count(DISTINCT c.person_id) FILTER (WHERE c.first_human_response_at IS NOT NULL)::int AS people_answered,
            count(*)::int AS conversations,
            count(c.first_human_response_at)::int AS answered,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY ${responseSeconds}) AS p50,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY ${responseSeconds}) AS p90,
            count(*) FILTER (WHERE ${scored})::int AS scored,
            avg(c.first_sentiment) FILTER (WHERE ${scored}) AS sentiment_start,
            avg(c.last_sentiment) FILTER (WHERE ${scored}) AS sentiment_end,
            count(*) FILTER (WHERE ${scored} AND c.first_sentiment <= ${negative})::int AS started_negative,
            count(*) FILTER (WHERE ${scored} AND c.first_sentiment <= ${negative}
              AND c.last_sentiment > ${negative})::int AS recovered
          FROM conversations c
          WHERE ${scopeWhere(scope)}
          GROUP BY 1
        )
        SELECT ${grouping} AS grouping,
          ${grouping === "channel" ? sql`ch.id AS "channelId", ch.key AS "channelKey", ch.name AS "channelName",` : sql`NULL AS "channelId", NULL AS "channelKey", NULL AS "channelName",`}
          ${grouping === "week" ? sql`to_char(g.key, 'IYYY-"W"IW') AS week, to_char(g.key, 'YYYY-MM-DD') AS "weekStart",` : sql`NULL AS week, NULL AS "weekStart",`}
          g.people, g.people_answered AS "peopleAnswered", g.conversations, g.answered, g.p50, g.p90,
          g.scored, g.sentiment_start::float8 AS "sentimentStart", g.sentiment_end::float8 AS "sentimentEnd",
          g.started_negative AS "startedNegative", g.recovered
        FROM g ${grouping === "channel" ? sql`JOIN channels ch ON ch.id = g.key ORDER BY ch.key` : grouping === "week" ? sql`ORDER BY g.key` : sql``}`,
      );
    },
  };
}
