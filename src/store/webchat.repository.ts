/**
 * The website chat's reads and writes: visitors (left email, live connection), a visitor's conversation
 * and what the widget may show of it, the agents on duty, and how fast this channel's first replies
 * really are.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { webchatVisitors } from "./schema.ts";
import { isoMillisRequired } from "./sql.helpers.ts";

export interface WebchatVisitor {
  email: string | null;
  name: string | null;
  pageUrl: string | null;
  /** Some server process holds a live socket of theirs (its lease has not run out). */
  connected: boolean;
}

/** A message as the widget shows it: the visitor's own, and our replies once sent (never notes). */
export interface WidgetMessage {
  id: string;
  conversationId: string;
  externalId: string;
  direction: "in" | "out";
  text: string;
  createdAt: string;
  /** The agent who wrote a reply (their real name and photo); null for the visitor's own messages. */
  agent: { name: string; avatarUrl: string | null } | null;
}

export interface DutyAgent {
  name: string;
  avatarUrl: string | null;
}

const HISTORY_LIMIT = 200;

function widgetMessageQuery(where: ReturnType<typeof sql>, limit: number) {
  // Our replies appear once sent; notes and outbound messages still pending or failed never do.
  return sql`
    SELECT * FROM (
      SELECT m.id, m.conversation_id AS "conversationId", m.external_id AS "externalId", m.direction, m.text,
        ${isoMillisRequired(sql`m.created_at`)} AS "createdAt", m.created_at AS at,
        CASE WHEN a.id IS NULL THEN NULL ELSE json_build_object('name', a.name, 'avatarUrl', a.avatar_url) END AS agent
      FROM messages m LEFT JOIN agents a ON a.id = m.author_agent_id
      WHERE ${where} AND m.visibility <> 'note'
        AND (m.direction = 'in' OR m.delivery_status = 'sent' OR m.delivery_status IS NULL)
      ORDER BY m.created_at DESC, m.id DESC
      LIMIT ${limit}) recent
    ORDER BY at, id`;
}

type Row = WidgetMessage & { at?: unknown };
const strip = ({ at: _, ...m }: Row): WidgetMessage => m;

export function webchatRepository(db: Db) {
  const rows = async <T>(query: ReturnType<typeof sql>): Promise<T[]> =>
    ((await db.execute(query)) as unknown as { rows: T[] }).rows;

  return {
    /**
     * Records a visitor who writes (the first time, or again) with the page they write from and their
     * connection lease. Visitors who only look are never stored.
     */
    async touch(
      channelId: string,
      visitorId: string,
      pageUrl: string | null,
      connectedUntil: Date,
    ): Promise<void> {
      await db
        .insert(webchatVisitors)
        .values({ channelId, visitorId, pageUrl, connectedUntil })
        .onConflictDoUpdate({
          target: [webchatVisitors.channelId, webchatVisitors.visitorId],
          set: { lastSeenAt: sql`now()`, connectedUntil, ...(pageUrl ? { pageUrl } : {}) },
        });
    },

    async setContact(
      channelId: string,
      visitorId: string,
      contact: { email: string; name: string | null },
      connectedUntil: Date,
    ): Promise<void> {
      const { email, name } = contact;
      await db
        .insert(webchatVisitors)
        .values({ channelId, visitorId, email, name, connectedUntil })
        .onConflictDoUpdate({
          target: [webchatVisitors.channelId, webchatVisitors.visitorId],
          set: { email, ...(name ? { name } : {}), connectedUntil, lastSeenAt: sql`now()` },
        });
    },

    /**
     * Shows agents what a visitor left: their identity's handle becomes the email, and a person still
     * called `anonymous` ("Website visitor") takes the name (or the email). True when the visitor had
     * written before.
     */
    async showContact(
      identity: { platform: string; visitorId: string; anonymous: string },
      email: string,
      name: string | null,
    ): Promise<boolean> {
      const { platform, visitorId, anonymous: ANONYMOUS } = identity;
      const label = name ?? email;
      const updated = await rows<{ personId: string }>(sql`
        UPDATE identities SET handle = ${email},
          display_name = CASE WHEN display_name = ${ANONYMOUS} OR ${name}::text IS NOT NULL THEN ${label} ELSE display_name END,
          updated_at = now()
        WHERE platform = ${platform} AND external_id = ${visitorId}
        RETURNING person_id AS "personId"`);
      if (updated.length === 0) return false;
      await db.execute(sql`
        UPDATE people SET display_name = ${label}, updated_at = now()
        WHERE id = ${updated[0]!.personId} AND (display_name = ${ANONYMOUS} OR ${name}::text IS NOT NULL)`);
      return true;
    },

    /** Renews (a date) or ends (null) the lease that says a socket of this visitor is open (stored visitors). */
    async setConnected(channelId: string, visitorIds: string[], until: Date | null): Promise<void> {
      if (visitorIds.length === 0) return;
      await db.execute(sql`
        UPDATE webchat_visitors SET connected_until = ${until ? until.toISOString() : null}::timestamptz,
          last_seen_at = now()
        WHERE channel_id = ${channelId} AND visitor_id IN (${sql.join(
          visitorIds.map((v) => sql`${v}`),
          sql`, `,
        )})`);
    },

    async visitor(channelId: string, visitorId: string): Promise<WebchatVisitor | undefined> {
      const [row] = await db
        .select({
          email: webchatVisitors.email,
          name: webchatVisitors.name,
          pageUrl: webchatVisitors.pageUrl,
          connected: sql<boolean>`COALESCE(${webchatVisitors.connectedUntil} > now(), false)`,
        })
        .from(webchatVisitors)
        .where(and(eq(webchatVisitors.channelId, channelId), eq(webchatVisitors.visitorId, visitorId)));
      return row;
    },

    /** The visitor's newest conversation on this channel, if they wrote before. */
    async conversationOf(channelId: string, platform: string, visitorId: string): Promise<string | null> {
      const [row] = await rows<{ id: string }>(sql`
        SELECT c.id FROM conversations c
        JOIN identities i ON i.person_id = c.person_id
        WHERE c.channel_id = ${channelId} AND i.platform = ${platform} AND i.external_id = ${visitorId}
        ORDER BY c.last_message_at DESC NULLS LAST, c.created_at DESC
        LIMIT 1`);
      return row?.id ?? null;
    },

    /** The newest messages of a conversation the widget may show, oldest first. */
    async history(conversationId: string, limit = HISTORY_LIMIT): Promise<WidgetMessage[]> {
      return (await rows<Row>(widgetMessageQuery(sql`m.conversation_id = ${conversationId}`, limit))).map(
        strip,
      );
    },

    /** One message, if the widget may show it. */
    async message(messageId: string): Promise<WidgetMessage | undefined> {
      const [row] = await rows<Row>(widgetMessageQuery(sql`m.id = ${messageId}`, 1));
      return row ? strip(row) : undefined;
    },

    /**
     * The people on duty for a channel: agents who can sign in and are online — members of the channel's
     * team when it has one. Never a made-up persona: nobody online means an empty list.
     */
    async onDuty(channelId: string): Promise<DutyAgent[]> {
      return rows<DutyAgent>(sql`
        SELECT a.name, a.avatar_url AS "avatarUrl" FROM agents a
        WHERE a.availability = 'online' AND a.email IS NOT NULL
          AND (NOT EXISTS (SELECT 1 FROM channels c WHERE c.id = ${channelId} AND c.team_id IS NOT NULL)
               OR a.id IN (SELECT tm.agent_id FROM team_members tm JOIN channels c ON c.team_id = tm.team_id
                           WHERE c.id = ${channelId}))
        ORDER BY a.name
        LIMIT 12`);
    },

    /**
     * How long people waited for a first human reply on this channel, measured: the median, in minutes,
     * over conversations that began since `since` and were answered.
     */
    async firstResponse(
      channelId: string,
      since: Date,
    ): Promise<{ medianMinutes: number | null; samples: number }> {
      const [row] = await rows<{ median: number | null; samples: number }>(sql`
        SELECT percentile_cont(0.5) WITHIN GROUP (
                 ORDER BY extract(epoch FROM first_human_response_at - first_inbound_at) / 60.0) AS median,
               count(*)::int AS samples
        FROM conversations
        WHERE channel_id = ${channelId} AND first_inbound_at >= ${since.toISOString()}::timestamptz
          AND first_human_response_at IS NOT NULL AND status <> 'spam'`);
      return { medianMinutes: row?.median == null ? null : Number(row.median), samples: row?.samples ?? 0 };
    },
  };
}

export type WebchatRepository = ReturnType<typeof webchatRepository>;
