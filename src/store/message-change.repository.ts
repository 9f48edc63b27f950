/**
 * Edits and deletions of messages, as the platforms report them (`message_changes`), and applying them
 * to the stored messages. Bulk SQL over one JSON parameter, like the ingest repository.
 */
import { sql } from "drizzle-orm";
import type { Database, Db } from "./db.ts";

const json = (value: unknown) => JSON.stringify(value);

export interface NewChange {
  channel_id: string;
  external_id: string;
  kind: "edit" | "delete";
  text: string | null;
  html: string | null;
  changed_at: string;
  raw_event_id: number | null;
}

/** A change waiting for its message, with the message as it is now. */
export interface PendingChange {
  id: number;
  channel_id: string;
  external_id: string;
  kind: "edit" | "delete";
  text: string | null;
  html: string | null;
  changed_at: string;
  message_id: string;
  conversation_id: string;
  direction: "in" | "out";
  message_edited_at: string | null;
  message_deleted_at: string | null;
}

export interface MessageEdit {
  id: string;
  text: string;
  html: string | null;
  edited_at: string;
}

export class MessageChangeRepository {
  constructor(private readonly database: Database) {}

  /**
   * Records changes; a change reported twice (same message, kind and time) is stored once. Returns, in
   * input order, whether each row was new.
   */
  async insert(tx: Db, rows: NewChange[]): Promise<boolean[]> {
    if (rows.length === 0) return [];
    const numbered = rows.map((row, i) => ({ ...row, n: i }));
    const inserted = await this.database.rows<{ n: number }>(
      sql`
      WITH input AS (
        SELECT * FROM json_to_recordset(${json(numbered)}::json) AS r(n int, channel_id uuid, external_id text,
          kind text, text text, html text, changed_at timestamptz, raw_event_id bigint)),
      ins AS (
        INSERT INTO message_changes (channel_id, external_id, kind, text, html, changed_at, raw_event_id)
        SELECT DISTINCT ON (channel_id, external_id, kind, changed_at)
          channel_id, external_id, kind, text, html, changed_at, raw_event_id
        FROM input ORDER BY channel_id, external_id, kind, changed_at, n
        ON CONFLICT (channel_id, external_id, kind, changed_at) DO NOTHING
        RETURNING channel_id, external_id, kind, changed_at)
      SELECT min(i.n) AS n FROM ins JOIN input i USING (channel_id, external_id, kind, changed_at)
      GROUP BY ins.channel_id, ins.external_id, ins.kind, ins.changed_at`,
      tx,
    );
    const fresh = new Set(inserted.map((r) => Number(r.n)));
    return rows.map((_, i) => fresh.has(i));
  }

  /**
   * Takes the not-yet-applied changes of these messages (those whose message is stored) and marks them
   * applied, in one statement so two writers never apply the same change.
   */
  async takePending(
    tx: Db,
    keys: Array<{ channel_id: string; external_id: string }>,
  ): Promise<PendingChange[]> {
    if (keys.length === 0) return [];
    return this.database.rows<PendingChange>(
      sql`
      WITH k AS (
        SELECT DISTINCT channel_id, external_id
        FROM json_to_recordset(${json(keys)}::json) AS k(channel_id uuid, external_id text)),
      taken AS (
        UPDATE message_changes c SET applied_at = now()
        FROM k, messages m
        WHERE c.applied_at IS NULL AND c.channel_id = k.channel_id AND c.external_id = k.external_id
          AND m.channel_id = c.channel_id AND m.external_id = c.external_id
        RETURNING c.id, c.channel_id, c.external_id, c.kind, c.text, c.html, c.changed_at, m.id AS message_id, m.conversation_id,
          m.direction, m.edited_at AS message_edited_at, m.deleted_at AS message_deleted_at)
      SELECT * FROM taken ORDER BY changed_at, id`,
      tx,
    );
  }

  /**
   * Replaces messages' text with their edited text, keeping the first text in `original_text`. Agents'
   * corrections of the old text's analysis go (the analyzer reads the new text; the
   * correction's audit events remain): docs/corrections.md.
   */
  async applyEdits(tx: Db, edits: MessageEdit[]): Promise<void> {
    if (edits.length === 0) return;
    await tx.execute(sql`
      DELETE FROM analysis_corrections
      WHERE message_id IN (SELECT (value->>'id')::uuid FROM json_array_elements(${json(edits)}::json))`);
    await tx.execute(sql`
      UPDATE messages m SET original_text = COALESCE(m.original_text, m.text), text = e.text, html = e.html,
        edited_at = e.edited_at
      FROM json_to_recordset(${json(edits)}::json) AS e(id uuid, text text, html text, edited_at timestamptz)
      WHERE m.id = e.id AND (m.edited_at IS NULL OR m.edited_at < e.edited_at)`);
  }

  async applyDeletes(tx: Db, deletes: Array<{ id: string; deleted_at: string }>): Promise<void> {
    if (deletes.length === 0) return;
    await tx.execute(sql`
      UPDATE messages m SET deleted_at = d.deleted_at
      FROM json_to_recordset(${json(deletes)}::json) AS d(id uuid, deleted_at timestamptz)
      WHERE m.id = d.id AND m.deleted_at IS NULL`);
  }

  /** A message's edits, oldest first (for its history). */
  async editsOf(messageId: string): Promise<Array<{ text: string | null; changed_at: string }>> {
    return this.database.rows(sql`
      SELECT c.text, c.changed_at FROM message_changes c
      JOIN messages m ON m.channel_id = c.channel_id AND m.external_id = c.external_id
      WHERE m.id = ${messageId} AND c.kind = 'edit' AND c.applied_at IS NOT NULL
      ORDER BY c.changed_at`);
  }

  async markIgnored(tx: Db, rows: Array<{ id: number; note: string }>): Promise<void> {
    if (rows.length === 0) return;
    await tx.execute(sql`
      UPDATE raw_events r SET status = 'ignored', note = i.note
      FROM json_to_recordset(${json(rows)}::json) AS i(id bigint, note text)
      WHERE r.id = i.id`);
  }
}
