/**
 * The `bluesky` connector: mentions, replies and quotes from notifications and (optionally) Jetstream,
 * DMs from the chat log (bluesky.poller.ts); replies as threaded posts with facets, DMs through the chat
 * service (bluesky.outbound.ts); all payloads parsed by bluesky.inbound.ts. Set up in
 * docs/channels/bluesky.md.
 */
import type { Connector } from "../connector.ts";
import { testBlueskyConnection } from "./bluesky.check.ts";
import { blueskyConfigSchema, blueskySecretsSchema } from "./bluesky.config.ts";
import { FORMAT, parseBluesky } from "./bluesky.inbound.ts";
import { sendBluesky } from "./bluesky.outbound.ts";
import { type BlueskyPollOptions, pollBluesky } from "./bluesky.poller.ts";

export function blueskyConnector(options: BlueskyPollOptions = {}): Connector {
  return {
    kind: "bluesky",
    format: FORMAT,
    capabilities: {
      publicReplies: true,
      privateMessages: true,
      attachments: true, // post images, downloaded (docs/attachments.md)
      edits: false,
      deletes: true,
    },
    parse: parseBluesky,
    send: sendBluesky,
    poll: (ctx) => pollBluesky(ctx, options),
    setup: {
      config: blueskyConfigSchema,
      secrets: blueskySecretsSchema,
      test: testBlueskyConnection,
      notes: (channel) => {
        const handle = (channel.config as { handle?: string } | null)?.handle;
        return handle ? [{ label: "Profile", value: `https://bsky.app/profile/${handle}` }] : [];
      },
    },
  };
}
