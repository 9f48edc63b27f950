/**
 * Messages for IngestRepository: which are stored already, inbound counts per conversation, and the bulk
 * insert of messages (COPY on PostgreSQL for large batches, INSERT … ON CONFLICT otherwise) and their
 * attachments.
 */
import { sql } from "drizzle-orm";
import { enqueueDownloads } from "./attachment.repository.ts";
import { COPY_MIN_ROWS, type CopyValue, copyRows, encodeCopy } from "./copy.ts";
import type { Database, Db } from "./db.ts";
import type { NewAttachment, NewMessage } from "./ingest.rows.ts";

const json = (value: unknown) => JSON.stringify(value);

const UNIQUE_VIOLATION = "23505";

/** The columns of a NewMessage, in the order they are COPYed. */
const MESSAGE_COLUMNS = [
  "id",
  "conversation_id",
  "channel_id",
  "external_id",
  "in_reply_to_external_id",
  "direction",
  "visibility",
  "text",
  "html",
  "automated",
  "author_identity_id",
  "author_agent_id",
  "raw_event_id",
  "delivery_status",
  "created_at",
  "sentiment_score",
  "sentiment_label",
  "intent",
  "urgency",
  "spam_score",
  "spam_label",
  "language",
  "analysis",
  "analyzer_version",
  "edited_at",
] as const satisfies ReadonlyArray<keyof NewMessage>;

export async function existingMessages(
  database: Database,
  tx: Db,
  keys: Array<{ channel_id: string; external_id: string }>,
): Promise<Array<{ channel_id: string; external_id: string; id: string; conversation_id: string }>> {
  if (keys.length === 0) return [];
  return database.rows(
    sql`
    SELECT m.channel_id, m.external_id, m.id, m.conversation_id
    FROM json_to_recordset(${json(keys)}::json) AS k(channel_id uuid, external_id text)
    JOIN messages m ON m.channel_id = k.channel_id AND m.external_id = k.external_id`,
    tx,
  );
}

export async function inboundCounts(
  database: Database,
  tx: Db,
  conversationIds: string[],
): Promise<Map<string, number>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await database.rows<{ conversation_id: string; n: string | number }>(
    sql`
    SELECT conversation_id, count(*) AS n FROM messages
    WHERE direction = 'in'
      AND conversation_id IN (SELECT value::uuid FROM json_array_elements_text(${json(conversationIds)}::json))
    GROUP BY conversation_id`,
    tx,
  );
  return new Map(rows.map((r) => [r.conversation_id, Number(r.n)]));
}

export async function insertMessages(database: Database, tx: Db, rows: NewMessage[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  if (database.engine === "postgres" && rows.length >= COPY_MIN_ROWS) {
    // jsonb travels as its JSON text (a string would otherwise be taken for JSON text itself).
    const chunks = encodeCopy(
      rows.map((r) =>
        MESSAGE_COLUMNS.map(
          (c): CopyValue => (c === "analysis" ? (r.analysis == null ? null : json(r.analysis)) : r[c]),
        ),
      ),
    );
    // The batch was deduplicated against stored messages already; only a concurrent writer can have
    // stored one since. Then the COPY fails as a whole, and the INSERT below skips that one.
    if (chunks && (await copyUnlessDuplicate(tx, "messages", MESSAGE_COLUMNS, chunks)))
      return new Set(rows.map((r) => r.id));
  }
  const inserted = await database.rows<{ id: string }>(
    sql`
    INSERT INTO messages (id, conversation_id, channel_id, external_id, in_reply_to_external_id, direction,
      visibility, text, html, automated, author_identity_id, author_agent_id, raw_event_id, delivery_status, created_at,
      sentiment_score, sentiment_label, intent, urgency, spam_score, spam_label, language, analysis,
      analyzer_version, edited_at)
    SELECT id, conversation_id, channel_id, external_id, in_reply_to_external_id, direction,
      visibility, text, html, automated, author_identity_id, author_agent_id, raw_event_id, delivery_status, created_at,
      sentiment_score, sentiment_label, intent, urgency, spam_score, spam_label, language, analysis,
      analyzer_version, edited_at
    FROM json_to_recordset(${json(rows)}::json) AS r(id uuid, conversation_id uuid, channel_id uuid,
      external_id text, in_reply_to_external_id text, direction text, visibility text, text text,
      html text, automated text, author_identity_id uuid, author_agent_id uuid, raw_event_id bigint, delivery_status text,
      created_at timestamptz, sentiment_score double precision, sentiment_label text, intent text[],
      urgency text, spam_score double precision, spam_label text, language text, analysis jsonb,
      analyzer_version text, edited_at timestamptz)
    ON CONFLICT (channel_id, external_id) DO NOTHING
    RETURNING id`,
    tx,
  );
  return new Set(inserted.map((r) => r.id));
}

/**
 * COPYs rows inside a savepoint; false (and nothing written) if a row hit a unique constraint, so the
 * caller can fall back to its INSERT … ON CONFLICT DO NOTHING. Other errors are thrown.
 */
async function copyUnlessDuplicate(
  tx: Db,
  table: string,
  columns: readonly string[],
  chunks: Buffer[],
): Promise<boolean> {
  await tx.execute(sql`SAVEPOINT rapport_copy`);
  try {
    await copyRows(tx, table, columns, chunks);
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await tx.execute(sql`ROLLBACK TO SAVEPOINT rapport_copy`);
    return false;
  }
  await tx.execute(sql`RELEASE SAVEPOINT rapport_copy`);
  return true;
}

/** Stores attachments and queues the download of those the platform keeps; returns how many messages wait for one. */
export async function insertAttachments(tx: Db, rows: NewAttachment[]): Promise<number> {
  if (rows.length === 0) return 0;
  await tx.execute(sql`
    INSERT INTO attachments (message_id, position, filename, content_type, size, content, source_url)
    SELECT message_id, position, filename, content_type, size, decode(content, 'base64'), source_url
    FROM json_to_recordset(${json(rows)}::json) AS r(message_id uuid, position integer, filename text,
      content_type text, size integer, content text, source_url text)
    ON CONFLICT (message_id, position) DO NOTHING`);
  // A file the platform keeps is downloaded by a job (jobs/attachment.job.ts), one per message.
  const fetch = [...new Set(rows.filter((r) => r.content === null && r.source_url).map((r) => r.message_id))];
  await enqueueDownloads(tx, fetch);
  return fetch.length;
}
