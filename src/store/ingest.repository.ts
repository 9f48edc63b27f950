/**
 * Bulk SQL for the ingest pipeline. Rows travel as one JSON parameter expanded with json_to_recordset,
 * which is fast on both engines and keeps the parameter count at one whatever the batch size. This class
 * is the pipeline's one entry point: channels, identities, agents and conversations are here; raw events,
 * dead letters and pending derivations in ingest.journal.ts; messages and attachments (with COPY) in
 * ingest.messages.ts; the row types in ingest.rows.ts.
 */
import { sql } from "drizzle-orm";
import type { Database, Db } from "./db.ts";
import * as journal from "./ingest.journal.ts";
import * as messages from "./ingest.messages.ts";
import type {
  ChannelRow,
  ChannelSpec,
  ConversationRow,
  IdentityRow,
  IdentityUpsert,
  NewAttachment,
  NewConversation,
  NewMessage,
  RawEventRow,
} from "./ingest.rows.ts";
import { timelineRepository } from "./timeline.repository.ts";

// The row types are part of this repository's API (the ingest services import them from here).
export type * from "./ingest.rows.ts";

const json = (value: unknown) => JSON.stringify(value);

export class IngestRepository {
  constructor(private readonly database: Database) {}

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

  // ── raw events, dead letters, pending derivations (ingest.journal.ts) ──────────────────────────────
  /** Stores raw payloads and returns their ids in input order. Runs outside any transaction on purpose. */
  insertRawEvents(rows: RawEventRow[]): Promise<number[]> {
    return journal.insertRawEvents(this.database, rows);
  }

  loadRawEvents(ids: number[]): Promise<Array<RawEventRow & { id: number }>> {
    return journal.loadRawEvents(this.database, ids);
  }

  claimStalePendingRawEvents(options: {
    afterId: number;
    olderThanMs: number;
    limit: number;
  }): Promise<Array<RawEventRow & { id: number }>> {
    return journal.claimStalePendingRawEvents(this.database, options);
  }

  markRawEvents(tx: Db, ids: number[], status: "processed" | "dead"): Promise<void> {
    return journal.markRawEvents(tx, ids, status);
  }

  insertDeadLetters(
    tx: Db,
    rows: Array<{ raw_event_id: number; source: string; reason: string; detail: unknown }>,
  ): Promise<number[]> {
    return journal.insertDeadLetters(this.database, tx, rows);
  }

  /** Records a committed batch's pending derivation (see IngestService); returns its id. */
  recordPendingDerivation(
    tx: Db,
    row: { conversationIds: string[]; created: string[]; reopen: string[] },
  ): Promise<number> {
    return journal.recordPendingDerivation(this.database, tx, row);
  }

  /** Takes a pending derivation (deleting its row, so it runs once); undefined if already taken. */
  claimPendingDerivation(
    tx: Db,
    id: number,
  ): Promise<{ conversationIds: string[]; created: string[]; reopen: string[] } | undefined> {
    return journal.claimPendingDerivation(this.database, tx, id);
  }

  /** Pending derivations' ids, oldest first. */
  pendingDerivations(): Promise<number[]> {
    return journal.pendingDerivations(this.database);
  }

  /** A replayed dead letter failed again: count the attempt and keep the newest reason. */
  recordRetries(tx: Db, rows: Array<{ id: number; reason: string }>): Promise<void> {
    return journal.recordRetries(tx, rows);
  }

  resolveDeadLetters(tx: Db, rawEventIds: number[]): Promise<void> {
    return journal.resolveDeadLetters(tx, rawEventIds);
  }

  // ── messages and attachments (ingest.messages.ts) ──────────────────────────────────────────────────
  /** Which of these (channel, external id) pairs are stored already, with their message ids. */
  existingMessages(
    tx: Db,
    keys: Array<{ channel_id: string; external_id: string }>,
  ): Promise<Array<{ channel_id: string; external_id: string; id: string; conversation_id: string }>> {
    return messages.existingMessages(this.database, tx, keys);
  }

  /** How many inbound messages each conversation already holds (for "repeated contact"). */
  inboundCounts(tx: Db, conversationIds: string[]): Promise<Map<string, number>> {
    return messages.inboundCounts(this.database, tx, conversationIds);
  }

  /** Inserts messages, skipping any (channel, external id) stored meanwhile; returns the inserted ids. */
  insertMessages(tx: Db, rows: NewMessage[]): Promise<Set<string>> {
    return messages.insertMessages(this.database, tx, rows);
  }

  /**
   * Stores messages' attachments (content as base64 in, bytea in the table) and queues the download of
   * files the platform keeps; returns how many messages wait for one.
   */
  insertAttachments(tx: Db, rows: NewAttachment[]): Promise<number> {
    return messages.insertAttachments(tx, rows);
  }
}
