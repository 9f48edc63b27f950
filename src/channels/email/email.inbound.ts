/**
 * Inbound email: a raw RFC 5322 message (as fetched over IMAP, base64 in the raw event) → one canonical
 * message. Plain text is preferred (HTML converted to text when there is none); the HTML body travels
 * along and is sanitised by ingest; attachments up to 10 MB each are kept. Threading uses In-Reply-To and
 * References, and mail without them threads by normalised subject per sender.
 */
import { createHash } from "node:crypto";
import { convert } from "html-to-text";
import { type AddressObject, simpleParser } from "mailparser";
import { z } from "zod";
import {
  type InboundAttachment,
  MAX_ATTACHMENT_BYTES,
  MAX_HTML,
  type MessageResult,
  normalizeCanonicalMessage,
} from "../../core/inbound.ts";
import { isMessageTime } from "../../core/instants.ts";
import { classifyMail, normalizeSubject } from "./email.classify.ts";

/** Largest mail accepted (the raw source); bigger ones become dead letters and stay in raw_events. */
export const MAX_MAIL_BYTES = 25 * 1024 * 1024;
const MAX_TEXT = 100_000;

/** What the poller stores in raw_events for one mail. */
export const emailPayloadSchema = z.object({
  channel: z.string().min(1),
  /** The whole message source, base64. */
  raw: z
    .string()
    .min(1, "the mail is empty")
    .regex(/^[A-Za-z0-9+/=\r\n]*$/, "not base64"),
  mailbox: z.string().optional(),
  uid: z.number().int().optional(),
  uidValidity: z.number().optional(),
  /** When the server received it (IMAP INTERNALDATE): the date of a mail without a plausible Date header. */
  receivedAt: z.string().optional(),
});
export type EmailPayload = z.infer<typeof emailPayloadSchema>;

/**
 * The canonical format's limits (512 characters for ids and names, 998 for a subject) fit any sane mail;
 * a mail beyond them is kept in the inbox, not turned into a dead letter: names and subjects are cut
 * (with "…"), ids too long to keep become a digest of themselves, so replies that cite them still thread.
 */
const MAX_ID = 512;
const clamp = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
function fitId(id: string): string {
  if (id.length <= MAX_ID) return id;
  const digest = `sha256-${createHash("sha256").update(id).digest("hex")}@rapport.invalid`;
  return id.startsWith("<") ? `<${digest}>` : digest;
}

const ids = (value: string | string[] | undefined): string[] =>
  ((Array.isArray(value) ? value.join(" ") : (value ?? "")).match(/<[^<>\s]+>/g) ?? []).map(fitId);

const firstAddress = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value).find((a) => a.address);

/** The external id of a mail without a Message-ID: stable, from its content. */
export function syntheticMessageId(raw: Buffer): string {
  return `<${createHash("sha256").update(raw).digest("hex").slice(0, 40)}@rapport.invalid>`;
}

export async function parseEmail(payload: unknown): Promise<MessageResult> {
  const shape = emailPayloadSchema.safeParse(payload);
  if (!shape.success) {
    return {
      ok: false,
      reason: `not an email payload: ${shape.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ")}`,
    };
  }
  const p = shape.data;
  const raw = Buffer.from(p.raw, "base64");
  if (raw.length > MAX_MAIL_BYTES) {
    return {
      ok: false,
      reason: `the mail is ${(raw.length / 1024 / 1024).toFixed(1)} MB, larger than the ${MAX_MAIL_BYTES / 1024 / 1024} MB limit (kept in the raw event)`,
    };
  }
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  const headerLines = parsed.headerLines ?? [];
  if (headerLines.length === 0) return { ok: false, reason: "not an email: the message has no headers" };
  const header = (name: string) =>
    headerLines.filter((h) => h.key === name).map((h) => h.line.slice(h.line.indexOf(":") + 1).trim());

  const from = firstAddress(parsed.from) ?? firstAddress(parsed.replyTo);
  const address = from?.address?.toLowerCase();
  const fromAddress = address ? fitId(address) : null;
  const replyAddress = firstAddress(parsed.replyTo)?.address?.toLowerCase();
  const replyTo = replyAddress ? fitId(replyAddress) : undefined;
  // A sender's clock can be broken (1970, year 0000, 2099): then the mail counts from when it arrived.
  const date = parsed.date && isMessageTime(parsed.date) ? parsed.date : null;
  const createdAt = date?.toISOString() ?? p.receivedAt;
  if (!createdAt) return { ok: false, reason: "the mail has no valid Date header and no received time" };

  const html = typeof parsed.html === "string" && parsed.html.trim() ? parsed.html : null;
  let text = (parsed.text ?? "").trim();
  if (!text && html)
    text = convert(html, { wordwrap: false, selectors: [{ selector: "img", format: "skip" }] });
  if (text.length > MAX_TEXT) text = `${text.slice(0, MAX_TEXT - 60)}\n[… shortened; the whole mail is kept]`;

  const references = ids(parsed.references);
  const inReplyTo = ids(parsed.inReplyTo)[0] ?? references.at(-1) ?? null;
  const messageId = ids(parsed.messageId)[0] ?? syntheticMessageId(raw);
  const subject = clamp(parsed.subject?.trim() ?? "", 998) || null;
  const normalized = normalizeSubject(subject);
  const sender = fromAddress ?? "(no sender)";

  const attachments: InboundAttachment[] = parsed.attachments.map((a, i) => ({
    filename: (a.filename?.trim() || `attachment-${i + 1}`).slice(0, 255),
    contentType: (a.contentType || "application/octet-stream").slice(0, 255),
    size: a.size ?? a.content.length,
    contentBase64: a.content.length <= MAX_ATTACHMENT_BYTES ? a.content.toString("base64") : null,
  }));

  const result = normalizeCanonicalMessage({
    channel: p.channel,
    externalId: messageId,
    ...(inReplyTo && inReplyTo !== messageId ? { inReplyToExternalId: inReplyTo } : {}),
    // Mail without threading headers joins the sender's conversation with the same subject
    // ("Re: Fwd: Order 48213" = "Order 48213"); without a subject, the sender's conversation.
    ...(!inReplyTo && normalized
      ? { threadExternalId: `subject:${sender}:${normalized}`.slice(0, 512) }
      : {}),
    direction: "in",
    author: {
      externalId: sender,
      handle: replyTo && replyTo !== fromAddress ? replyTo : fromAddress,
      displayName: clamp(from?.name?.trim() ?? "", MAX_ID) || null,
    },
    text,
    createdAt,
    visibility: "private",
    subject,
    html: html && html.length <= MAX_HTML ? html : null,
    automated: classifyMail(header, fromAddress),
    attachments,
  });
  return result.ok ? { ...result, channel: { kind: "email", platform: "email", name: p.channel } } : result;
}
