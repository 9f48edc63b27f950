/**
 * The webchat connector's view of the store at send time: a visitor's left email and live connection,
 * and the email channel (with its decrypted secrets) that answers visitors who left.
 */
import type { OutboundChannel } from "../core/outbound.ts";
import { channelRepository } from "../store/channel.repository.ts";
import type { Database } from "../store/db.ts";
import { webchatRepository } from "../store/webchat.repository.ts";
import type { SecretBox } from "./secrets.ts";

export function webchatDirectory(database: Database, secrets: SecretBox | null | undefined) {
  const visitors = webchatRepository(database.db);
  const channels = channelRepository(database.db);
  return {
    visitor: (channelId: string, visitorId: string) => visitors.visitor(channelId, visitorId),
    async emailChannel(key: string): Promise<OutboundChannel | undefined> {
      const row = await channels.byKey(key);
      if (row?.kind !== "email") return undefined;
      return {
        id: row.id,
        key: row.key,
        kind: row.kind,
        platform: row.platform,
        name: row.name,
        config: row.config,
        secrets: secrets && row.secrets ? secrets.open(row.secrets) : {},
      };
    },
  };
}
