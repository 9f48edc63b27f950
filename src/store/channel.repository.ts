/** Channels: our connected accounts. */

import { and, desc, eq, gte, isNull, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { channels, messages } from "./schema.ts";

export type ChannelRow = typeof channels.$inferSelect;

export function channelRepository(db: Db) {
  return {
    /** Creates channels that do not exist yet; existing keys are left as they are. */
    async ensure(
      rows: Array<{ key: string; kind: string; platform: string; name: string; teamId?: string | null }>,
    ): Promise<void> {
      if (rows.length === 0) return;
      await db.insert(channels).values(rows).onConflictDoNothing({ target: channels.key });
    },
    async list(): Promise<ChannelRow[]> {
      return db.select().from(channels).orderBy(channels.name);
    },
    async get(id: string): Promise<ChannelRow | undefined> {
      const [row] = await db.select().from(channels).where(eq(channels.id, id));
      return row;
    },
    async byKey(key: string): Promise<ChannelRow | undefined> {
      const [row] = await db.select().from(channels).where(eq(channels.key, key));
      return row;
    },
    /** Creates a set-up channel; undefined when the key is taken. */
    async create(row: {
      key: string;
      kind: string;
      platform: string;
      name: string;
      config: unknown;
      secrets: string | null;
    }): Promise<ChannelRow | undefined> {
      const [created] = await db
        .insert(channels)
        .values(row)
        .onConflictDoNothing({ target: channels.key })
        .returning();
      return created;
    },
    /** Points a channel at a new connection (config and sealed secrets), forgetting its cursor. */
    async reconnect(
      id: string,
      row: { config: unknown; secrets: string | null },
    ): Promise<ChannelRow | undefined> {
      const [updated] = await db
        .update(channels)
        .set({ config: row.config, secrets: row.secrets, cursor: null, updatedAt: sql`now()` })
        .where(eq(channels.id, id))
        .returning();
      return updated;
    },
    /** Sets a channel's name, config and sealed secrets (the demo's live chat channel). */
    async configure(
      key: string,
      values: { name: string; config: unknown; secrets: string | null },
    ): Promise<void> {
      await db.update(channels).set(values).where(eq(channels.key, key));
    },
    async setSecrets(id: string, secrets: string): Promise<void> {
      // A new settings version, so pollers restart with the new secrets.
      await db.update(channels).set({ secrets, updatedAt: sql`now()` }).where(eq(channels.id, id));
    },
    /** Creates a set-up channel, or replaces the config and secrets of the one with that key (demo mode). */
    async upsertSetUp(row: {
      key: string;
      kind: string;
      platform: string;
      name: string;
      config: unknown;
      secrets: string | null;
    }): Promise<ChannelRow> {
      const [saved] = await db
        .insert(channels)
        .values(row)
        .onConflictDoUpdate({
          target: channels.key,
          set: { config: row.config, secrets: row.secrets, updatedAt: sql`now()` },
        })
        .returning();
      return saved!;
    },
    /**
     * The channel's inbound messages written and received since `since` and not deleted, the newest
     * `limit` (what a connector re-checks for edits and deletions its stream missed). The bound on
     * `created_at` lets the read use messages_created_idx: it costs the window's messages across channels,
     * not the channel's whole history, and adds no index that every ingest would have to maintain.
     */
    async recentInbound(
      id: string,
      since: Date,
      limit: number,
    ): Promise<Array<{ externalId: string; receivedAt: Date; editedAt: Date | null }>> {
      return db
        .select({
          externalId: messages.externalId,
          receivedAt: messages.receivedAt,
          editedAt: messages.editedAt,
        })
        .from(messages)
        .where(
          and(
            eq(messages.channelId, id),
            eq(messages.direction, "in"),
            gte(messages.createdAt, since),
            gte(messages.receivedAt, since),
            isNull(messages.deletedAt),
          ),
        )
        .orderBy(desc(messages.receivedAt), desc(messages.externalId))
        .limit(limit);
    },
    async setCursor(id: string, cursor: unknown): Promise<void> {
      await db.update(channels).set({ cursor }).where(eq(channels.id, id));
    },
    /** Changes a channel's set-up (a new settings version: pollers restart); undefined when absent. */
    async update(
      id: string,
      patch: { name?: string; config?: unknown; secrets?: string | null },
    ): Promise<ChannelRow | undefined> {
      const [row] = await db
        .update(channels)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(eq(channels.id, id))
        .returning();
      return row;
    },
    /** Pauses (not polled) or resumes a channel; pausing twice keeps the first time. */
    async setPaused(id: string, paused: boolean): Promise<ChannelRow | undefined> {
      const [row] = await db
        .update(channels)
        .set({
          pausedAt: paused ? sql`coalesce(${channels.pausedAt}, now())` : null,
          updatedAt: sql`now()`,
        })
        .where(eq(channels.id, id))
        .returning();
      return row;
    },
    /** Health: a successful poll at `at`. */
    async recordOk(id: string, at: Date): Promise<void> {
      await db.update(channels).set({ lastOkAt: at }).where(eq(channels.id, id));
    },
    /** Health: a failure at `at`, `{ service, step?, message }`. */
    async recordError(id: string, problem: unknown, at: Date): Promise<void> {
      await db.update(channels).set({ lastError: problem, lastErrorAt: at }).where(eq(channels.id, id));
    },
  };
}
