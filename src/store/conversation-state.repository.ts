/**
 * Writes a conversation's derived columns — timeline, SLA clocks and queue position — in one statement,
 * so a batch rewrites each conversation row (and its dozen indexes) once instead of once each.
 */
import { sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import type { PriorityRow } from "./queue.repository.ts";
import type { SlaConversationUpdate } from "./sla.repository.ts";
import type { TimelineRow } from "./timeline.repository.ts";

const json = (value: unknown) => JSON.stringify(value);

export interface DerivedStateRow {
  id: string;
  /** New SLA columns; absent: keep the stored ones. */
  sla?: SlaConversationUpdate;
  /** New queue columns; absent: keep the stored ones. */
  queue?: PriorityRow;
  /** New timeline columns (timeline.repository.ts `compute`); absent: keep the stored ones. */
  timeline?: TimelineRow;
}

const TIMELINE_COLUMNS = [
  "message_count",
  "first_inbound_at",
  "last_inbound_at",
  "last_outbound_at",
  "first_human_response_at",
  "last_message_at",
  "awaiting_reply",
  "waiting_since",
  "first_sentiment",
  "last_sentiment",
  "audience_size",
  "status",
] as const;

/** The timeline columns as `t_`-prefixed fields (a literal: this runs once per conversation per batch). */
function timelineRecord(t: TimelineRow) {
  return {
    t_message_count: t.message_count,
    t_first_inbound_at: t.first_inbound_at,
    t_last_inbound_at: t.last_inbound_at,
    t_last_outbound_at: t.last_outbound_at,
    t_first_human_response_at: t.first_human_response_at,
    t_last_message_at: t.last_message_at,
    t_awaiting_reply: t.awaiting_reply,
    t_waiting_since: t.waiting_since,
    t_first_sentiment: t.first_sentiment,
    t_last_sentiment: t.last_sentiment,
    t_audience_size: t.audience_size,
    t_status: t.status,
  } satisfies Record<`t_${(typeof TIMELINE_COLUMNS)[number]}`, unknown>;
}

export function conversationStateRepository(db: Db) {
  return {
    async write(rows: DerivedStateRow[]): Promise<void> {
      if (rows.length === 0) return;
      const records = rows.map(({ id, sla, queue, timeline }) => ({
        id,
        timeline: timeline !== undefined,
        ...(timeline ? timelineRecord(timeline) : {}),
        sla: sla !== undefined,
        sla_policy_id: sla?.slaPolicyId ?? null,
        sla_paused_at: sla?.slaPausedAt ?? null,
        first_response_due_at: sla?.firstResponseDueAt ?? null,
        next_response_due_at: sla?.nextResponseDueAt ?? null,
        resolution_due_at: sla?.resolutionDueAt ?? null,
        sla_due_at: sla?.slaDueAt ?? null,
        queue: queue !== undefined,
        queue_due_at: queue?.queue_due_at ?? null,
        need: queue?.need ?? null,
      }));
      const keep = (column: string) =>
        sql.raw(`${column} = CASE WHEN r.timeline THEN r.t_${column} ELSE c.${column} END`);
      await db.execute(sql`
        UPDATE conversations c SET
          ${sql.join(TIMELINE_COLUMNS.map(keep), sql`, `)},
          updated_at = CASE WHEN r.timeline THEN now() ELSE c.updated_at END,
          sla_policy_id = CASE WHEN r.sla THEN r.sla_policy_id ELSE c.sla_policy_id END,
          sla_paused_at = CASE WHEN r.sla THEN r.sla_paused_at ELSE c.sla_paused_at END,
          first_response_due_at = CASE WHEN r.sla THEN r.first_response_due_at ELSE c.first_response_due_at END,
          next_response_due_at = CASE WHEN r.sla THEN r.next_response_due_at ELSE c.next_response_due_at END,
          resolution_due_at = CASE WHEN r.sla THEN r.resolution_due_at ELSE c.resolution_due_at END,
          sla_due_at = CASE WHEN r.sla THEN r.sla_due_at ELSE c.sla_due_at END,
          queue_due_at = CASE WHEN r.queue THEN r.queue_due_at ELSE c.queue_due_at END,
          need = CASE WHEN r.queue THEN r.need ELSE c.need END
        FROM json_to_recordset(${json(records)}::json) AS r(id uuid, timeline boolean, t_message_count integer,
          t_first_inbound_at timestamptz, t_last_inbound_at timestamptz, t_last_outbound_at timestamptz,
          t_first_human_response_at timestamptz, t_last_message_at timestamptz, t_awaiting_reply boolean,
          t_waiting_since timestamptz, t_first_sentiment double precision, t_last_sentiment double precision,
          t_audience_size integer, t_status text, sla boolean, sla_policy_id uuid,
          sla_paused_at timestamptz, first_response_due_at timestamptz, next_response_due_at timestamptz,
          resolution_due_at timestamptz, sla_due_at timestamptz, queue boolean, queue_due_at timestamptz,
          need jsonb)
        WHERE c.id = r.id`);
    },
  };
}
