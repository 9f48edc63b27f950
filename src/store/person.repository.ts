/** Read queries for people: search, and one person with every identity and conversation. */
import { and, desc, eq, ilike, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { channels, conversations, identities, people } from "./schema.ts";
import {
  afterPosition,
  isoMicros,
  isoMillis,
  isoMillisRequired,
  type KeysetPosition,
  likeContains,
} from "./sql.helpers.ts";

export interface PeopleFilters {
  /** Matches display names and identity handles/names (case-insensitive substring). */
  q?: string;
  limit: number;
  after?: KeysetPosition;
}

export function personRepository(db: Db) {
  return {
    /**
     * One page of people (merged-away records excluded), newest first. The correlated subqueries name
     * `people.id` literally: drizzle leaves columns unqualified in a single-table select.
     */
    async list(filters: PeopleFilters) {
      const where: SQL[] = [isNull(people.mergedIntoId)];
      if (filters.q) {
        const pattern = likeContains(filters.q);
        where.push(
          or(
            ilike(people.displayName, pattern),
            sql`EXISTS (SELECT 1 FROM identities i WHERE i.person_id = people.id AND (i.handle ILIKE ${pattern} OR i.display_name ILIKE ${pattern}))`,
          )!,
        );
      }
      if (filters.after) where.push(afterPosition(people.createdAt, people.id, filters.after));
      const rows = await db
        .select({
          id: people.id,
          displayName: people.displayName,
          createdAt: isoMillisRequired(people.createdAt),
          identities: sql<
            { platform: string; handle: string | null }[]
          >`COALESCE((SELECT json_agg(json_build_object('platform', i.platform, 'handle', i.handle) ORDER BY i.created_at, i.id) FROM identities i WHERE i.person_id = people.id), '[]'::json)`,
          conversationCount: sql<number>`(SELECT count(*)::int FROM conversations c WHERE c.person_id = people.id)`,
          cursorAt: isoMicros(people.createdAt),
        })
        .from(people)
        .where(and(...where))
        .orderBy(desc(people.createdAt), desc(people.id))
        .limit(filters.limit + 1);
      const page = rows.slice(0, filters.limit);
      const last = page[page.length - 1];
      const next: KeysetPosition | null =
        rows.length > filters.limit && last ? { at: last.cursorAt, id: last.id } : null;
      return { items: page.map(({ cursorAt: _, ...item }) => item), next };
    },

    /** A person with every identity and every conversation across channels, or undefined. */
    async findWithHistory(id: string) {
      const [person] = await db
        .select({
          id: people.id,
          displayName: people.displayName,
          notes: people.notes,
          tags: people.tags,
          locale: people.locale,
          mergedIntoId: people.mergedIntoId,
          createdAt: isoMillisRequired(people.createdAt),
        })
        .from(people)
        .where(eq(people.id, id))
        .limit(1);
      if (!person) return undefined;
      const personIdentities = await db
        .select({
          id: identities.id,
          platform: identities.platform,
          externalId: identities.externalId,
          handle: identities.handle,
          displayName: identities.displayName,
          profileUrl: identities.profileUrl,
          followerCount: identities.followerCount,
        })
        .from(identities)
        .where(eq(identities.personId, id))
        .orderBy(identities.createdAt, identities.id);
      const history = await db
        .select({
          id: conversations.id,
          channel: { id: channels.id, key: channels.key, kind: channels.kind, name: channels.name },
          status: conversations.status,
          visibility: conversations.visibility,
          subject: conversations.subject,
          messageCount: conversations.messageCount,
          firstInboundAt: isoMillis(conversations.firstInboundAt),
          lastMessageAt: isoMillis(conversations.lastMessageAt),
        })
        .from(conversations)
        .innerJoin(channels, eq(channels.id, conversations.channelId))
        .where(eq(conversations.personId, id))
        .orderBy(sql`${conversations.lastMessageAt} DESC NULLS LAST`, desc(conversations.id));
      return { ...person, identities: personIdentities, conversations: history };
    },
  };
}

export type PersonRepository = ReturnType<typeof personRepository>;
export type PersonSummary = Awaited<ReturnType<PersonRepository["list"]>>["items"][number];
export type PersonDetail = NonNullable<Awaited<ReturnType<PersonRepository["findWithHistory"]>>>;
