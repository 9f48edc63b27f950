/**
 * Agents' replies on a webhook channel: a signed POST of the reply to the channel's callback URL. The
 * receiver posts it on its platform and may answer `{ "externalId": "…" }` with the platform's id (so
 * an echo of the reply through the inbound webhook is recognised and stored once). Failures carry the
 * receiver's status and words; 4xx other than 408/429 are not retried.
 */
import { SendError, type SendInput, type SendResult } from "../../core/outbound.ts";
import { postSigned } from "../../services/webhook.http.ts";
import { webhookConfigSchema } from "./webhook.config.ts";

/** The body POSTed to the callback URL for one reply. Documented in docs/channels/webhooks.md. */
export function replyBody(input: SendInput) {
  const { channel, conversation, message } = input;
  return {
    type: "reply",
    channel: channel.key,
    message: {
      id: message.id,
      text: message.text,
      visibility: message.visibility,
      authorName: message.authorName,
    },
    conversation: {
      id: conversation.id,
      threadExternalId: conversation.threadKey,
      visibility: conversation.visibility,
      subject: conversation.subject,
      recipient: conversation.recipient,
    },
    inReplyToExternalId: input.replyToExternalId,
    threadExternalIds: input.threadExternalIds ?? [],
  };
}

const externalIdOf = (json: unknown): string | null => {
  const id = (json as { externalId?: unknown } | null)?.externalId;
  if (typeof id === "string" && id.trim() && id.length <= 512) return id.trim();
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  return null;
};

export async function sendWebhookReply(input: SendInput): Promise<SendResult> {
  const config = webhookConfigSchema.safeParse(input.channel.config);
  const url = config.success ? config.data.callbackUrl : undefined;
  if (!url) {
    throw new SendError(
      `The webhook channel ${input.channel.key} has no callback URL: set one so replies can be delivered.`,
      false,
    );
  }
  const secret = input.channel.secrets?.signingSecret;
  if (!secret) throw new SendError(`The webhook channel ${input.channel.key} has no signing secret.`, false);
  const result = await postSigned(url, JSON.stringify(replyBody(input)), secret, {
    headers: { "x-rapport-event": "reply", "x-rapport-delivery": input.message.id },
  });
  if (result.ok) return { externalId: externalIdOf(result.json) ?? `webhook:${input.message.id}` };
  const host = new URL(url).host;
  const status = result.statusCode;
  throw new SendError(
    status === null
      ? `The callback at ${host} could not be reached: ${result.error}`
      : `The callback at ${host} ${result.error}`,
    status === null || status >= 500 || status === 408 || status === 429,
  );
}
