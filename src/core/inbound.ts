/**
 * The canonical inbound format: one JSON object per message. Every connector and importer produces it;
 * `POST /api/ingest` and `rapport import --format jsonl` accept it as is. Documented in docs/formats.md.
 * (zod is a pure validation library, so the core may use it for the boundary shapes it owns.)
 */
import { z } from "zod";

const MAX_TEXT = 100_000;
/** Largest HTML body kept (sanitised) with a message. */
export const MAX_HTML = 1_000_000;
/** Largest attachment whose content is stored; bigger files keep their name, type and size only. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export const attachmentSchema = z.object({
  filename: z.string().trim().min(1).max(255),
  contentType: z.string().trim().min(1).max(255),
  size: z.number().int().nonnegative(),
  /** The file, base64-encoded; null or absent when it was too large to keep, or when `url` names it. */
  contentBase64: z
    .string()
    .max(Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4, "attachment content is larger than 10 MB")
    // Line breaks and spaces (as in MIME bodies) are allowed; otherwise standard, padded base64
    // (RFC 4648 §4), which is what PostgreSQL decodes.
    .transform((text) => (/\s/.test(text) ? text.replace(/\s+/g, "") : text))
    .pipe(z.base64("attachment content must be standard base64 (RFC 4648, padded)"))
    .nullish(),
  /**
   * Where the platform keeps the file (http or https). Without `contentBase64`, Rapport downloads it in
   * the background (up to 10 MB), so it is kept when the platform drops it (docs/attachments.md).
   */
  url: z
    .url({ protocol: /^https?$/, message: "attachment url must be an http(s) URL" })
    .max(2048)
    .nullish(),
});

export const authorSchema = z.object({
  externalId: z.string().trim().min(1, "author.externalId must not be empty").max(512),
  handle: z.string().max(512).nullish(),
  displayName: z.string().max(512).nullish(),
  followerCount: z.number().int().nonnegative().nullish(),
  profileUrl: z.string().max(2048).nullish(),
});

export const inboundMessageSchema = z.object({
  channel: z
    .string()
    .trim()
    .min(1, "channel must not be empty")
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, "channel may contain letters, digits and . _ : @ - only"),
  externalId: z.string().trim().min(1, "externalId must not be empty").max(512),
  threadExternalId: z.string().trim().min(1).max(512).nullish(),
  inReplyToExternalId: z.string().trim().min(1).max(512).nullish(),
  direction: z.enum(["in", "out"]),
  author: authorSchema,
  text: z.string().max(MAX_TEXT, `text is longer than ${MAX_TEXT} characters`),
  createdAt: z.iso.datetime({
    offset: true,
    message: "createdAt must be an ISO 8601 date-time with a time zone",
  }),
  visibility: z.enum(["public", "private"]).default("public"),
  /** The subject line (email); the conversation keeps its first message's subject. */
  subject: z.string().max(998).nullish(),
  /** An HTML body; Rapport sanitises it before storing and never shows raw HTML. */
  html: z.string().max(MAX_HTML, `html is longer than ${MAX_HTML} characters`).nullish(),
  /** Mail no person wrote: stored, but it neither starts nor reopens a wait for our reply. */
  automated: z.enum(["auto_reply", "bounce", "list"]).nullish(),
  attachments: z.array(attachmentSchema).max(100).nullish(),
  /** When the message was last edited on the platform (its text is then the edited text). */
  editedAt: z.iso
    .datetime({ offset: true, message: "editedAt must be an ISO 8601 date-time with a time zone" })
    .nullish(),
});

/**
 * A change the platform reports to a message it sent before: its author edited or deleted it. Canonical
 * form: `{ channel, externalId, change: "edit" | "delete", at, text?, html? }`.
 */
export const inboundChangeSchema = z
  .object({
    channel: inboundMessageSchema.shape.channel,
    externalId: inboundMessageSchema.shape.externalId,
    change: z.enum(["edit", "delete"]),
    /** When the edit or deletion happened on the platform (edits apply newest-wins by this time). */
    at: z.iso.datetime({ offset: true, message: "at must be an ISO 8601 date-time with a time zone" }),
    /** The edited text (edits only). */
    text: inboundMessageSchema.shape.text.optional(),
    html: inboundMessageSchema.shape.html,
  })
  .refine((c) => c.change === "delete" || typeof c.text === "string", {
    message: "an edit needs the edited text",
    path: ["text"],
  });

export type InboundAuthor = z.infer<typeof authorSchema>;
export type InboundAttachment = z.infer<typeof attachmentSchema>;
/** A message in the canonical format, after validation (defaults applied). */
export type InboundMessage = z.infer<typeof inboundMessageSchema>;
/** What a producer may send (before defaults). */
export type InboundMessageInput = z.input<typeof inboundMessageSchema>;

/** Human-readable summary of a zod error: "author.externalId: must not be empty; text: …". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

/** How to create a channel a message names when it does not exist yet. */
export interface ChannelDefaults {
  kind: string;
  /** Identity namespace: the same person on two channels of one platform is one identity. */
  platform: string;
  name: string;
}

/** An edit or deletion of a stored message, after validation. */
export type InboundChange = z.infer<typeof inboundChangeSchema> & {
  /**
   * The message as it now is, when the platform sends it whole (e.g. Mastodon's status.update): stored
   * as a new message when the original never arrived, so an edit is never the only trace of a message.
   */
  message?: InboundMessage;
};

/**
 * What a normalizer makes of one payload: a message; a change to a stored message; a payload that is
 * knowingly not a message (a like, a follow, a read receipt: recorded as ignored, with why); or a failure
 * (a dead letter, with why).
 */
export type NormalizeResult =
  | MessageResult
  | { ok: true; change: InboundChange; channel?: ChannelDefaults }
  | { ok: true; ignored: string };

/** A normalizer's result when the format only ever holds messages (email, imports). */
export type MessageResult =
  | { ok: true; message: InboundMessage; channel?: ChannelDefaults }
  | { ok: false; reason: string };

/**
 * Turns one raw payload of some format into a canonical message, or says precisely why it cannot.
 * May be async (a MIME parser streams), but never does I/O: replaying a dead letter must give the same.
 */
export type Normalizer = (payload: unknown) => NormalizeResult | Promise<NormalizeResult>;

/** Validates one canonical payload (a message, or a change when it has a `change` field). Never throws. */
export function normalizeCanonical(payload: unknown): NormalizeResult {
  if (payload !== null && typeof payload === "object" && "change" in payload) {
    const change = inboundChangeSchema.safeParse(payload);
    if (!change.success) return { ok: false, reason: describeZodError(change.error) };
    return { ok: true, change: change.data };
  }
  return normalizeCanonicalMessage(payload);
}

/** Validates one canonical message. Never throws: a failure carries a precise reason. */
export function normalizeCanonicalMessage(payload: unknown): MessageResult {
  const parsed = inboundMessageSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: describeZodError(parsed.error) };
  return { ok: true, message: parsed.data };
}
