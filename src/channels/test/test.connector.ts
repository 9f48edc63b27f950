/**
 * The `test` channel kind: sends nowhere and succeeds, except that a text containing "[fail]" is
 * refused with a platform-like error. Its payloads are canonical messages (format "test"), and its
 * webhooks are signed with HMAC-SHA256 in `x-rapport-signature: sha256=<hex>`. For tests and for trying
 * the outbox by hand.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { normalizeCanonical } from "../../core/inbound.ts";
import { type Connector, SendError } from "../connector.ts";

export const FAIL_MARKER = "[fail]";
export const SIGNATURE_HEADER = "x-rapport-signature";

/** The signature header value for a body (what a sender of test webhooks computes). */
export function signTestWebhook(rawBody: Buffer | string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

export function testConnector(): Connector & { sent: string[] } {
  const sent: string[] = [];
  return {
    kind: "test",
    capabilities: {
      publicReplies: true,
      privateMessages: true,
      attachments: false,
      edits: false,
      deletes: false,
    },
    sent,
    parse(payload) {
      const result = normalizeCanonical(payload);
      if (!result.ok || "ignored" in result) return result;
      const channel = "message" in result ? result.message.channel : result.change.channel;
      return { ...result, channel: { kind: "test", platform: "test", name: channel } };
    },
    verifyWebhook(headers, rawBody, secret) {
      const given = headers[SIGNATURE_HEADER];
      if (typeof given !== "string") return false;
      const expected = Buffer.from(signTestWebhook(rawBody, secret));
      const actual = Buffer.from(given);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
    async send({ message }) {
      if (message.text.includes(FAIL_MARKER)) {
        throw new SendError(
          'Test platform error 403 (code 187): the message was refused because it contains "[fail]".',
          false,
        );
      }
      sent.push(message.id);
      return { externalId: `test:${randomUUID()}` };
    },
  };
}
