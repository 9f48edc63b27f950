/**
 * The `webchat` raw-event format: what the server stores for each message a visitor writes, and its
 * parser into a canonical message. One conversation per visitor and channel (thread `wc:<visitor>`);
 * the widget's own id for a message makes it idempotent (`wc:<visitor>:<client id>`), so a message the
 * widget sends again after a dropped connection is stored once.
 */
import { z } from "zod";
import { describeZodError, type MessageResult } from "../../core/inbound.ts";

/** Longest message a visitor may write. */
export const MAX_VISITOR_TEXT = 4000;

export const clientIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8–64 letters, digits, _ or - (the widget's id for the message)");

export const visitorTextSchema = z
  .string()
  .max(MAX_VISITOR_TEXT, `is longer than ${MAX_VISITOR_TEXT} characters`)
  .refine((text) => text.trim().length > 0, "must not be empty");

export const webchatPayloadSchema = z.object({
  channel: z.string().min(1).max(200),
  visitorId: z.string().regex(/^wv_[A-Za-z0-9_-]{10,40}$/, "must be a visitor id (wv_…)"),
  clientId: clientIdSchema,
  text: visitorTextSchema,
  /** When the server received it (the visitor's clock is not trusted). */
  receivedAt: z.iso.datetime({ offset: true }),
  visitor: z.object({ name: z.string().max(200).nullish(), email: z.email().max(320).nullish() }).nullish(),
  pageUrl: z.string().max(2048).nullish(),
});
export type WebchatPayload = z.infer<typeof webchatPayloadSchema>;

/** What a visitor is called until they leave a name or an email. */
export const ANONYMOUS_VISITOR = "Website visitor";

export const threadOf = (visitorId: string) => `wc:${visitorId}`;
export const externalIdOf = (visitorId: string, clientId: string) => `wc:${visitorId}:${clientId}`;

export function parseWebchat(payload: unknown): MessageResult {
  const parsed = webchatPayloadSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: `webchat payload: ${describeZodError(parsed.error)}` };
  const p = parsed.data;
  return {
    ok: true,
    message: {
      channel: p.channel,
      externalId: externalIdOf(p.visitorId, p.clientId),
      threadExternalId: threadOf(p.visitorId),
      direction: "in",
      author: {
        externalId: p.visitorId,
        handle: p.visitor?.email ?? null,
        displayName: p.visitor?.name || p.visitor?.email || ANONYMOUS_VISITOR,
        profileUrl: null,
      },
      text: p.text,
      createdAt: p.receivedAt,
      visibility: "private",
    },
  };
}
