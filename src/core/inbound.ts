/**
 * The canonical inbound format: one JSON object per message. Every connector and importer produces it;
 * `POST /api/ingest` and `rapport import --format jsonl` accept it as is. Documented in docs/formats.md.
 * (zod is a pure validation library, so the core may use it for the boundary shapes it owns.)
 */
import { z } from "zod";

const MAX_TEXT = 100_000;

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
});

export type InboundAuthor = z.infer<typeof authorSchema>;
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

/** Turns one raw payload of some format into a canonical message, or says precisely why it cannot. */
export type Normalizer = (payload: unknown) => NormalizeResult;

/** Validates one canonical payload. Never throws: a failure carries a precise reason. */
export function normalizeCanonical(payload: unknown): NormalizeResult {
  const parsed = inboundMessageSchema.safeParse(payload);
  if (!parsed.success) return { ok: false, reason: describeZodError(parsed.error) };
  return { ok: true, message: parsed.data };
}
