/**
 * The `webchat` connector: the website chat widget (widget/). Visitors' messages arrive over the
 * widget's WebSocket (server/widget/) and go through the ingest pipeline as `webchat` raw events;
 * replies reach the open widget live, or the visitor's email when they left (webchat.outbound.ts).
 * Set up in docs/channels/webchat.md.
 */
import type { ConnectionCheck, Connector } from "../connector.ts";
import { webchatConfigSchema, webchatSecretsSchema } from "./webchat.config.ts";
import type { WebchatDirectory } from "./webchat.directory.ts";
import { parseWebchat } from "./webchat.inbound.ts";
import { sendWebchat } from "./webchat.outbound.ts";

export type { WebchatDirectory } from "./webchat.directory.ts";

/** The `<script>` tag an admin pastes into their site. */
export function widgetSnippet(publicUrl: string, channelKey: string): string {
  return `<script src="${publicUrl}/widget.js" data-channel="${channelKey}" async></script>`;
}

/** `directory` gives sending its view of visitors; a getter so it can be bound after construction. */
export function webchatConnector(directory?: () => WebchatDirectory | undefined): Connector {
  return {
    kind: "webchat",
    format: "webchat",
    capabilities: {
      publicReplies: false,
      privateMessages: true,
      attachments: false,
      edits: false,
      deletes: false,
    },
    parse: parseWebchat,
    send: (input) => sendWebchat(input, directory?.()),
    setup: {
      config: webchatConfigSchema,
      secrets: webchatSecretsSchema,
      async test(channel) {
        const config = webchatConfigSchema.parse(channel.config);
        const checks: ConnectionCheck[] = [
          channel.secrets.visitorKey
            ? { service: "widget", ok: true, message: "Visitor tokens can be signed." }
            : { service: "widget", ok: false, step: "secrets", message: "The channel has no visitor key." },
        ];
        if (config.emailChannel) {
          const email = await directory?.()?.emailChannel(config.emailChannel);
          checks.push(
            email
              ? { service: "email", ok: true, message: `Offline replies go out through ${email.name}.` }
              : {
                  service: "email",
                  ok: false,
                  step: "channel",
                  message: `There is no email channel with the key "${config.emailChannel}".`,
                },
          );
        }
        return checks;
      },
      notes(channel, ctx) {
        const config = webchatConfigSchema.safeParse(channel.config);
        const origins = config.success ? config.data.allowedOrigins : [];
        return [
          {
            label: "Paste this before </body> on every page that should show the chat",
            value: widgetSnippet(ctx.publicUrl, channel.key),
            code: true,
          },
          {
            label: "Try it on a test page",
            value: `${ctx.publicUrl}/widget-demo?channel=${encodeURIComponent(channel.key)}`,
            code: true,
          },
          {
            label: "Sites allowed to embed it",
            value:
              origins.length > 0
                ? origins.join(", ")
                : "None yet besides this server: add your site's origin (https://www.example.com) to allowedOrigins.",
          },
        ];
      },
    },
  };
}
