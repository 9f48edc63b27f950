/** The fair queue's SQL: need inputs for priority, writing the sort key, and reading queue pages. */
import { and, asc, eq, isNull, type SQL, sql } from "drizzle-orm";
import { present, summaryColumns } from "./conversation.repository.ts";
import type { Db } from "./db.ts";
import { agents, channels, conversations, people, teams } from "./schema.ts";
import { isoMicros, isoMillis } from "./sql.helpers.ts";
import type { TimelineRow } from "./timeline.repository.ts";

export interface NeedInputRow {
  id: string;
  awaiting: boolean;
  status: string;
  waiting_since: string | null;
  sla_due_at: string | null;
  replied_before: boolean;
  negative: boolean | null;
  complaint: boolean | null;
  question: boolean | null;
  urgent_reasons: string[] | null;
  inbound_in_wait: number;
  latest_spam: string | null;
  /** The stored sort key and need, to skip writing what did not change. */
  current_due_at: string | null;
  current_need: unknown;
}

export interface PriorityRow {
  id: string;
  queue_due_at: string | null;
  need: unknown;
}

export interface QueueFilters {
  /** Channel key. */
  channel?: string;
  teamId?: string;
  /** Agent id, or "none" for unassigned. */
  assignee?: string;
  limit: number;
  after?: { at: string; id: string };
}

const json = (value: unknown) => JSON.stringify(value);

export function queueRepository(db: Db) {
  const rows = async <T>(query: SQL): Promise<T[]> =>
    ((await db.execute(query)) as unknown as { rows: T[] }).rows;
  return {
    /**
     * What priority needs to know about each conversation: its wait and the messages in it. `timeline`
     * replaces the stored timeline columns (computed in this transaction but not written yet).
     */
    async needInputs(ids: string[], timeline?: TimelineRow[]): Promise<NeedInputRow[]> {
      if (ids.length === 0) return [];
      const cv = timeline
        ? sql`SELECT c.id, o.awaiting_reply, o.status, o.waiting_since, o.first_human_response_at,
            c.sla_due_at, c.queue_due_at, c.need
          FROM conversations c JOIN json_to_recordset(${json(
            // Only what is read below: the rest of a timeline row would be sent and parsed for nothing.
            timeline.map((t) => ({
              id: t.id,
              awaiting_reply: t.awaiting_reply,
              status: t.status,
              waiting_since: t.waiting_since,
              first_human_response_at: t.first_human_response_at,
            })),
          )}::json) AS o(id uuid,
            awaiting_reply boolean, status text, waiting_since timestamptz, first_human_response_at timestamptz)
            ON o.id = c.id`
        : sql`SELECT id, awaiting_reply, status, waiting_since, first_human_response_at, sla_due_at,
            queue_due_at, need
          FROM conversations
          WHERE id IN (SELECT value::uuid FROM json_array_elements_text(${json(ids)}::json))`;
      return rows<NeedInputRow>(sql`
        SELECT c.id, c.awaiting_reply AS awaiting, c.status,
          to_char(c.waiting_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS waiting_since,
          to_char(c.sla_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS sla_due_at,
          (c.first_human_response_at IS NOT NULL) AS replied_before,
          bool_or(m.sentiment_label = 'negative') AS negative,
          bool_or('complaint' = ANY(m.intent)) AS complaint,
          bool_or('question' = ANY(m.intent)) AS question,
          array_remove(array_agg(DISTINCT r.reason), NULL) AS urgent_reasons,
          count(m.id)::int AS inbound_in_wait,
          (array_agg(m.spam_label ORDER BY m.created_at DESC))[1] AS latest_spam,
          to_char(c.queue_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS current_due_at,
          c.need AS current_need
        FROM (${cv}) c
        LEFT JOIN messages m ON m.conversation_id = c.id AND m.direction = 'in'
          AND c.waiting_since IS NOT NULL AND m.created_at >= c.waiting_since
        LEFT JOIN LATERAL (
          SELECT value AS reason FROM jsonb_array_elements_text(
            CASE WHEN m.urgency <> 'high' OR m.urgency IS NULL THEN '[]'::jsonb
              -- High because an agent said so (analysis_corrections), not the analyzer: that is the reason.
              WHEN m.analysis->'urgency'->>'level' IS DISTINCT FROM 'high' THEN '["marked urgent by an agent"]'::jsonb
              ELSE COALESCE(m.analysis->'urgency'->'reasons', '[]'::jsonb) END)
        ) r ON TRUE
        GROUP BY c.id, c.awaiting_reply, c.status, c.waiting_since, c.first_human_response_at, c.sla_due_at,
          c.queue_due_at, c.need`);
    },

    async writePriority(rows: PriorityRow[]): Promise<void> {
      if (rows.length === 0) return;
      await db.execute(sql`
        UPDATE conversations c SET queue_due_at = r.queue_due_at, need = r.need
        FROM json_to_recordset(${json(rows)}::json) AS r(id uuid, queue_due_at timestamptz, need jsonb)
        WHERE c.id = r.id`);
    },

    /** One page of the queue: open conversations awaiting our reply, earliest adjusted deadline first. */
    async page(filters: QueueFilters, now: Date = new Date()) {
      // Written to match the partial queue indexes: awaiting_reply AND status = 'open'.
      const where: SQL[] = [sql`${conversations.awaitingReply} AND ${conversations.status} = 'open'`];
      if (filters.channel) {
        where.push(
          sql`${conversations.channelId} = (SELECT id FROM ${channels} WHERE ${channels.key} = ${filters.channel})`,
        );
      }
      if (filters.teamId) where.push(eq(conversations.assigneeTeamId, filters.teamId));
      if (filters.assignee === "none") where.push(isNull(conversations.assigneeAgentId));
      else if (filters.assignee) where.push(eq(conversations.assigneeAgentId, filters.assignee));
      if (filters.after) {
        where.push(
          sql`(${conversations.queueDueAt}, ${conversations.id}) > (${filters.after.at}::timestamptz, ${filters.after.id}::uuid)`,
        );
      }
      const found = await db
        .select({
          ...summaryColumns(),
          queueDueAt: isoMicros(conversations.queueDueAt),
          waitingSince: isoMillis(conversations.waitingSince),
          slaDueAt: isoMillis(conversations.slaDueAt),
          need: conversations.need,
        })
        .from(conversations)
        .innerJoin(channels, eq(channels.id, conversations.channelId))
        .leftJoin(people, eq(people.id, conversations.personId))
        .leftJoin(agents, eq(agents.id, conversations.assigneeAgentId))
        .leftJoin(teams, eq(teams.id, conversations.assigneeTeamId))
        .where(and(...where))
        .orderBy(asc(conversations.queueDueAt), asc(conversations.id))
        .limit(filters.limit + 1);
      const items = found.slice(0, filters.limit).map((row) => ({
        ...present(row, now),
        queueDueAt: row.queueDueAt,
        waitingSince: row.waitingSince,
        slaDueAt: row.slaDueAt,
        need: row.need,
      }));
      const last = items.at(-1);
      const next =
        found.length > filters.limit && last?.queueDueAt ? { at: last.queueDueAt, id: last.id } : null;
      return { items, next };
    },
  };
}
