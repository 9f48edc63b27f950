/**
 * The `mastodon` connector: the streaming API with REST catch-up in (mastodon.poller.ts), replies in
 * thread out (mastodon.outbound.ts), payloads parsed in mastodon.inbound.ts, set up with an access token
 * or OAuth (mastodon.oauth.ts), tested step by step (mastodon.check.ts). Set up in docs/channels/mastodon.md.
 */
import type { Connector } from "../connector.ts";
import { testMastodonConnection } from "./mastodon.check.ts";
import { mastodonConfigSchema, mastodonSecretsSchema } from "./mastodon.config.ts";
import { parseMastodon } from "./mastodon.inbound.ts";
import { finishMastodonOAuth, startMastodonOAuth } from "./mastodon.oauth.ts";
import { sendMastodon } from "./mastodon.outbound.ts";
import { type MastodonPollOptions, pollMastodon } from "./mastodon.poller.ts";

export interface MastodonConnectorOptions {
  /** Poll loop tuning (tests use short intervals). */
  poll?: MastodonPollOptions;
}

export function mastodonConnector(options: MastodonConnectorOptions = {}): Connector {
  return {
    kind: "mastodon",
    format: "mastodon",
    capabilities: {
      publicReplies: true,
      privateMessages: true,
      attachments: true,
      edits: true,
      deletes: true,
    },
    parse: parseMastodon,
    send: (input) => sendMastodon(input),
    poll: (ctx) => pollMastodon(ctx, options.poll),
    setup: {
      label: "Mastodon",
      description:
        "A Mastodon account: its mentions and direct messages, answered in thread. Paste an access token with the scopes read:accounts, read:notifications, read:statuses and write:statuses — or connect through OAuth (docs/channels/mastodon.md).",
      config: mastodonConfigSchema,
      secrets: mastodonSecretsSchema,
      test: (channel) => testMastodonConnection(channel),
      notes: (channel) => {
        const parsed = mastodonConfigSchema.safeParse(channel.config);
        return parsed.success
          ? [
              { label: "Instance", value: parsed.data.instanceUrl },
              {
                label: "What is read",
                value:
                  "Mentions of the account and its direct messages, live over the streaming API (REST polling when it is unavailable).",
              },
            ]
          : [];
      },
      oauth: {
        start: (config, redirectUri, state) =>
          startMastodonOAuth(mastodonConfigSchema.parse(config).instanceUrl, redirectUri, state),
        finish: async (config, redirectUri, pending, query) => {
          if (!query.code)
            throw new Error(query.error_description ?? query.error ?? "the instance sent no code");
          return finishMastodonOAuth(
            mastodonConfigSchema.parse(config).instanceUrl,
            redirectUri,
            pending,
            query.code,
          );
        },
      },
    },
  };
}
