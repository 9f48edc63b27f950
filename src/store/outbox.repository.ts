/**
 * The rows replying needs: the conversation with its person and channel, our outbound messages and
 * their delivery, notes, and the recent replies the guard compares against.
 */
import { sql } from "drizzle-orm";
import type { Db } from "./db.ts";

export interface ReplyTarget {
  id: string;
  channel_id: string;
  channel_kind: string;
  visibility: "public" | "private";
  person_id: string | null;
  person_name: string | null;
  handles: string[];
  /** The newest inbound message's platform id: what the reply answers. */
  reply_to: string | null;
}

export interface SendContext {
  message_id: string;
  text: string;
  created_at: Date | string;
  visibility: "public" | "private" | "note";
  direction: "in" | "out";
  delivery_status: "pending" | "sent" | "failed" | null;
  in_reply_to_external_id: string | null;
  author_name: string | null;
  conversation_id: string;
  thread_key: string;
  conversation_visibility: "public" | "private";
  subject: string | null;
  channel_id: string;
  channel_key: string;
  channel_kind: string;
  channel_platform: string;
  channel_name: string;
  channel_config: unknown;
  channel_secrets: string | null;
  thread_external_ids: string[] | null;
  recipient_external_id: string | null;
  recipient_handle: string | null;
  recipient_display_name: string | null;
}

export interface NewOutbound {
  conversationId: string;
  channelId: string;
  externalId: string;
  inReplyToExternalId: string | null;
  visibility: "public" | "private" | "note";
  text: string;
  authorAgentId: string;
  deliveryStatus: "pending" | null;
  guardFindings: unknown;
  mentions: unknown;
  createdAt: Date;
}

const json = (value: unknown) => JSON.stringify(value);

export function outboxRepository(db: Db) {
  const rows = async <T>(query: ReturnType<typeof sql>): Promise<T[]> =>
    ((await db.execute(query)) as unknown as { rows: T[] }).rows;
  return {
    /** The conversation a reply goes to, with what the guard and the connector need. `lock`: FOR UPDATE. */
    async target(conversationId: string, lock = false): Promise<ReplyTarget | undefined> {
      const [row] = await rows<ReplyTarget>(sql`
        SELECT c.id, c.channel_id, ch.kind AS channel_kind, c.visibility, c.person_id,
          p.display_name AS person_name,
          COALESCE((SELECT array_agg(i.handle) FROM identities i
            WHERE i.person_id = c.person_id AND i.handle IS NOT NULL), '{}'::text[]) AS handles,
          (SELECT m.external_id FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in'
            ORDER BY m.created_at DESC, m.id DESC LIMIT 1) AS reply_to
        FROM conversations c
        JOIN channels ch ON ch.id = c.channel_id
        LEFT JOIN people p ON p.id = c.person_id
        WHERE c.id = ${conversationId}
        ${lock ? sql`FOR UPDATE OF c` : sql``}`);
      return row;
    },

    /**
     * Replies written by agents since `since`, with their author's signature so it can be taken off,
     * and who received them (for the guard's duplicate rule).
     */
    async recentReplies(since: Date, prefix: string, limit = 2000) {
      // Only texts that begin like the draft (lower case, spaces collapsed) can be its duplicates.
      return rows<{ text: string; person_id: string | null; signature: string | null }>(sql`
        SELECT m.text, c.person_id, a.signature
        FROM messages m
        JOIN conversations c ON c.id = m.conversation_id
        JOIN agents a ON a.id = m.author_agent_id
        WHERE m.created_at >= ${since.toISOString()}::timestamptz AND m.direction = 'out'
          AND m.visibility <> 'note'
          AND starts_with(lower(regexp_replace(btrim(left(m.text, 400)), '\\s+', ' ', 'g')), ${prefix})
        ORDER BY m.created_at DESC LIMIT ${limit}`);
    },

    async insert(message: NewOutbound): Promise<string> {
      const [row] = await rows<{ id: string }>(sql`
        INSERT INTO messages (conversation_id, channel_id, external_id, in_reply_to_external_id, direction,
          visibility, text, author_agent_id, delivery_status, guard_findings, mentions, created_at)
        VALUES (${message.conversationId}, ${message.channelId}, ${message.externalId},
          ${message.inReplyToExternalId}, 'out', ${message.visibility}, ${message.text},
          ${message.authorAgentId}, ${message.deliveryStatus},
          ${message.guardFindings === null ? null : json(message.guardFindings)}::jsonb,
          ${message.mentions === null ? null : json(message.mentions)}::jsonb,
          ${message.createdAt.toISOString()}::timestamptz)
        RETURNING id`);
      return row!.id;
    },

    /** Everything a connector needs to send one message. */
    async sendContext(messageId: string): Promise<SendContext | undefined> {
      const [row] = await rows<SendContext>(sql`
        SELECT m.id AS message_id, m.text, m.visibility, m.direction, m.delivery_status, m.created_at,
          m.in_reply_to_external_id, a.name AS author_name,
          c.id AS conversation_id, c.thread_key, c.visibility AS conversation_visibility, c.subject,
          ch.id AS channel_id, ch.key AS channel_key, ch.kind AS channel_kind,
          ch.platform AS channel_platform, ch.name AS channel_name, ch.config AS channel_config,
          ch.secrets AS channel_secrets,
          (SELECT array_agg(t.external_id ORDER BY t.created_at, t.id) FROM messages t
            WHERE t.conversation_id = c.id AND t.id <> m.id AND t.visibility <> 'note'
              AND (t.direction = 'in' OR t.delivery_status = 'sent')) AS thread_external_ids,
          i.external_id AS recipient_external_id, i.handle AS recipient_handle,
          i.display_name AS recipient_display_name
        FROM messages m
        JOIN conversations c ON c.id = m.conversation_id
        JOIN channels ch ON ch.id = m.channel_id
        LEFT JOIN agents a ON a.id = m.author_agent_id
        LEFT JOIN LATERAL (
          SELECT i.external_id, i.handle, i.display_name FROM messages im
          JOIN identities i ON i.id = im.author_identity_id
          WHERE im.conversation_id = c.id AND im.direction = 'in'
          ORDER BY im.created_at DESC LIMIT 1) i ON true
        WHERE m.id = ${messageId}`);
      return row;
    },

    /** Marks a message sent and records the platform's id (kept as is if another row already has it). */
    async markSent(messageId: string, externalId: string): Promise<void> {
      await db.execute(sql`
        UPDATE messages m SET delivery_status = 'sent', delivery_error = NULL,
          external_id = CASE WHEN EXISTS (SELECT 1 FROM messages o WHERE o.channel_id = m.channel_id
            AND o.external_id = ${externalId} AND o.id <> m.id) THEN m.external_id ELSE ${externalId} END
        WHERE m.id = ${messageId}`);
    },

    async markFailed(messageId: string, error: string): Promise<void> {
      await db.execute(sql`
        UPDATE messages SET delivery_status = 'failed', delivery_error = ${error}
        WHERE id = ${messageId} AND delivery_status <> 'sent'`);
    },

    /** Failed → pending again, for a retry. Returns the conversation id, or undefined if not failed. */
    async markPendingIfFailed(messageId: string): Promise<string | undefined> {
      const [row] = await rows<{ conversation_id: string }>(sql`
        UPDATE messages SET delivery_status = 'pending', delivery_error = NULL
        WHERE id = ${messageId} AND direction = 'out' AND delivery_status = 'failed'
        RETURNING conversation_id`);
      return row?.conversation_id;
    },

    async deliveryOf(messageId: string) {
      const [row] = await rows<{
        direction: string;
        delivery_status: string | null;
        conversation_id: string;
      }>(sql`SELECT direction, delivery_status, conversation_id FROM messages WHERE id = ${messageId}`);
      return row;
    },

    /** An audit event about a conversation. */
    async audit(
      kind: "agent" | "token" | "system",
      actorId: string | null,
      action: string,
      conversationId: string,
      data: unknown,
    ): Promise<void> {
      await db.execute(sql`
        INSERT INTO audit_events (actor_kind, actor_id, action, subject_type, subject_id, data)
        VALUES (${kind}, ${actorId}, ${action}, 'conversation', ${conversationId}, ${json(data)}::jsonb)`);
    },

    /** Agents who can sign in, for resolving @mentions in notes. */
    async mentionableAgents() {
      return rows<{ id: string; name: string }>(
        sql`SELECT id, name FROM agents WHERE email IS NOT NULL ORDER BY length(name) DESC, name`,
      );
    },
  };
}
