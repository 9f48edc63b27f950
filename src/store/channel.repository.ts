/** Channels: our connected accounts. */

import type { Db } from "./db.ts";
import { channels } from "./schema.ts";

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
  };
}
