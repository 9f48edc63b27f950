/**
 * Bulk SQL for the ingest pipeline. Rows travel as one JSON parameter expanded with json_to_recordset,
 * which is fast on both engines and keeps the parameter count at one whatever the batch size.
 */
import { sql } from "drizzle-orm";
import { COPY_MIN_ROWS, type CopyValue, copyRows, encodeCopy } from "./copy.ts";
import type { Database, Db } from "./db.ts";
import { timelineRepository } from "./timeline.repository.ts";

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

export interface ChannelRow {
  id: string;
  key: string;
  kind: string;
  platform: string;
}

export interface ChannelSpec {
  key: string;
  kind: string;
  platform: string;
  name: string;
}

export interface RawEventRow {
  source: string;
  format: string;
  channel_key: string | null;
  payload: unknown;
}

export interface IdentityRow {
  id: string;
  person_id: string;
  platform: string;
  external_id: string;
}

export interface IdentityUpsert {
  id: string;
  person_id: string;
  platform: string;
  external_id: string;
  handle: string | null;
  display_name: string | null;
  follower_count: number | null;
  profile_url: string | null;
}

export interface ConversationRow {
  id: string;
  channel_id: string;
  thread_key: string;
  person_id: string | null;
  status: string;
}

export interface NewConversation {
  id: string;
  channel_id: string;
  thread_key: string;
  person_id: string | null;
  visibility: "public" | "private";
  created_at: string;
  subject: string | null;
  status: "open" | "resolved";
}

export interface NewMessage {
  id: string;
  conversation_id: string;
  channel_id: string;
  external_id: string;
  in_reply_to_external_id: string | null;
  direction: "in" | "out";
  visibility: "public" | "private" | "note";
  text: string;
  html: string | null;
  automated: "auto_reply" | "bounce" | "list" | null;
  author_identity_id: string | null;
  author_agent_id: string | null;
  raw_event_id: number | null;
  delivery_status: "pending" | "sent" | "failed" | null;
  created_at: string;
  sentiment_score: number | null;
  sentiment_label: string | null;
  intent: string[] | null;
  urgency: string | null;
  spam_score: number | null;
  spam_label: string | null;
  language: string | null;
  analysis: unknown;
  analyzer_version: string | null;
  /** Set when the message arrived already edited (its edit was the first we heard of it). */
  edited_at?: string | null;
}

export class IngestRepository {
  constructor(private readonly database: Database) {}

  /** Stores raw payloads and returns their ids in input order. Runs outside any transaction on purpose. */
  async insertRawEvents(rows: RawEventRow[]): Promise<number[]> {
    if (rows.length === 0) return [];
    const ids = await this.database.rows<{ id: string | number }>(
      sql`SELECT nextval('raw_events_id_seq') AS id FROM generate_series(1, ${rows.length})`,
    );
    const withIds = rows.map((row, i) => ({ ...row, id: Number(ids[i]!.id) }));
    if (this.database.engine === "postgres" && rows.length >= COPY_MIN_ROWS) {
      const chunks = encodeCopy(
        withIds.map((r): CopyValue[] => [r.id, r.source, r.format, r.channel_key, json(r.payload)]),
      );
      // Ids come from the sequence above, so no row can conflict: a failure is a real one.
      if (chunks) {
        await copyRows(
          this.database.db,
          "raw_events",
          ["id", "source", "format", "channel_key", "payload"],
          chunks,
        );
        return withIds.map((r) => r.id);
      }
    }
    await this.database.db.execute(sql`
      INSERT INTO raw_events (id, source, format, channel_key, payload)
      SELECT id, source, format, channel_key, payload
      FROM json_to_recordset(${json(withIds)}::json)
        AS r(id bigint, source text, format text, channel_key text, payload json)`);
    return withIds.map((r) => r.id);
  }

  /**
   * Refreshes the planner's statistics of the tables ingest reads back by conversation or key. A bulk
   * load outgrows them within minutes (PGlite never gathers any on its own): without them, every batch's
   * reads by conversation become sequential scans of all messages, and an import slows down as it goes.
   */
  async analyze(): Promise<void> {
    // Only the columns those reads filter and join on: a whole-table ANALYZE of messages would also
    // compute the full-text index's statistics, running to_tsvector over the whole sample (~5× slower).
    await this.database.db.execute(sql`
      ANALYZE messages (conversation_id, channel_id, external_id, direction, visibility, created_at),
        conversations (id, channel_id, thread_key, person_id, status),
        identities (platform, external_id, person_id), sla_targets (conversation_id)`);
  }

  async loadRawEvents(ids: number[]): Promise<Array<RawEventRow & { id: number }>> {
    if (ids.length === 0) return [];
    const rows = await this.database.rows<RawEventRow & { id: string | number }>(sql`
      SELECT id, source, format, channel_key, payload FROM raw_events
      WHERE id IN (SELECT value::bigint FROM json_array_elements_text(${json(ids)}::json))`);
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  async markRawEvents(tx: Db, ids: number[], status: "processed" | "dead"): Promise<void> {
    if (ids.length === 0) return;
    await tx.execute(sql`
      UPDATE raw_events SET status = ${status}
      WHERE id IN (SELECT value::bigint FROM json_array_elements_text(${json(ids)}::json))`);
  }

  async insertDeadLetters(
    tx: Db,
    rows: Array<{ raw_event_id: number; source: string; reason: string; detail: unknown }>,
  ): Promise<number[]> {
    if (rows.length === 0) return [];
    const inserted = await this.database.rows<{ id: string | number; raw_event_id: string | number }>(
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

  async channelsByKey(keys: string[]): Promise<ChannelRow[]> {
    if (keys.length === 0) return [];
    return this.database.rows<ChannelRow>(sql`
      SELECT id, key, kind, platform FROM channels
      WHERE key IN (SELECT value FROM json_array_elements_text(${json(keys)}::json))`);
  }

  /** Creates the channels that do not exist yet (first writer wins) and returns all of them. */
  async ensureChannels(specs: ChannelSpec[]): Promise<ChannelRow[]> {
    if (specs.length === 0) return [];
    await this.database.db.execute(sql`
      INSERT INTO channels (key, kind, platform, name)
      SELECT key, kind, platform, name FROM json_to_recordset(${json(specs)}::json)
        AS r(key text, kind text, platform text, name text)
      ON CONFLICT (key) DO NOTHING`);
    return this.channelsByKey(specs.map((s) => s.key));
  }

  /** Which of these (channel, external id) pairs are stored already, with their message ids. */
  async existingMessages(
    tx: Db,
    keys: Array<{ channel_id: string; external_id: string }>,
  ): Promise<Array<{ channel_id: string; external_id: string; id: string; conversation_id: string }>> {
    if (keys.length === 0) return [];
    return this.database.rows(
      sql`
      SELECT m.channel_id, m.external_id, m.id, m.conversation_id
      FROM json_to_recordset(${json(keys)}::json) AS k(channel_id uuid, external_id text)
      JOIN messages m ON m.channel_id = k.channel_id AND m.external_id = k.external_id`,
      tx,
    );
  }

  async identities(tx: Db, keys: Array<{ platform: string; external_id: string }>): Promise<IdentityRow[]> {
    if (keys.length === 0) return [];
    return this.database.rows<IdentityRow>(
      sql`
      SELECT i.id, i.person_id, i.platform, i.external_id
      FROM json_to_recordset(${json(keys)}::json) AS k(platform text, external_id text)
      JOIN identities i ON i.platform = k.platform AND i.external_id = k.external_id`,
      tx,
    );
  }

  /**
   * Inserts people and their identities. Identities that another writer created meanwhile are skipped
   * (ON CONFLICT) and their would-be people removed; returns the identities actually inserted.
   */
  async insertIdentities(tx: Db, rows: IdentityUpsert[]): Promise<IdentityRow[]> {
    if (rows.length === 0) return [];
    const recordset = json(rows);
    await tx.execute(sql`
      INSERT INTO people (id, display_name)
      SELECT person_id, COALESCE(display_name, handle, external_id)
      FROM json_to_recordset(${recordset}::json)
        AS r(person_id uuid, display_name text, handle text, external_id text)`);
    const inserted = await this.database.rows<IdentityRow>(
      sql`
      INSERT INTO identities (id, person_id, platform, external_id, handle, display_name, follower_count, profile_url)
      SELECT id, person_id, platform, external_id, handle, display_name, follower_count, profile_url
      FROM json_to_recordset(${recordset}::json) AS r(id uuid, person_id uuid, platform text,
        external_id text, handle text, display_name text, follower_count integer, profile_url text)
      ON CONFLICT (platform, external_id) DO NOTHING
      RETURNING id, person_id, platform, external_id`,
      tx,
    );
    if (inserted.length < rows.length) {
      const kept = new Set(inserted.map((r) => r.person_id));
      const orphans = rows.map((r) => r.person_id).filter((id) => !kept.has(id));
      await tx.execute(sql`
        DELETE FROM people WHERE id IN (SELECT value::uuid FROM json_array_elements_text(${json(orphans)}::json))`);
    }
    return inserted;
  }

  /** Refreshes handle, name and follower count of known identities when a message brings new values. */
  async refreshIdentities(
    tx: Db,
    rows: Array<{
      id: string;
      handle: string | null;
      display_name: string | null;
      follower_count: number | null;
      profile_url: string | null;
    }>,
  ): Promise<void> {
    if (rows.length === 0) return;
    await tx.execute(sql`
      UPDATE identities i SET
        handle = COALESCE(r.handle, i.handle),
        display_name = COALESCE(r.display_name, i.display_name),
        follower_count = COALESCE(r.follower_count, i.follower_count),
        profile_url = COALESCE(r.profile_url, i.profile_url),
        updated_at = now()
      FROM json_to_recordset(${json(rows)}::json)
        AS r(id uuid, handle text, display_name text, follower_count integer, profile_url text)
      WHERE i.id = r.id AND (
        r.handle IS DISTINCT FROM i.handle AND r.handle IS NOT NULL OR
        r.display_name IS DISTINCT FROM i.display_name AND r.display_name IS NOT NULL OR
        r.follower_count IS DISTINCT FROM i.follower_count AND r.follower_count IS NOT NULL OR
        r.profile_url IS DISTINCT FROM i.profile_url AND r.profile_url IS NOT NULL)`);
  }

  /**
   * Agents for the authors of outbound messages. An agent whose external ref is the author's bare
   * external id (e.g. "agent:maria") is the same person on every platform; otherwise the ref is scoped
   * to the platform ("x:sprintcare") and such an agent is created on first sight.
   * Returns scoped ref → agent id.
   */
  async ensureAgents(
    tx: Db,
    rows: Array<{ external_ref: string; external_id: string; name: string }>,
  ): Promise<Map<string, string>> {
    if (rows.length === 0) return new Map();
    const lookup = async () =>
      new Map(
        (
          await this.database.rows<{ id: string; external_ref: string }>(
            sql`
          SELECT id, external_ref FROM agents WHERE external_ref IN (
            SELECT value FROM json_array_elements_text(${json(rows.flatMap((r) => [r.external_ref, r.external_id]))}::json))`,
            tx,
          )
        ).map((r) => [r.external_ref, r.id]),
      );
    let found = await lookup();
    const missing = rows.filter((r) => !found.has(r.external_ref) && !found.has(r.external_id));
    if (missing.length > 0) {
      await tx.execute(sql`
        INSERT INTO agents (external_ref, name)
        SELECT external_ref, name FROM json_to_recordset(${json(missing)}::json) AS r(external_ref text, name text)
        ON CONFLICT (external_ref) DO NOTHING`);
      found = await lookup();
    }
    return new Map(
      rows.map((r) => [r.external_ref, (found.get(r.external_ref) ?? found.get(r.external_id))!]),
    );
  }

  async conversationsByThread(
    tx: Db,
    keys: Array<{ channel_id: string; thread_key: string }>,
  ): Promise<ConversationRow[]> {
    if (keys.length === 0) return [];
    return this.database.rows<ConversationRow>(
      sql`
      SELECT c.id, c.channel_id, c.thread_key, c.person_id, c.status
      FROM json_to_recordset(${json(keys)}::json) AS k(channel_id uuid, thread_key text)
      JOIN conversations c ON c.channel_id = k.channel_id AND c.thread_key = k.thread_key`,
      tx,
    );
  }

  async conversationsByIds(tx: Db, ids: string[]): Promise<ConversationRow[]> {
    if (ids.length === 0) return [];
    return this.database.rows<ConversationRow>(
      sql`
      SELECT id, channel_id, thread_key, person_id, status FROM conversations
      WHERE id IN (SELECT value::uuid FROM json_array_elements_text(${json(ids)}::json))`,
      tx,
    );
  }

  /** Inserts conversations; returns the ids of those actually inserted (others lost a race). */
  async insertConversations(tx: Db, rows: NewConversation[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const inserted = await this.database.rows<{ id: string }>(
      sql`
      INSERT INTO conversations (id, channel_id, thread_key, person_id, visibility, created_at, updated_at,
        subject, status, resolved_at)
      SELECT id, channel_id, thread_key, person_id, visibility, created_at, now(), subject, status,
        CASE WHEN status = 'resolved' THEN now() END
      FROM json_to_recordset(${json(rows)}::json) AS r(id uuid, channel_id uuid, thread_key text,
        person_id uuid, visibility text, created_at timestamptz, subject text, status text)
      ON CONFLICT (channel_id, thread_key) DO NOTHING
      RETURNING id`,
      tx,
    );
    return new Set(inserted.map((r) => r.id));
  }

  async setConversationPeople(tx: Db, rows: Array<{ id: string; person_id: string }>): Promise<void> {
    if (rows.length === 0) return;
    await tx.execute(sql`
      UPDATE conversations c SET person_id = r.person_id
      FROM json_to_recordset(${json(rows)}::json) AS r(id uuid, person_id uuid)
      WHERE c.id = r.id AND c.person_id IS NULL`);
  }

  /** Moves every message of `fromId` into `intoId` and removes `fromId` (a thread found its root). */
  async mergeConversation(tx: Db, fromId: string, intoId: string): Promise<void> {
    await tx.execute(sql`UPDATE messages SET conversation_id = ${intoId} WHERE conversation_id = ${fromId}`);
    await tx.execute(sql`
      INSERT INTO conversation_labels (conversation_id, label_id)
      SELECT ${intoId}, label_id FROM conversation_labels WHERE conversation_id = ${fromId}
      ON CONFLICT DO NOTHING`);
    await tx.execute(sql`
      UPDATE conversations c SET person_id = f.person_id FROM conversations f
      WHERE c.id = ${intoId} AND f.id = ${fromId} AND c.person_id IS NULL`);
    await tx.execute(sql`DELETE FROM conversation_labels WHERE conversation_id = ${fromId}`);
    await tx.execute(sql`DELETE FROM conversations WHERE id = ${fromId}`);
  }

  /** How many inbound messages each conversation already holds (for "repeated contact"). */
  async inboundCounts(tx: Db, conversationIds: string[]): Promise<Map<string, number>> {
    if (conversationIds.length === 0) return new Map();
    const rows = await this.database.rows<{ conversation_id: string; n: string | number }>(
      sql`
      SELECT conversation_id, count(*) AS n FROM messages
      WHERE direction = 'in'
        AND conversation_id IN (SELECT value::uuid FROM json_array_elements_text(${json(conversationIds)}::json))
      GROUP BY conversation_id`,
      tx,
    );
    return new Map(rows.map((r) => [r.conversation_id, Number(r.n)]));
  }

  /** Inserts messages, skipping any (channel, external id) stored meanwhile; returns the inserted ids. */
  async insertMessages(tx: Db, rows: NewMessage[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    if (this.database.engine === "postgres" && rows.length >= COPY_MIN_ROWS) {
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
      if (chunks && (await this.copyUnlessDuplicate(tx, "messages", MESSAGE_COLUMNS, chunks)))
        return new Set(rows.map((r) => r.id));
    }
    const inserted = await this.database.rows<{ id: string }>(
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
  private async copyUnlessDuplicate(
    tx: Db,
    table: string,
    columns: readonly string[],
    chunks: string[],
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

  /** Stores messages' attachments (content as base64 in, bytea in the table). */
  async insertAttachments(
    tx: Db,
    rows: Array<{
      message_id: string;
      position: number;
      filename: string;
      content_type: string;
      size: number;
      content: string | null;
    }>,
  ): Promise<void> {
    if (rows.length === 0) return;
    await tx.execute(sql`
      INSERT INTO attachments (message_id, position, filename, content_type, size, content)
      SELECT message_id, position, filename, content_type, size, decode(content, 'base64')
      FROM json_to_recordset(${json(rows)}::json) AS r(message_id uuid, position integer, filename text,
        content_type text, size integer, content text)
      ON CONFLICT (message_id, position) DO NOTHING`);
  }

  /**
   * Recomputes and writes the conversations' timeline figures (see timeline.repository.ts). `reopen` lists
   * conversations that just received an inbound message: resolved or waiting ones go back to open.
   */
  async refreshConversations(tx: Db, ids: string[], reopen: string[]): Promise<void> {
    await timelineRepository(tx).refresh(ids, reopen);
  }

  /** Which of these conversations a new inbound message will reopen (resolved or waiting), with their status. */
  async reopenable(tx: Db, ids: string[]): Promise<Array<{ id: string; status: string }>> {
    if (ids.length === 0) return [];
    return this.database.rows<{ id: string; status: string }>(
      sql`
      SELECT id, status FROM conversations WHERE status IN ('resolved', 'waiting')
        AND id IN (SELECT value::uuid FROM json_array_elements_text(${json(ids)}::json))`,
      tx,
    );
  }

  /** Audit trail for conversations a person's new message reopened. */
  async recordReopened(tx: Db, rows: Array<{ id: string; status: string }>): Promise<void> {
    if (rows.length === 0) return;
    await tx.execute(sql`
      INSERT INTO audit_events (actor_kind, action, subject_type, subject_id, data)
      SELECT 'system', 'conversation.reopened', 'conversation', id,
        json_build_object('from', status, 'to', 'open', 'reason', 'new message from the person')
      FROM json_to_recordset(${json(rows)}::json) AS r(id text, status text)`);
  }

  /** Records a committed batch's pending derivation (see IngestService); returns its id. */
  async recordPendingDerivation(
    tx: Db,
    row: { conversationIds: string[]; created: string[]; reopen: string[] },
  ): Promise<number> {
    const [inserted] = await this.database.rows<{ id: string | number }>(
      sql`
      INSERT INTO pending_derivations (conversation_ids, created, reopen)
      VALUES (${json(row.conversationIds)}::jsonb, ${json(row.created)}::jsonb, ${json(row.reopen)}::jsonb)
      RETURNING id`,
      tx,
    );
    return Number(inserted!.id);
  }

  /** Takes a pending derivation (deleting its row, so it runs once); undefined if already taken. */
  async claimPendingDerivation(
    tx: Db,
    id: number,
  ): Promise<{ conversationIds: string[]; created: string[]; reopen: string[] } | undefined> {
    const [row] = await this.database.rows<{
      conversation_ids: string[];
      created: string[];
      reopen: string[];
    }>(sql`DELETE FROM pending_derivations WHERE id = ${id} RETURNING conversation_ids, created, reopen`, tx);
    return row && { conversationIds: row.conversation_ids, created: row.created, reopen: row.reopen };
  }

  /** Pending derivations' ids, oldest first. */
  async pendingDerivations(): Promise<number[]> {
    const rows = await this.database.rows<{ id: string | number }>(
      sql`SELECT id FROM pending_derivations ORDER BY id`,
    );
    return rows.map((r) => Number(r.id));
  }

  /** A replayed dead letter failed again: count the attempt and keep the newest reason. */
  async recordRetries(tx: Db, rows: Array<{ id: number; reason: string }>): Promise<void> {
    if (rows.length === 0) return;
    await tx.execute(sql`
      UPDATE dead_letters d SET attempts = d.attempts + 1, reason = r.reason, last_attempt_at = now()
      FROM json_to_recordset(${json(rows)}::json) AS r(id bigint, reason text)
      WHERE d.id = r.id`);
  }

  async resolveDeadLetters(tx: Db, rawEventIds: number[]): Promise<void> {
    if (rawEventIds.length === 0) return;
    await tx.execute(sql`
      UPDATE dead_letters SET resolved_at = now(), last_attempt_at = now()
      WHERE resolved_at IS NULL
        AND raw_event_id IN (SELECT value::bigint FROM json_array_elements_text(${json(rawEventIds)}::json))`);
  }
}
