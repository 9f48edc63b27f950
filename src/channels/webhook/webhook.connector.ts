/**
 * The `webhook` connector: a generic channel for platforms Rapport has no connector for (like
 * Chatwoot's API channel). Senders POST canonical messages, signed with the channel's secret, to
 * `/api/webhooks/<channel key>` (server/routes/webhook-inbound.routes.ts); agents' replies are POSTed,
 * signed the same way, to the channel's callback URL. See docs/channels/webhooks.md.
 */

import { normalizeCanonical } from "../../core/inbound.ts";
import {
  checkSignature,
  generateSigningSecret,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from "../../core/signature.ts";
import { postSigned } from "../../services/webhook.http.ts";
import type { ConnectionCheck, Connector } from "../connector.ts";
import { webhookConfigSchema, webhookSecretsSchema } from "./webhook.config.ts";
import { sendWebhookReply } from "./webhook.outbound.ts";

export const WEBHOOK_KIND = "webhook";

/** Where senders POST for a channel. */
export const inboundUrl = (publicUrl: string, key: string) =>
  `${publicUrl}/api/webhooks/${encodeURIComponent(key)}`;

export function webhookConnector(): Connector {
  return {
    kind: WEBHOOK_KIND,
    format: WEBHOOK_KIND,
    capabilities: {
      publicReplies: true,
      privateMessages: true,
      attachments: false,
      edits: false,
      deletes: false,
    },
    // A webhook payload is a canonical message (the route fills in the channel when it is omitted).
    parse(payload) {
      const result = normalizeCanonical(payload);
      if (!result.ok || "ignored" in result) return result;
      const key = "message" in result ? result.message.channel : result.change.channel;
      return { ...result, channel: { kind: WEBHOOK_KIND, platform: key, name: key } };
    },
    verifyWebhook: (headers, rawBody, secret) => checkSignature(headers, rawBody, secret).ok,
    send: sendWebhookReply,
    setup: {
      label: "Webhook (any platform)",
      description:
        "For a platform Rapport has no connector for: your bridge POSTs signed canonical messages, and agents' replies are POSTed to your callback URL. The signing secret is shown once.",
      config: webhookConfigSchema,
      secrets: webhookSecretsSchema,
      generateSecrets: () => ({ signingSecret: generateSigningSecret() }),
      platform(config, key) {
        const parsed = webhookConfigSchema.safeParse(config);
        return (parsed.success && parsed.data.platform) || key;
      },
      async test(channel): Promise<ConnectionCheck[]> {
        const config = webhookConfigSchema.parse(channel.config);
        const checks: ConnectionCheck[] = [
          {
            service: "inbound",
            ok: Boolean(channel.secrets.signingSecret),
            message: channel.secrets.signingSecret
              ? "Signed POSTs to the inbound URL are accepted."
              : "The channel has no signing secret: rotate it to create one.",
          },
        ];
        if (!config.callbackUrl) {
          checks.push({
            service: "callback",
            ok: false,
            step: "config",
            message: "No callback URL: agents' replies cannot be delivered until one is set.",
          });
          return checks;
        }
        const result = await postSigned(
          config.callbackUrl,
          JSON.stringify({ type: "ping", channel: channel.key }),
          channel.secrets.signingSecret ?? "",
          { headers: { "x-rapport-event": "ping" } },
        );
        checks.push(
          result.ok
            ? {
                service: "callback",
                ok: true,
                message: `${config.callbackUrl} answered ${result.statusCode} in ${result.durationMs} ms.`,
              }
            : {
                service: "callback",
                ok: false,
                step: result.statusCode === null ? "connect" : "http",
                message: `${config.callbackUrl} ${result.error ?? "failed"}`,
              },
        );
        return checks;
      },
      notes(channel, ctx) {
        const config = webhookConfigSchema.safeParse(channel.config);
        const callback = config.success ? config.data.callbackUrl : undefined;
        return [
          {
            label: "Inbound URL (POST canonical messages here)",
            value: inboundUrl(ctx.publicUrl, channel.key),
            code: true,
          },
          {
            label: "Signature",
            value: `${TIMESTAMP_HEADER}: <Unix seconds>, ${SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>. The secret was shown once when the channel was set up; rotate it to get a new one.`,
          },
          {
            label: "Replies",
            value: callback
              ? `Agents' replies are POSTed, signed the same way, to ${callback}.`
              : "No callback URL: agents' replies fail until one is set.",
          },
          { label: "Documentation", value: "docs/channels/webhooks.md" },
        ];
      },
    },
  };
}
