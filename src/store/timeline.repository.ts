/**
 * A conversation's timeline figures, recomputed from its messages so they are right whatever order the
 * messages arrived in. One definition serves two uses: `refresh` writes them (replies, reanalysis), and
 * `compute` reads them (locking the rows) so the ingest pipeline can write them together with the SLA
 * and queue columns in one UPDATE per batch (see conversation-state.repository.ts).
 */
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { isoMicros } from "./sql.helpers.ts";

const json = (value: unknown) => JSON.stringify(value);

/** A conversation's recomputed timeline columns; timestamps as ISO text with microseconds. */
export interface TimelineRow {
  id: string;
  message_count: number;
  first_inbound_at: string | null;
  last_inbound_at: string | null;
  last_outbound_at: string | null;
  first_human_response_at: string | null;
  last_message_at: string | null;
  awaiting_reply: boolean;
  waiting_since: string | null;
  first_sentiment: number | null;
  last_sentiment: number | null;
  audience_size: number | null;
  status: string;
}

/** `a` and `r`: aggregates over the messages of `ids`. */
function aggregates(ids: string[]): SQL {
  return sql`
    WITH ids AS (SELECT value::uuid AS id FROM json_array_elements_text(${json(ids)}::json)),
    a AS (
      SELECT m.conversation_id,
        count(*) FILTER (WHERE m.visibility <> 'note') AS message_count,
        -- Automated mail (auto-replies, bounces, lists) is no person waiting for us.
        min(m.created_at) FILTER (WHERE m.direction = 'in' AND m.automated IS NULL) AS first_in,
        max(m.created_at) FILTER (WHERE m.direction = 'in' AND m.automated IS NULL) AS last_in,
        max(m.created_at) FILTER (WHERE m.direction = 'out' AND m.visibility <> 'note') AS last_out,
        max(m.created_at) FILTER (WHERE m.visibility <> 'note') AS last_at
      FROM messages m JOIN ids ON ids.id = m.conversation_id
      GROUP BY m.conversation_id),
    r AS (
      SELECT m.conversation_id,
        min(m.created_at) FILTER (WHERE m.direction = 'out' AND m.visibility <> 'note'
          AND m.author_agent_id IS NOT NULL AND m.created_at >= a.first_in) AS first_response,
        min(m.created_at) FILTER (WHERE m.direction = 'in' AND m.automated IS NULL
          AND (a.last_out IS NULL OR m.created_at > a.last_out)) AS waiting_since,
        (array_agg(m.sentiment_score ORDER BY m.created_at) FILTER (WHERE m.direction = 'in'))[1] AS first_sentiment,
        (array_agg(m.sentiment_score ORDER BY m.created_at DESC) FILTER (WHERE m.direction = 'in'))[1] AS last_sentiment,
        (array_agg(i.follower_count ORDER BY m.created_at) FILTER (WHERE m.direction = 'in'))[1] AS audience
      FROM messages m JOIN a ON a.conversation_id = m.conversation_id
      LEFT JOIN identities i ON i.id = m.author_identity_id
      WHERE m.visibility <> 'note'
      GROUP BY m.conversation_id)`;
}

/** The timeline columns as expressions over `a`, `r` and the stored row `c`. */
function columns(reopen: string[]): Array<[keyof TimelineRow, SQL, "ts" | "value"]> {
  return [
    ["message_count", sql`a.message_count::int`, "value"],
    ["first_inbound_at", sql`a.first_in`, "ts"],
    ["last_inbound_at", sql`a.last_in`, "ts"],
    ["last_outbound_at", sql`a.last_out`, "ts"],
    ["first_human_response_at", sql`r.first_response`, "ts"],
    ["last_message_at", sql`a.last_at`, "ts"],
    [
      "awaiting_reply",
      sql`(a.last_in IS NOT NULL AND (a.last_out IS NULL OR a.last_in > a.last_out))`,
      "value",
    ],
    ["waiting_since", sql`r.waiting_since`, "ts"],
    ["first_sentiment", sql`r.first_sentiment`, "value"],
    ["last_sentiment", sql`r.last_sentiment`, "value"],
    // The audience size is a snapshot from the conversation's start, for the fairness audit only.
    ["audience_size", sql`COALESCE(c.audience_size, r.audience)`, "value"],
    // Conversations in `reopen` just received an inbound message: resolved or waiting ones go back to open.
    [
      "status",
      sql`CASE WHEN c.status IN ('resolved', 'waiting')
        AND c.id IN (SELECT value::uuid FROM json_array_elements_text(${json(reopen)}::json))
        THEN 'open' ELSE c.status END`,
      "value",
    ],
  ];
}

export function timelineRepository(db: Db) {
  return {
    /** Recomputes and writes the timeline columns of these conversations. */
    async refresh(ids: string[], reopen: string[]): Promise<void> {
      if (ids.length === 0) return;
      const set = columns(reopen).map(([name, expr]) => sql`${sql.raw(name)} = ${expr}`);
      await db.execute(sql`
        ${aggregates(ids)}
        UPDATE conversations c SET ${sql.join(set, sql`, `)}, updated_at = now()
        FROM a LEFT JOIN r ON r.conversation_id = a.conversation_id
        WHERE c.id = a.conversation_id`);
    },

    /** Recomputes the timeline columns without writing them; locks the rows (in id order) for the write. */
    async compute(ids: string[], reopen: string[]): Promise<TimelineRow[]> {
      if (ids.length === 0) return [];
      const select = columns(reopen).map(
        ([name, expr, kind]) => sql`${kind === "ts" ? isoMicros(expr) : expr} AS ${sql.raw(name)}`,
      );
      const result = (await db.execute(sql`
        ${aggregates(ids)}
        SELECT c.id, ${sql.join(select, sql`, `)}
        FROM conversations c JOIN a ON a.conversation_id = c.id
        LEFT JOIN r ON r.conversation_id = a.conversation_id
        ORDER BY c.id
        FOR NO KEY UPDATE OF c`)) as unknown as { rows: TimelineRow[] };
      return result.rows;
    },
  };
}
