/**
 * The SQL behind the fairness and happiness reports. They read the rollup tables `report_rollup` and
 * `report_people` (schema.ts; kept current by triggers on `conversations`, migration 0001) for the whole
 * ISO weeks in scope, and `conversations` itself for the partial weeks at the edges of a period, so any
 * period costs about the same as a few weeks. Spam and conversations without an inbound message are
 * never counted. The services in services/reports/ turn these rows into reports (docs/reports.md).
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

/** Follower-count bucket bounds (inclusive lower bounds); the last bucket is open-ended. */
export const AUDIENCE_BUCKETS = [
  { key: "0-99", min: 0 },
  { key: "100-999", min: 100 },
  { key: "1000-9999", min: 1_000 },
  { key: "10000-99999", min: 10_000 },
  { key: "100000+", min: 100_000 },
] as const;
/** The rollup's audience number for an unknown follower count (0…4 are AUDIENCE_BUCKETS' indexes). */
const UNKNOWN_AUDIENCE = 5;

/**
 * Response-time histogram bins (SQL `report_bin`): bin 0 holds [0, 1) s (and any negative time), bin b ≥ 1
 * holds [1.05^(b−1), 1.05^b) s. A percentile read from these bins lies in the same bin as the exact one,
 * so it is within 5% of it (within 1 s below one second).
 */
export const BIN_RATIO = 1.05;

/** One aggregated group's figures: counts, sentiment sums, and its response-time histogram. */
export interface GroupFigures {
  conversations: number;
  answered: number;
  scored: number;
  sentimentStartSum: number;
  sentimentEndSum: number;
  startedNegative: number;
  recovered: number;
  /** bin → answered conversations in it (bins ≥ 0). */
  histogram: Map<number, number>;
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

const NIL = "00000000-0000-0000-0000-000000000000";
const DAY_MS = 86_400_000;

/** The Monday 00:00 UTC at or before `at`. */
export function weekFloor(at: Date): Date {
  const day = Math.floor(at.getTime() / DAY_MS) * DAY_MS;
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * DAY_MS);
}

/** The Monday 00:00 UTC at or after `at`. */
export function weekCeil(at: Date): Date {
  const floor = weekFloor(at);
  return floor.getTime() === at.getTime() ? floor : new Date(floor.getTime() + 7 * DAY_MS);
}

const isoDate = (at: Date) => at.toISOString().slice(0, 10);

/**
 * How a scope splits: the whole weeks [from, to) read from the rollup (null bounds are open), and the
 * instants at the edges read from conversations. No whole week inside the scope: all of it is an edge.
 */
interface Plan {
  weeks: { from: Date | null; to: Date | null } | null;
  edges: Array<{ from: Date | null; to: Date | null }>;
}

export function planScope(scope: ReportScope): Plan {
  const from = scope.from ? weekCeil(scope.from) : null;
  const to = scope.to ? weekFloor(scope.to) : null;
  if (from && to && from >= to) return { weeks: null, edges: [{ from: scope.from!, to: scope.to! }] };
  const edges: Plan["edges"] = [];
  if (scope.from && from && scope.from < from) edges.push({ from: scope.from, to: from });
  if (scope.to && to && to < scope.to) edges.push({ from: to, to: scope.to });
  return { weeks: { from, to }, edges };
}

function weeksWhere(plan: Plan, column: SQL): SQL {
  if (!plan.weeks) return sql`FALSE`;
  const parts = [sql`TRUE`];
  if (plan.weeks.from) parts.push(sql`${column} >= ${isoDate(plan.weeks.from)}::date`);
  if (plan.weeks.to) parts.push(sql`${column} < ${isoDate(plan.weeks.to)}::date`);
  return sql.join(parts, sql` AND `);
}

function instantsWhere(range: { from: Date | null; to: Date | null }, column: SQL): SQL {
  const parts = [sql`TRUE`];
  if (range.from) parts.push(sql`${column} >= ${range.from.toISOString()}::timestamptz`);
  if (range.to) parts.push(sql`${column} < ${range.to.toISOString()}::timestamptz`);
  return sql`(${sql.join(parts, sql` AND `)})`;
}

/** The edges' counting conversations (one range scan of conversations_report_idx each). */
function edgeConversations(plan: Plan, scope: ReportScope): SQL {
  const ranges = plan.edges.length > 0 ? plan.edges : [null];
  return sql`(${sql.join(
    ranges.map(
      (e) => sql`SELECT person_id, channel_id, audience_size, first_inbound_at, first_human_response_at,
          first_sentiment, last_sentiment
        FROM conversations c
        WHERE ${counting} AND ${e ? instantsWhere(e, sql`c.first_inbound_at`) : sql`FALSE`}
          ${channelFilter(scope, sql`c.channel_id`)}`,
    ),
    sql` UNION ALL `,
  )})`;
}

const counting = sql`c.status <> 'spam' AND c.first_inbound_at IS NOT NULL`;
const channelFilter = (scope: ReportScope, column: SQL) =>
  scope.channelId ? sql`AND ${column} = ${scope.channelId}::uuid` : sql``;

/**
 * Settings for the report's own transaction: jit off (compiling these plans cost more than it saved),
 * room for the hash aggregates, and no bitmap scans: the edges read conversations_report_idx index-only.
 */
async function inReportTransaction<T>(database: Database, query: SQL): Promise<T[]> {
  return database.db.transaction(async (tx: Db) => {
    await tx.execute(sql`SET LOCAL work_mem = '64MB'`);
    await tx.execute(sql`SET LOCAL jit = off`);
    await tx.execute(sql`SET LOCAL enable_bitmapscan = off`);
    return database.rows<T>(query, tx);
  });
}

interface CellRow {
  grouping: "audience" | "channel" | "week" | "all";
  audience: number | null;
  channelId: string | null;
  week: string | null;
  bin: number;
  conversations: number;
  scored: number;
  sentimentStart: number;
  sentimentEnd: number;
  startedNegative: number;
  recovered: number;
}

/** Figures per group: the rollup's whole weeks plus the edges computed the same way from conversations. */
async function groupFigures(
  database: Database,
  scope: ReportScope,
  plan: Plan,
  sets: Array<"audience" | "channel" | "week" | "all">,
): Promise<CellRow[]> {
  const setSql = sets.map((s) =>
    s === "audience"
      ? sql`(audience, bin)`
      : s === "channel"
        ? sql`(channel_id, bin)`
        : s === "week"
          ? sql`(week, bin)`
          : sql`(bin)`,
  );
  // A column may only be read if some grouping set has it.
  const audience = sets.includes("audience") ? sql`audience` : sql`NULL::smallint`;
  const channel = sets.includes("channel") ? sql`channel_id` : sql`NULL::uuid`;
  const week = sets.includes("week") ? sql`week` : sql`NULL::date`;
  // Cells never hold NULL keys, so a NULL key in the result is one the grouping set left out.
  return inReportTransaction<CellRow>(
    database,
    sql`
    WITH cells AS (
      SELECT week, channel_id, audience, bin, conversations, scored, sentiment_start, sentiment_end,
        started_negative, recovered
      FROM report_rollup r
      WHERE ${weeksWhere(plan, sql`r.week`)} ${channelFilter(scope, sql`r.channel_id`)}
      UNION ALL
      SELECT report_week(c.first_inbound_at), c.channel_id, report_audience(c.audience_size),
        report_bin(extract(epoch FROM c.first_human_response_at - c.first_inbound_at)::float8),
        count(*)::int,
        (count(*) FILTER (WHERE c.first_sentiment IS NOT NULL AND c.last_sentiment IS NOT NULL))::int,
        coalesce(sum(c.first_sentiment) FILTER (WHERE c.last_sentiment IS NOT NULL), 0),
        coalesce(sum(c.last_sentiment) FILTER (WHERE c.first_sentiment IS NOT NULL), 0),
        (count(*) FILTER (WHERE c.last_sentiment IS NOT NULL AND c.first_sentiment <= -0.05))::int,
        (count(*) FILTER (WHERE c.first_sentiment <= -0.05 AND c.last_sentiment > -0.05))::int
      FROM ${edgeConversations(plan, scope)} c
      GROUP BY 1, 2, 3, 4
    )
    SELECT CASE WHEN ${audience} IS NOT NULL THEN 'audience' WHEN ${channel} IS NOT NULL THEN 'channel'
        WHEN ${week} IS NOT NULL THEN 'week' ELSE 'all' END AS grouping,
      ${audience} AS audience, ${channel} AS "channelId", to_char(${week}, 'YYYY-MM-DD') AS week, bin,
      sum(conversations)::int AS conversations, sum(scored)::int AS scored,
      sum(sentiment_start)::float8 AS "sentimentStart", sum(sentiment_end)::float8 AS "sentimentEnd",
      sum(started_negative)::int AS "startedNegative", sum(recovered)::int AS recovered
    FROM cells
    GROUP BY GROUPING SETS (${sql.join(setSql, sql`, `)})`,
  );
}

interface PeopleRow {
  kind: "total" | "week";
  channelId: string;
  audience: number;
  answered: boolean;
  week: string | null;
  people: number;
}

/**
 * Distinct people per key (channel or all = NIL; audience or all = −1; answered or not) over the scope,
 * and per week for the all-audience key of `weekChannel`. Whole weeks: occurrences whose previous week is
 * before the period (report_people). Edges: their people from conversations, less those already counted
 * in the whole weeks.
 */
async function people(
  database: Database,
  scope: ReportScope,
  plan: Plan,
  weekChannel: string,
): Promise<PeopleRow[]> {
  const firstWeek = plan.weeks?.from ? sql`${isoDate(plan.weeks.from)}::date` : sql`'-infinity'::date`;
  const middle = plan.weeks ? instantsWhere(plan.weeks, sql`m.first_inbound_at`) : sql`FALSE`;
  return inReportTransaction<PeopleRow>(
    database,
    sql`
    WITH e AS (
      SELECT DISTINCT c.person_id, k.channel_id, k.audience, k.answered, report_week(c.first_inbound_at) AS week
      FROM ${edgeConversations(plan, scope)} c
      CROSS JOIN LATERAL (VALUES
        (${NIL}::uuid, (-1)::smallint, false), (c.channel_id, (-1)::smallint, false),
        (${NIL}::uuid, report_audience(c.audience_size), false), (c.channel_id, report_audience(c.audience_size), false),
        (${NIL}::uuid, (-1)::smallint, true), (c.channel_id, (-1)::smallint, true)) AS k(channel_id, audience, answered)
      WHERE NOT k.answered OR c.first_human_response_at IS NOT NULL
    )
    SELECT 'total' AS kind, channel_id AS "channelId", audience, answered, NULL AS week, sum(people)::int AS people
    FROM report_people r
    WHERE ${weeksWhere(plan, sql`r.week`)} AND (r.prev_week = '-infinity' OR r.prev_week < ${firstWeek})
      ${channelFilter(scope, sql`r.channel_id`)}
    GROUP BY 2, 3, 4
    UNION ALL
    SELECT 'week', channel_id, audience, answered, to_char(week, 'YYYY-MM-DD'), sum(people)::int
    FROM report_people r
    WHERE ${weeksWhere(plan, sql`r.week`)} AND r.audience = -1 AND r.channel_id = ${weekChannel}::uuid
    GROUP BY 2, 3, 4, 5
    UNION ALL
    SELECT 'week', channel_id, audience, answered, to_char(week, 'YYYY-MM-DD'), count(*)::int
    FROM e WHERE audience = -1 AND channel_id = ${weekChannel}::uuid
    GROUP BY 2, 3, 4, 5
    UNION ALL
    SELECT 'total', channel_id, audience, answered, NULL, count(*)::int
    FROM (
      SELECT person_id, channel_id, audience, answered FROM e
      EXCEPT
      -- The edge people's keys in the whole weeks: one index probe per person (conversations_person_idx).
      SELECT m.person_id, k.channel_id, k.audience, k.answered
      FROM conversations m
      CROSS JOIN LATERAL (VALUES
        (${NIL}::uuid, (-1)::smallint, false), (m.channel_id, (-1)::smallint, false),
        (${NIL}::uuid, report_audience(m.audience_size), false), (m.channel_id, report_audience(m.audience_size), false),
        (${NIL}::uuid, (-1)::smallint, true), (m.channel_id, (-1)::smallint, true)) AS k(channel_id, audience, answered)
      WHERE m.person_id = ANY(ARRAY(SELECT DISTINCT person_id FROM e)) AND m.status <> 'spam' AND ${middle}
        ${channelFilter(scope, sql`m.channel_id`)}
        AND (NOT k.answered OR m.first_human_response_at IS NOT NULL)
    ) x
    GROUP BY 2, 3, 4`,
  );
}

function binBounds(bin: number): [number, number] {
  return bin <= 0 ? [0, 1] : [BIN_RATIO ** (bin - 1), BIN_RATIO ** bin];
}

/**
 * percentile_cont's definition (interpolating between the order statistics around rank p × (n − 1)),
 * with each order statistic placed inside its bin: evenly in log scale between the bin's bounds.
 */
export function histogramPercentile(histogram: Map<number, number>, p: number): number | null {
  const bins = [...histogram].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = bins.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const orderStatistic = (j: number): number => {
    let before = 0;
    for (const [bin, n] of bins) {
      if (j < before + n) {
        const [lo, hi] = binBounds(bin);
        const position = (j - before + 0.5) / n;
        return bin <= 0 ? lo + position * (hi - lo) : lo * (hi / lo) ** position;
      }
      before += n;
    }
    return binBounds(bins[bins.length - 1]![0])[1];
  };
  const rank = p * (total - 1);
  const low = Math.floor(rank);
  const value = orderStatistic(low);
  const fraction = rank - low;
  return fraction === 0 ? value : value + fraction * (orderStatistic(low + 1) - value);
}

function emptyFigures(): GroupFigures {
  return {
    conversations: 0,
    answered: 0,
    scored: 0,
    sentimentStartSum: 0,
    sentimentEndSum: 0,
    startedNegative: 0,
    recovered: 0,
    histogram: new Map(),
  };
}

function collect(rows: CellRow[], key: (r: CellRow) => string | null): Map<string, GroupFigures> {
  const groups = new Map<string, GroupFigures>();
  for (const r of rows) {
    const k = key(r);
    if (k === null) continue;
    const g = groups.get(k) ?? emptyFigures();
    groups.set(k, g);
    g.conversations += r.conversations;
    g.scored += r.scored;
    g.sentimentStartSum += r.sentimentStart;
    g.sentimentEndSum += r.sentimentEnd;
    g.startedNegative += r.startedNegative;
    g.recovered += r.recovered;
    if (r.bin >= 0) {
      g.answered += r.conversations;
      g.histogram.set(r.bin, (g.histogram.get(r.bin) ?? 0) + r.conversations);
    }
  }
  // Rollup rows emptied by later changes stay behind with zero counts: they are not groups.
  for (const [k, g] of groups) if (g.conversations <= 0) groups.delete(k);
  return groups;
}

function peopleOf(rows: PeopleRow[], kind: PeopleRow["kind"]) {
  const sums = new Map<string, number>();
  for (const r of rows) {
    if (r.kind !== kind) continue;
    const k = `${r.channelId}|${r.audience}|${r.answered}|${r.week ?? ""}`;
    sums.set(k, (sums.get(k) ?? 0) + r.people);
  }
  return (channelId: string, audience: number, answered: boolean, week?: string) =>
    sums.get(`${channelId}|${audience}|${answered}|${week ?? ""}`) ?? 0;
}

const mean = (sum: number, n: number) => (n > 0 ? sum / n : null);

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
      const plan = planScope(scope);
      const channel = scope.channelId ?? NIL;
      const [cells, persons] = await Promise.all([
        groupFigures(database, scope, plan, ["audience"]),
        people(database, scope, plan, channel),
      ]);
      const groups = collect(cells, (r) => (r.grouping === "audience" ? String(r.audience) : null));
      const count = peopleOf(persons, "total");
      return [...groups].map(([audience, g]) => ({
        bucket: Number(audience) === UNKNOWN_AUDIENCE ? "unknown" : AUDIENCE_BUCKETS[Number(audience)]!.key,
        people: count(channel, Number(audience), false),
        conversations: g.conversations,
        answered: g.answered,
        p50: histogramPercentile(g.histogram, 0.5),
        p90: histogramPercentile(g.histogram, 0.9),
      }));
    },

    /** Overall, per channel and per ISO week (UTC) of the first inbound message, from one read each. */
    async happiness(scope: ReportScope): Promise<HappinessRow[]> {
      const plan = planScope(scope);
      const channel = scope.channelId ?? NIL;
      const [cells, persons, channels] = await Promise.all([
        groupFigures(database, scope, plan, ["all", "channel", "week"]),
        people(database, scope, plan, channel),
        database.rows<ChannelRef>(sql`SELECT id, key, name FROM channels`),
      ]);
      const total = peopleOf(persons, "total");
      const weekly = peopleOf(persons, "week");
      const names = new Map(channels.map((c) => [c.id, c]));
      const row = (
        grouping: HappinessRow["grouping"],
        g: GroupFigures,
        people: number,
        peopleAnswered: number,
        extra: Partial<HappinessRow>,
      ): HappinessRow => ({
        grouping,
        channelId: null,
        channelKey: null,
        channelName: null,
        week: null,
        weekStart: null,
        ...extra,
        people,
        peopleAnswered,
        conversations: g.conversations,
        answered: g.answered,
        p50: histogramPercentile(g.histogram, 0.5),
        p90: histogramPercentile(g.histogram, 0.9),
        scored: g.scored,
        sentimentStart: mean(g.sentimentStartSum, g.scored),
        sentimentEnd: mean(g.sentimentEndSum, g.scored),
        startedNegative: g.startedNegative,
        recovered: g.recovered,
      });
      const out: HappinessRow[] = [];
      const all = collect(cells, (r) => (r.grouping === "all" ? "all" : null)).get("all");
      if (all) out.push(row("all", all, total(channel, -1, false), total(channel, -1, true), {}));
      const byChannel = [...collect(cells, (r) => (r.grouping === "channel" ? r.channelId : null))]
        .map(([id, g]) => ({ id, g, ref: names.get(id) }))
        .filter((c) => c.ref)
        .sort((a, b) => (a.ref!.key < b.ref!.key ? -1 : a.ref!.key > b.ref!.key ? 1 : 0));
      for (const { id, g, ref } of byChannel) {
        out.push(
          row("channel", g, total(id, -1, false), total(id, -1, true), {
            channelId: id,
            channelKey: ref!.key,
            channelName: ref!.name,
          }),
        );
      }
      const byWeek = [...collect(cells, (r) => (r.grouping === "week" ? r.week : null))].sort((a, b) =>
        a[0] < b[0] ? -1 : 1,
      );
      for (const [week, g] of byWeek) {
        out.push(
          row("week", g, weekly(channel, -1, false, week), weekly(channel, -1, true, week), {
            week: isoWeek(week),
            weekStart: week,
          }),
        );
      }
      return out;
    },
  };
}

/** "2026-01-12" (a Monday) → "2026-W03": the ISO week-numbering year is the year of its Thursday. */
function isoWeek(monday: string): string {
  const thursday = new Date(Date.parse(`${monday}T00:00:00Z`) + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}
