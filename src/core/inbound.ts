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
  /** The file, base64-encoded; null or absent when it was too large to keep. */
  contentBase64: z
    .string()
    .max(Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4, "attachment content is larger than 10 MB")
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

export type NormalizeResult =
  | { ok: true; message: InboundMessage; channel?: ChannelDefaults }
  | { ok: false; reason: string };

/**
 * Turns one raw payload of some format into a canonical message, or says precisely why it cannot.
 * May be async (a MIME parser streams), but never does I/O: replaying a dead letter must give the same.
 */
export type Normalizer = (payload: unknown) => NormalizeResult | Promise<NormalizeResult>;

/** Validates one canonical payload. Never throws: a failure carries a precise reason. */
export function normalizeCanonical(payload: unknown): NormalizeResult {
  const parsed = inboundMessageSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: describeZodError(parsed.error) };
  return { ok: true, message: parsed.data };
}
