/** Read queries for the inbox: conversation lists with filters, and one conversation with its messages. */
import { and, asc, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { conversationSlaState, type SlaState } from "../core/sla.ts";
import type { Db } from "./db.ts";
import { agents, channels, conversations, identities, messages, people, teams } from "./schema.ts";
import {
  afterPosition,
  isoMicros,
  isoMillis,
  isoMillisRequired,
  type KeysetPosition,
} from "./sql.helpers.ts";

export type ConversationStatus = (typeof conversations.$inferSelect)["status"];

export interface ConversationFilters {
  status?: ConversationStatus[];
  /** Channel key. */
  channel?: string;
  /** An agent id, or "none" for unassigned conversations. */
  assignee?: string | "none";
  /** Label name. */
  label?: string;
  /** Full-text search over message text (websearch syntax). */
  q?: string;
  limit: number;
  after?: KeysetPosition;
}

const PREVIEW_LENGTH = 140;

/** The columns of a conversation as the API lists it. */
export function summaryColumns() {
  return {
    id: conversations.id,
    channel: { id: channels.id, key: channels.key, kind: channels.kind, name: channels.name },
    person: { id: people.id, displayName: people.displayName },
    status: conversations.status,
    visibility: conversations.visibility,
    subject: conversations.subject,
    assignee: { id: agents.id, name: agents.name },
    team: { id: teams.id, name: teams.name },
    labels: sql<
      string[]
    >`COALESCE((SELECT array_agg(l.name ORDER BY l.name) FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id WHERE cl.conversation_id = ${conversations.id}), '{}'::text[])`,
    messageCount: conversations.messageCount,
    firstInboundAt: isoMillis(conversations.firstInboundAt),
    lastMessageAt: isoMillis(conversations.lastMessageAt),
    awaitingReply: conversations.awaitingReply,
    preview: sql<
      string | null
    >`(SELECT left(m.text, ${PREVIEW_LENGTH}) FROM messages m WHERE m.conversation_id = ${conversations.id} AND m.visibility <> 'note' ORDER BY m.created_at DESC, m.id DESC LIMIT 1)`,
    lastSentiment: sql<
      "positive" | "neutral" | "negative" | null
    >`(SELECT m.sentiment_label FROM messages m WHERE m.conversation_id = ${conversations.id} AND m.direction = 'in' ORDER BY m.created_at DESC, m.id DESC LIMIT 1)`,
    cursorAt: isoMicros(conversations.lastMessageAt),
    slaColumns: {
      policyId: conversations.slaPolicyId,
      dueAt: conversations.slaDueAt,
      firstResponseDueAt: conversations.firstResponseDueAt,
      nextResponseDueAt: conversations.nextResponseDueAt,
      resolutionDueAt: conversations.resolutionDueAt,
      pausedAt: conversations.slaPausedAt,
      resolvedAt: conversations.resolvedAt,
      waitingSince: conversations.waitingSince,
      firstInboundAt: conversations.firstInboundAt,
    },
  };
}

/** A conversation's SLA clocks as the API shows them. */
export interface ConversationSla {
  policyId: string | null;
  dueAt: string | null;
  firstResponseDueAt: string | null;
  nextResponseDueAt: string | null;
  resolutionDueAt: string | null;
  state: SlaState | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function present(row: SummaryRow, now: Date): ConversationSummary {
  const { cursorAt: _, slaColumns: c, ...item } = row;
  const sla: ConversationSla = {
    policyId: c.policyId,
    dueAt: iso(c.dueAt),
    firstResponseDueAt: iso(c.firstResponseDueAt),
    nextResponseDueAt: iso(c.nextResponseDueAt),
    resolutionDueAt: iso(c.resolutionDueAt),
    state: conversationSlaState(
      {
        status: row.status,
        firstInboundAt: c.firstInboundAt,
        waitingSince: c.waitingSince,
        firstResponseDueAt: c.firstResponseDueAt,
        resolutionDueAt: c.resolutionDueAt,
        slaDueAt: c.dueAt,
        slaPausedAt: c.pausedAt,
        resolvedAt: c.resolvedAt,
      },
      now,
    ),
  };
  return { ...item, sla };
}

function baseQuery(db: Db) {
  return db
    .select(summaryColumns())
    .from(conversations)
    .innerJoin(channels, eq(channels.id, conversations.channelId))
    .leftJoin(people, eq(people.id, conversations.personId))
    .leftJoin(agents, eq(agents.id, conversations.assigneeAgentId))
    .leftJoin(teams, eq(teams.id, conversations.assigneeTeamId));
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof baseQuery>["execute"]>>[number];
export type ConversationSummary = Omit<SummaryRow, "cursorAt" | "slaColumns"> & { sla: ConversationSla };

/** `now` decides SLA states (near, breached); injectable for tests. */
export function conversationRepository(db: Db, now: () => Date = () => new Date()) {
  return {
    /** One page in the order `last_message_at DESC NULLS LAST, id DESC`, and the position after it. */
    async list(
      filters: ConversationFilters,
    ): Promise<{ items: ConversationSummary[]; next: KeysetPosition | null }> {
      const where: SQL[] = [];
      if (filters.status?.length) where.push(inArray(conversations.status, filters.status));
      if (filters.channel) where.push(eq(channels.key, filters.channel));
      if (filters.assignee === "none") where.push(isNull(conversations.assigneeAgentId));
      else if (filters.assignee) where.push(eq(conversations.assigneeAgentId, filters.assignee));
      if (filters.label) {
        where.push(
          sql`EXISTS (SELECT 1 FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id WHERE cl.conversation_id = ${conversations.id} AND l.name = ${filters.label})`,
        );
      }
      if (filters.q) {
        where.push(
          sql`EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = ${conversations.id} AND to_tsvector('simple', m.text) @@ websearch_to_tsquery('simple', ${filters.q}))`,
        );
      }
      if (filters.after)
        where.push(afterPosition(conversations.lastMessageAt, conversations.id, filters.after));
      const rows = await baseQuery(db)
        .where(and(...where))
        .orderBy(sql`${conversations.lastMessageAt} DESC NULLS LAST`, desc(conversations.id))
        .limit(filters.limit + 1);
      const page = rows.slice(0, filters.limit);
      const last = page[page.length - 1];
      const next = rows.length > filters.limit && last ? { at: last.cursorAt, id: last.id } : null;
      const at = now();
      return { items: page.map((row) => present(row, at)), next };
    },

    async findSummary(id: string): Promise<ConversationSummary | undefined> {
      const [row] = await baseQuery(db).where(eq(conversations.id, id)).limit(1);
      return row ? present(row, now()) : undefined;
    },

    /** Several conversations at once (webhook snapshots), in no particular order. */
    async findSummaries(ids: string[]): Promise<ConversationSummary[]> {
      if (ids.length === 0) return [];
      const rows = await baseQuery(db).where(inArray(conversations.id, ids));
      const at = now();
      return rows.map((row) => present(row, at));
    },

    /** Several messages at once, in messagesOf's shape (webhook snapshots). */
    async messagesByIds(ids: string[]) {
      if (ids.length === 0) return [];
      return selectMessages(db, inArray(messages.id, ids));
    },

    /** Every message of a conversation, oldest first, with its author and analysis. */
    async messagesOf(conversationId: string) {
      return selectMessages(db, eq(messages.conversationId, conversationId));
    },
    /** One message in the same shape as messagesOf's items. */
    async message(id: string) {
      const [row] = await selectMessages(db, eq(messages.id, id));
      return row;
    },
  };
}

function selectMessages(db: Db, where: SQL) {
  return db
    .select({
      id: messages.id,
      conversationId: messages.conversationId,
      externalId: messages.externalId,
      inReplyToExternalId: messages.inReplyToExternalId,
      direction: messages.direction,
      visibility: messages.visibility,
      text: messages.text,
      html: messages.html,
      automated: messages.automated,
      createdAt: isoMillisRequired(messages.createdAt),
      receivedAt: isoMillisRequired(messages.receivedAt),
      deliveryStatus: messages.deliveryStatus,
      deliveryError: messages.deliveryError,
      editedAt: isoMillis(messages.editedAt),
      originalText: messages.originalText,
      deletedAt: isoMillis(messages.deletedAt),
      authorIdentity: {
        id: identities.id,
        platform: identities.platform,
        externalId: identities.externalId,
        handle: identities.handle,
        displayName: identities.displayName,
        profileUrl: identities.profileUrl,
      },
      authorAgent: { id: agents.id, name: agents.name },
      sentimentScore: messages.sentimentScore,
      sentimentLabel: messages.sentimentLabel,
      intent: messages.intent,
      urgency: messages.urgency,
      spamScore: messages.spamScore,
      spamLabel: messages.spamLabel,
      language: messages.language,
      analysis: messages.analysis,
      analyzerVersion: messages.analyzerVersion,
      guardFindings: messages.guardFindings,
      mentions: messages.mentions,
    })
    .from(messages)
    .leftJoin(identities, eq(identities.id, messages.authorIdentityId))
    .leftJoin(agents, eq(agents.id, messages.authorAgentId))
    .where(where)
    .orderBy(asc(messages.createdAt), asc(messages.id));
}

export type ConversationRepository = ReturnType<typeof conversationRepository>;
export type MessageDetail = Awaited<ReturnType<ConversationRepository["messagesOf"]>>[number];
