/**
 * Inbound Mastodon: what the poller stores in raw_events (an envelope around exactly what the server
 * sent) → a canonical message, an edit or deletion, or "ignored" (favourites, boosts, follows, polls…).
 * Pure: no I/O, so a dead letter replays through the same code.
 *
 * - mention notifications and `update` statuses that mention us → messages; `conversation` (DM) events
 *   and conversations → private messages; statuses with `visibility: direct` are private, all others public
 *   (a followers-only mention is still a public thread: other people can see it).
 * - threading by `in_reply_to_id` (the pipeline follows the chain to the conversation's root); a DM that
 *   starts a thread joins the person's private conversation.
 * - a status with `edited_at` (and the stream's `status.update`) is an edit carrying the whole status,
 *   so an edit of a post we never saw is stored as that post; `delete` events are deletions, and so is a
 *   `gone` answer (a re-read post the server answers 404/410 for: mastodon.reconcile.ts).
 * - our own posts (the envelope's `self`) are ignored: replies sent from Rapport are stored already.
 */
import { z } from "zod";
import {
  describeZodError,
  type InboundAttachment,
  type InboundMessageInput,
  inboundChangeSchema,
  MAX_HTML,
  type NormalizeResult,
  normalizeCanonicalMessage,
} from "../../core/inbound.ts";
import { isMessageTime } from "../../core/instants.ts";
import { mastodonHtmlToText } from "./mastodon.html.ts";

const MAX_TEXT = 100_000;

/** What the poller stores for one item, around the server's own JSON. */
export const mastodonEnvelopeSchema = z.object({
  /** The channel's key. */
  channel: z.string().min(1).max(200),
  /**
   * Where `data` came from: a REST list item, a streaming event as received, or — `gone` — the answer to
   * re-reading a stored post that no longer exists (`{ id, status: 404 | 410, error }`).
   */
  source: z.enum(["notification", "status", "conversation", "stream", "gone"]),
  /** The instance's base URL (qualifies local accounts: `ana` → `ana@instance`). */
  instance: z.string().max(500).optional(),
  /** The channel's own account: its posts are ours, and it is who mentions must name. */
  self: z.object({ id: z.string(), acct: z.string() }).optional(),
  /** When the poller received it: the time of a deletion, which the stream does not date. */
  receivedAt: z.string().optional(),
  data: z.unknown(),
});
export type MastodonEnvelope = z.infer<typeof mastodonEnvelopeSchema>;

const id = z.union([z.string().min(1).max(100), z.number().int()]).transform(String);

const accountSchema = z.object({
  id,
  username: z.string().optional(),
  acct: z.string().min(1).max(400),
  display_name: z.string().nullish(),
  url: z.string().nullish(),
  avatar: z.string().nullish(),
  followers_count: z.number().int().nonnegative().nullish(),
  bot: z.boolean().nullish(),
});
type Account = z.infer<typeof accountSchema>;

const mediaSchema = z.object({
  id: id.optional(),
  type: z.string().default("unknown"),
  url: z.string().nullish(),
  remote_url: z.string().nullish(),
  preview_url: z.string().nullish(),
  description: z.string().nullish(),
});

const statusSchema = z.object({
  id,
  created_at: z.string(),
  in_reply_to_id: id.nullish(),
  in_reply_to_account_id: id.nullish(),
  visibility: z.enum(["public", "unlisted", "private", "direct"]).nullish(),
  spoiler_text: z.string().nullish(),
  language: z.string().nullish(),
  url: z.string().nullish(),
  uri: z.string().nullish(),
  edited_at: z.string().nullish(),
  content: z.string().nullish(),
  /** The plain source (returned by some methods, e.g. delete) when there is no content. */
  text: z.string().nullish(),
  account: accountSchema.nullish(),
  mentions: z.array(z.object({ id, acct: z.string(), url: z.string().nullish() })).nullish(),
  media_attachments: z.array(mediaSchema).nullish(),
  reblog: z.unknown().nullish(),
  poll: z.unknown().nullish(),
});
type Status = z.infer<typeof statusSchema>;

const notificationSchema = z.object({
  id,
  type: z.string(),
  created_at: z.string().optional(),
  account: accountSchema.nullish(),
  status: statusSchema.nullish(),
});

const conversationSchema = z.object({
  id,
  accounts: z.array(accountSchema).default([]),
  last_status: statusSchema.nullish(),
});

/** The server's answer when a stored post was re-read and is no longer there. */
const goneSchema = z.object({
  id,
  status: z.union([z.literal(404), z.literal(410)]),
  error: z.string().max(1000).optional(),
});

const streamEventSchema = z.object({
  stream: z.union([z.array(z.string()), z.string()]).optional(),
  event: z.string(),
  payload: z.string().optional(),
});

const fail = (reason: string): NormalizeResult => ({ ok: false, reason });
const CHANNEL = { kind: "mastodon", platform: "mastodon" };

/** The host a local acct belongs to: the account's own profile URL, else the instance. */
function hostOf(account: Account, instance: string | undefined): string | null {
  for (const candidate of [account.url, instance]) {
    if (!candidate) continue;
    try {
      return new URL(candidate).host.toLowerCase();
    } catch {}
  }
  return null;
}

/** `user@domain`, whatever form the server gave (local accounts have no domain in `acct`). */
export function fullAcct(acct: string, host: string | null): string {
  const bareAcct = acct.replace(/^@/, "");
  return bareAcct.includes("@") || !host ? bareAcct : `${bareAcct}@${host}`;
}

const iso = (value: string | null | undefined): string | null => {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
};

function attachmentsOf(status: Status): { attachments: InboundAttachment[]; lines: string[] } {
  const attachments: InboundAttachment[] = [];
  const lines: string[] = [];
  for (const [i, media] of (status.media_attachments ?? []).entries()) {
    const url = media.remote_url ?? media.url ?? null;
    const name = url ? decodeURIComponent(url.split(/[?#]/)[0]!.split("/").pop() ?? "") : "";
    const ext = name.includes(".") ? name.split(".").pop()!.toLowerCase() : "";
    // The copy on the account's own server first (it also caches other servers' media), else the original.
    const download = [media.url, media.remote_url].find(
      (u) => u && u.length <= 2048 && URL.canParse(u) && /^https?:/i.test(u),
    );
    attachments.push({
      filename: (name || `${media.type}-${i + 1}`).slice(0, 255),
      contentType: contentTypeOf(media.type, ext),
      // Downloaded in the background (jobs/attachment.job.ts); the size is known once it is.
      size: 0,
      contentBase64: null,
      url: download ?? null,
    });
    lines.push(
      `[${media.type}${media.description ? `: ${media.description.trim()}` : ""}]${url ? ` ${url}` : ""}`,
    );
  }
  return { attachments, lines };
}

const TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  mp4: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  oga: "audio/ogg",
  wav: "audio/wav",
  m4a: "audio/mp4",
  flac: "audio/flac",
};

function contentTypeOf(type: string, ext: string): string {
  if (TYPES[ext]) return TYPES[ext];
  if (type === "gifv") return "video/mp4";
  if (type === "image" || type === "video" || type === "audio") return `${type}/*`;
  return "application/octet-stream";
}

interface StatusContext {
  envelope: MastodonEnvelope;
  /** Used when the status itself does not name its author (truncated notifications). */
  fallbackAccount?: Account | null;
  /** Conversations are direct whatever the status says. */
  forcePrivate?: boolean;
}

/** One status → the canonical message (or why not). */
function messageOf(
  status: Status,
  ctx: StatusContext,
): { ok: true; message: InboundMessageInput } | { ok: false; reason: string } {
  const account = status.account ?? ctx.fallbackAccount;
  if (!account) return { ok: false, reason: `status ${status.id} has no account (a truncated payload?)` };
  const written = iso(status.created_at);
  if (!written)
    return { ok: false, reason: `status ${status.id}: created_at "${status.created_at}" is not a date` };
  // Another server's clock can be broken: outside the times Rapport keeps (core/instants.ts), the status
  // counts from when it arrived here.
  const createdAt = isMessageTime(written) ? written : (iso(ctx.envelope.receivedAt) ?? written);
  if (typeof status.content !== "string" && typeof status.text !== "string")
    return { ok: false, reason: `status ${status.id} has no content (a truncated payload?)` };
  const host = hostOf(account, ctx.envelope.instance);
  const mentions = new Map<string, string>();
  for (const m of status.mentions ?? []) {
    if (!m.url) continue;
    let mentionHost: string | null = null;
    try {
      mentionHost = new URL(m.url).host;
    } catch {}
    mentions.set(m.url, fullAcct(m.acct, mentionHost));
  }
  const html = typeof status.content === "string" ? status.content : null;
  let text = html !== null ? mastodonHtmlToText(html, { mentions }) : (status.text ?? "");
  const spoiler = status.spoiler_text?.trim();
  if (spoiler) text = `CW: ${spoiler}\n\n${text}`;
  const { attachments, lines } = attachmentsOf(status);
  if (lines.length > 0) text = `${text}\n\n${lines.join("\n")}`.trim();
  if (text.length > MAX_TEXT)
    return { ok: false, reason: `status ${status.id}: text is longer than ${MAX_TEXT} characters` };
  const acct = fullAcct(account.acct, host);
  const edited = iso(status.edited_at);
  const editedAt = edited && isMessageTime(edited) ? edited : null;
  return {
    ok: true,
    message: {
      channel: ctx.envelope.channel,
      externalId: status.id,
      ...(status.in_reply_to_id ? { inReplyToExternalId: status.in_reply_to_id } : {}),
      direction: "in",
      author: {
        externalId: acct.toLowerCase(),
        handle: `@${acct}`,
        displayName: account.display_name?.trim() || account.username || acct,
        followerCount: account.followers_count ?? null,
        profileUrl: account.url ?? null,
      },
      text,
      createdAt,
      visibility: ctx.forcePrivate || status.visibility === "direct" ? "private" : "public",
      html: html && html.length <= MAX_HTML ? html : null,
      attachments,
      ...(editedAt ? { editedAt } : {}),
    },
  };
}

/** A status that should become a message: a message, or — when edited — an edit carrying it whole. */
function statusResult(status: Status, ctx: StatusContext): NormalizeResult {
  const self = ctx.envelope.self;
  if (self && status.account?.id === self.id) return { ok: true, ignored: `our own post ${status.id}` };
  if (status.reblog) return { ok: true, ignored: `a boost (${status.id}), not a message` };
  const built = messageOf(status, ctx);
  if (!built.ok) return built;
  const valid = normalizeCanonicalMessage(built.message);
  if (!valid.ok) return valid;
  const message = valid.message;
  if (message.editedAt) {
    return {
      ok: true,
      change: {
        channel: message.channel,
        externalId: message.externalId,
        change: "edit",
        at: message.editedAt,
        text: message.text,
        html: message.html ?? null,
        message,
      },
      channel: { ...CHANNEL, name: message.channel },
    };
  }
  return { ok: true, message, channel: { ...CHANNEL, name: message.channel } };
}

const mentionsSelf = (status: Status, self: MastodonEnvelope["self"]) =>
  !self || (status.mentions ?? []).some((m) => m.id === self.id);

function parseNotification(data: unknown, envelope: MastodonEnvelope): NormalizeResult {
  const shape = notificationSchema.safeParse(data);
  if (!shape.success) return fail(`not a Mastodon notification: ${describeZodError(shape.error)}`);
  const n = shape.data;
  if (n.type === "mention") {
    if (!n.status) return fail(`mention notification ${n.id} has no status`);
    return statusResult(n.status, { envelope, fallbackAccount: n.account ?? null });
  }
  if (n.type === "update" && n.status) {
    // "A post you interacted with was edited": applied if we stored it, never stored because of this.
    const built = messageOf(n.status, { envelope, fallbackAccount: n.account ?? null });
    if (built.ok && built.message.editedAt) {
      return changeResult({
        channel: envelope.channel,
        externalId: n.status.id,
        change: "edit",
        at: built.message.editedAt,
        text: built.message.text,
        html: built.message.html ?? null,
      });
    }
  }
  return { ok: true, ignored: `a ${n.type} notification, not a message` };
}

/** A deletion dated when we learnt of it (Mastodon dates neither the stream's event nor a 404). */
function deletion(externalId: string, envelope: MastodonEnvelope, undated: string): NormalizeResult {
  const at = iso(envelope.receivedAt);
  if (!at) return fail(`the deletion of ${externalId} has no received time (${undated})`);
  return changeResult({ channel: envelope.channel, externalId, change: "delete", at });
}

function parseGone(data: unknown, envelope: MastodonEnvelope): NormalizeResult {
  const shape = goneSchema.safeParse(data);
  if (!shape.success) return fail(`not a re-read of a missing status: ${describeZodError(shape.error)}`);
  return deletion(shape.data.id, envelope, "a 404 does not date the deletion");
}

function changeResult(change: unknown): NormalizeResult {
  const valid = inboundChangeSchema.safeParse(change);
  if (!valid.success) return fail(describeZodError(valid.error));
  return { ok: true, change: valid.data, channel: { ...CHANNEL, name: valid.data.channel } };
}

function parseConversation(data: unknown, envelope: MastodonEnvelope): NormalizeResult {
  const shape = conversationSchema.safeParse(data);
  if (!shape.success) return fail(`not a Mastodon conversation: ${describeZodError(shape.error)}`);
  const c = shape.data;
  if (!c.last_status) return { ok: true, ignored: `conversation ${c.id} has no last status` };
  return statusResult(c.last_status, {
    envelope,
    fallbackAccount: c.accounts.length === 1 ? c.accounts[0] : null,
    forcePrivate: true,
  });
}

function parseStatus(data: unknown, envelope: MastodonEnvelope): NormalizeResult {
  const shape = statusSchema.safeParse(data);
  if (!shape.success) return fail(`not a Mastodon status: ${describeZodError(shape.error)}`);
  return statusResult(shape.data, { envelope });
}

function parseStreamEvent(data: unknown, envelope: MastodonEnvelope): NormalizeResult {
  const shape = streamEventSchema.safeParse(data);
  if (!shape.success) return fail(`not a Mastodon streaming event: ${describeZodError(shape.error)}`);
  const { event, payload } = shape.data;
  const inner = (): { ok: true; value: unknown } | { ok: false; reason: string } => {
    if (payload === undefined) return { ok: false, reason: `the ${event} event has no payload` };
    try {
      return { ok: true, value: JSON.parse(payload) };
    } catch (error) {
      return { ok: false, reason: `the ${event} event's payload is not JSON (${(error as Error).message})` };
    }
  };
  switch (event) {
    case "notification": {
      const value = inner();
      return value.ok ? parseNotification(value.value, envelope) : fail(value.reason);
    }
    case "conversation": {
      const value = inner();
      return value.ok ? parseConversation(value.value, envelope) : fail(value.reason);
    }
    case "update": {
      const value = inner();
      if (!value.ok) return fail(value.reason);
      const status = statusSchema.safeParse(value.value);
      if (!status.success) return fail(`not a Mastodon status: ${describeZodError(status.error)}`);
      // The user stream also carries the home timeline: only posts that mention us are messages.
      if (!mentionsSelf(status.data, envelope.self) && status.data.account?.id !== envelope.self?.id)
        return { ok: true, ignored: `a home-timeline post that does not mention us (${status.data.id})` };
      return statusResult(status.data, { envelope });
    }
    case "status.update": {
      const value = inner();
      if (!value.ok) return fail(value.reason);
      const status = statusSchema.safeParse(value.value);
      if (!status.success) return fail(`not a Mastodon status: ${describeZodError(status.error)}`);
      const s = status.data;
      if (envelope.self && s.account?.id === envelope.self.id)
        return { ok: true, ignored: `our own post ${s.id}` };
      const built = messageOf(s, { envelope });
      if (!built.ok) return fail(built.reason);
      const at = built.message.editedAt ?? iso(envelope.receivedAt);
      if (!at) return fail(`the status.update of ${s.id} has neither edited_at nor a received time`);
      const valid = normalizeCanonicalMessage({ ...built.message, editedAt: at });
      if (!valid.ok) return valid;
      const result = changeResult({
        channel: envelope.channel,
        externalId: s.id,
        change: "edit",
        at,
        text: valid.message.text,
        html: valid.message.html ?? null,
      });
      // Carry the whole post only when it is for us, so an edited home-timeline post is never stored.
      if (result.ok && "change" in result && mentionsSelf(s, envelope.self))
        return { ...result, change: { ...result.change, message: valid.message } };
      return result;
    }
    case "delete": {
      if (!payload?.trim()) return fail("the delete event names no status");
      return deletion(payload.trim(), envelope, "the stream does not date it");
    }
    default:
      return { ok: true, ignored: `a ${event} streaming event, not a message` };
  }
}

/** The `mastodon` raw-event format's normalizer. */
export function parseMastodon(payload: unknown): NormalizeResult {
  const shape = mastodonEnvelopeSchema.safeParse(payload);
  if (!shape.success) return fail(`not a Mastodon payload: ${describeZodError(shape.error)}`);
  const envelope = shape.data;
  switch (envelope.source) {
    case "notification":
      return parseNotification(envelope.data, envelope);
    case "conversation":
      return parseConversation(envelope.data, envelope);
    case "status":
      return parseStatus(envelope.data, envelope);
    case "stream":
      return parseStreamEvent(envelope.data, envelope);
    case "gone":
      return parseGone(envelope.data, envelope);
  }
}
