/**
 * Inbound Bluesky: one raw payload → a canonical message, a deletion/edit, or "ignored" with why. Three
 * sources share one format ("bluesky"), each wrapped with the channel and our account:
 * - `jetstream`: a Jetstream v1 event (commit create/update/delete of app.bsky.feed.post; likes, reposts,
 *   follows, blocks, other collections, identity and account events are ignored with the reason);
 * - `notification`: an app.bsky.notification.listNotifications item (mention, reply, quote);
 * - `chatLog`: a chat.bsky.convo.getLog entry (DMs → private conversations).
 * A post's external id is its at:// URI whatever the source, so a mention seen on Jetstream and in
 * notifications is stored once. Pure: the poller does the I/O (profiles) and puts its results in the
 * payload, so a dead letter replays to the same result.
 */
import { z } from "zod";
import type { InboundAttachment, NormalizeResult } from "../../core/inbound.ts";
import { normalizeCanonical } from "../../core/inbound.ts";
import { isMessageTime } from "../../core/instants.ts";
import { facetHtml } from "./bluesky.richtext.ts";

export const FORMAT = "bluesky";
const POST = "app.bsky.feed.post";

const did = z.string().regex(/^did:[a-z]+:[A-Za-z0-9._:%-]+$/, "not a DID");
const strongRef = z.object({ uri: z.string().startsWith("at://"), cid: z.string().min(1) });
const facetSchema = z.object({
  index: z.object({ byteStart: z.number().int().min(0), byteEnd: z.number().int().min(0) }),
  features: z.array(z.looseObject({ $type: z.string().optional() })),
});
export type Facet = z.infer<typeof facetSchema>;

/** An app.bsky.feed.post record (the fields we read; others are kept in the raw event). */
export const postRecordSchema = z.looseObject({
  text: z.string(),
  createdAt: z.string().optional(),
  facets: z.array(facetSchema).optional(),
  reply: z.object({ root: strongRef, parent: strongRef }).optional(),
  embed: z.looseObject({ $type: z.string().optional() }).optional(),
  langs: z.array(z.string()).optional(),
});
export type PostRecord = z.infer<typeof postRecordSchema>;

const profileSchema = z.looseObject({
  did,
  handle: z.string().nullish(),
  displayName: z.string().nullish(),
});
export type Profile = z.infer<typeof profileSchema>;

export const jetstreamEventSchema = z.looseObject({
  did,
  time_us: z.number().int().positive(),
  kind: z.enum(["commit", "identity", "account"]),
  commit: z
    .looseObject({
      operation: z.enum(["create", "update", "delete"]),
      collection: z.string().min(1),
      rkey: z.string().min(1),
      record: z.looseObject({}).optional(),
      cid: z.string().optional(),
    })
    .optional(),
});
export type JetstreamEvent = z.infer<typeof jetstreamEventSchema>;

export const notificationSchema = z.looseObject({
  uri: z.string().startsWith("at://"),
  cid: z.string(),
  author: profileSchema,
  reason: z.string(),
  record: z.unknown(),
  indexedAt: z.string(),
});
export type Notification = z.infer<typeof notificationSchema>;

const messageViewSchema = z.looseObject({
  $type: z.string().optional(),
  id: z.string().min(1),
  rev: z.string(),
  text: z.string().optional(),
  facets: z.array(facetSchema).optional(),
  sender: z.object({ did }),
  sentAt: z.string(),
});
export const chatLogSchema = z.looseObject({
  $type: z.string().min(1),
  rev: z.string(),
  convoId: z.string().min(1),
  message: messageViewSchema.optional(),
  relatedProfiles: z.array(profileSchema).optional(),
});
export type ChatLog = z.infer<typeof chatLogSchema>;

const accountSchema = z.object({
  did,
  handle: z.string().min(1),
  /** Where post images are downloaded from (Bluesky's CDN unless set: tests point it at the simulator). */
  imageHost: z.url({ protocol: /^https?$/ }).optional(),
});
const base = {
  channel: z.string().min(1),
  /** Our account: decides direction (our own posts are outbound) and whose conversation a reply is. */
  account: accountSchema,
};
export const blueskyPayloadSchema = z.union([
  z.object({ ...base, jetstream: jetstreamEventSchema, author: profileSchema.optional() }),
  z.object({ ...base, notification: notificationSchema }),
  z.object({ ...base, chatLog: chatLogSchema }),
]);
export type BlueskyPayload = z.infer<typeof blueskyPayloadSchema>;
export type BlueskyAccount = z.infer<typeof accountSchema>;

const CHANNEL = (name: string) => ({ kind: "bluesky", platform: "bluesky", name });

/** `at://did/collection/rkey` → its parts; null when it is not a record URI. */
export function parseAtUri(uri: string): { did: string; collection: string; rkey: string } | null {
  const m = /^at:\/\/(did:[^/]+)\/([^/]+)\/([^/?#]+)$/.exec(uri);
  return m ? { did: m[1]!, collection: m[2]!, rkey: m[3]! } : null;
}

export const profileUrl = (p: { did: string; handle?: string | null }) =>
  `https://bsky.app/profile/${p.handle && p.handle !== "handle.invalid" ? p.handle : p.did}`;

/** The web address of a post: bsky.app/profile/<did>/post/<rkey>. */
export function postUrl(uri: string): string | null {
  const parts = parseAtUri(uri);
  return parts?.collection === POST ? `https://bsky.app/profile/${parts.did}/post/${parts.rkey}` : null;
}

/**
 * The conversation of a post: one per person per thread (`<root uri>|<person did>`), so two people
 * answering the same post of ours are two conversations, and a person's replies to our reply stay in
 * theirs. Our own posts belong to the person we answered (the parent's author).
 */
export function threadKeyOf(uri: string, record: PostRecord, authorDid: string, ours: string): string {
  const root = record.reply?.root.uri ?? uri;
  const parentAuthor = record.reply ? parseAtUri(record.reply.parent.uri)?.did : undefined;
  const person = authorDid === ours && parentAuthor ? parentAuthor : authorDid;
  return `${root}|${person}`;
}

/**
 * A record's `createdAt` is whatever the author's app wrote: when it is not a date, or not a plausible
 * time for a message (core/instants.ts), the post counts from when the relay saw it.
 */
const isoDate = (value: string | undefined): string | null => {
  if (!value || !isMessageTime(value)) return null;
  return z.iso.datetime({ offset: true }).safeParse(value).success ? value : new Date(value).toISOString();
};

/** Bluesky's image CDN: any post image by its author's DID and the blob's CID (re-encoded as JPEG). */
export const BLUESKY_IMAGE_HOST = "https://cdn.bsky.app";

type ImageEmbed = {
  image?: { mimeType?: string; size?: number; ref?: { $link?: unknown }; cid?: unknown };
  alt?: string;
};

function attachmentsOf(
  embed: PostRecord["embed"],
  authorDid: string,
  imageHost: string,
): InboundAttachment[] {
  const images = (embed?.$type === "app.bsky.embed.recordWithMedia" ? (embed.media as typeof embed) : embed)
    ?.images;
  if (!Array.isArray(images)) return [];
  return images.flatMap((img: ImageEmbed, i) => {
    // A blob names its content by CID: `ref.$link`, or `cid` in the legacy form.
    const cid = img.image?.ref?.$link ?? img.image?.cid;
    const url =
      typeof cid === "string" && /^[a-z0-9]{8,128}$/i.test(cid) && /^did:[a-z]+:[\w.:%-]+$/.test(authorDid)
        ? `${imageHost.replace(/\/+$/, "")}/img/feed_fullsize/plain/${authorDid}/${cid}@jpeg`
        : null;
    const type = url ? "image/jpeg" : (img.image?.mimeType ?? "image/jpeg");
    return [
      {
        filename: `image-${i + 1}.${type.split("/")[1] ?? "jpeg"}`,
        contentType: type,
        size: img.image?.size ?? 0,
        contentBase64: null,
        url,
      },
    ];
  });
}

/** A post record → a canonical message (or a dead letter reason). */
function postMessage(
  channel: string,
  account: BlueskyAccount,
  uri: string,
  rawRecord: unknown,
  author: Profile,
  fallbackAt: string,
): NormalizeResult {
  const shape = postRecordSchema.safeParse(rawRecord);
  if (!shape.success) return { ok: false, reason: `not a post record: ${shape.error.issues[0]?.message}` };
  const record = shape.data;
  const ours = author.did === account.did;
  const result = normalizeCanonical({
    channel,
    externalId: uri,
    threadExternalId: threadKeyOf(uri, record, author.did, account.did),
    ...(record.reply ? { inReplyToExternalId: record.reply.parent.uri } : {}),
    direction: ours ? "out" : "in",
    author: {
      externalId: author.did,
      handle: author.handle && author.handle !== "handle.invalid" ? author.handle : null,
      displayName: author.displayName?.trim() || null,
      profileUrl: profileUrl(author),
    },
    text: record.text,
    createdAt: isoDate(record.createdAt) ?? fallbackAt,
    visibility: "public",
    html: record.facets?.length ? facetHtml(record.text, record.facets) : null,
    attachments: attachmentsOf(record.embed, author.did, account.imageHost ?? BLUESKY_IMAGE_HOST),
  });
  return result.ok && "message" in result ? { ...result, channel: CHANNEL(channel) } : result;
}

const IGNORED: Record<string, string> = {
  "app.bsky.feed.like": "a like",
  "app.bsky.feed.repost": "a repost",
  "app.bsky.graph.follow": "a follow",
  "app.bsky.graph.block": "a block",
  "app.bsky.graph.listitem": "a list membership",
  "app.bsky.actor.profile": "a profile update",
  "app.bsky.feed.threadgate": "a reply setting (threadgate)",
  "app.bsky.feed.postgate": "a quote setting (postgate)",
};

function parseJetstream(
  channel: string,
  account: BlueskyAccount,
  event: JetstreamEvent,
  author: Profile | undefined,
): NormalizeResult {
  const at = new Date(Math.floor(event.time_us / 1000)).toISOString();
  if (event.kind === "identity") return { ok: true, ignored: "an identity event (handle or DID document)" };
  if (event.kind === "account") return { ok: true, ignored: "an account status event" };
  const commit = event.commit;
  if (!commit) return { ok: false, reason: "a commit event without its commit" };
  if (commit.collection !== POST) {
    const what = IGNORED[commit.collection] ?? `a ${commit.collection} record, not a post`;
    return {
      ok: true,
      ignored: commit.operation === "delete" ? `${what} removed` : `${what} (${commit.operation})`,
    };
  }
  const uri = `at://${event.did}/${POST}/${commit.rkey}`;
  if (commit.operation === "delete") {
    return {
      ok: true,
      change: { channel, externalId: uri, change: "delete", at },
      channel: CHANNEL(channel),
    };
  }
  if (!commit.record) return { ok: false, reason: `a post ${commit.operation} without its record` };
  const message = postMessage(channel, account, uri, commit.record, author ?? { did: event.did }, at);
  if (commit.operation === "create" || !message.ok || !("message" in message)) return message;
  // Posts are not editable in Bluesky's app, but the protocol allows updating the record.
  return {
    ok: true,
    change: {
      channel,
      externalId: uri,
      change: "edit",
      at,
      text: message.message.text,
      html: message.message.html,
      message: message.message,
    },
    channel: CHANNEL(channel),
  };
}

const NOTIFIED = new Set(["mention", "reply", "quote"]);

function parseNotification(channel: string, account: BlueskyAccount, n: Notification): NormalizeResult {
  if (!NOTIFIED.has(n.reason)) return { ok: true, ignored: `a ${n.reason} notification` };
  return postMessage(channel, account, n.uri, n.record, n.author, isoDate(n.indexedAt) ?? n.indexedAt);
}

const CREATE = "chat.bsky.convo.defs#logCreateMessage";
const DELETE = "chat.bsky.convo.defs#logDeleteMessage";

export const chatExternalId = (convoId: string, messageId: string) => `chat:${convoId}:${messageId}`;

function parseChat(channel: string, account: BlueskyAccount, log: ChatLog): NormalizeResult {
  const kind = log.$type.replace(/^chat\.bsky\.convo\.defs#log/, "");
  if (log.$type !== CREATE && log.$type !== DELETE) return { ok: true, ignored: `a chat ${kind} event` };
  const m = log.message;
  if (!m) return { ok: false, reason: `a chat ${kind} event without its message` };
  const externalId = chatExternalId(log.convoId, m.id);
  const at = isoDate(m.sentAt);
  if (!at) return { ok: false, reason: `chat message ${m.id}: sentAt is not a date` };
  if (log.$type === DELETE) {
    return { ok: true, change: { channel, externalId, change: "delete", at }, channel: CHANNEL(channel) };
  }
  if (typeof m.text !== "string") return { ok: true, ignored: "a chat message deleted before it was read" };
  const sender = log.relatedProfiles?.find((p) => p.did === m.sender.did) ?? { did: m.sender.did };
  const result = normalizeCanonical({
    channel,
    externalId,
    threadExternalId: `chat:${log.convoId}`,
    direction: m.sender.did === account.did ? "out" : "in",
    author: {
      externalId: sender.did,
      handle: sender.handle && sender.handle !== "handle.invalid" ? sender.handle : null,
      displayName: sender.displayName?.trim() || null,
      profileUrl: profileUrl(sender),
    },
    text: m.text,
    createdAt: at,
    visibility: "private",
    html: m.facets?.length ? facetHtml(m.text, m.facets) : null,
  });
  return result.ok && "message" in result ? { ...result, channel: CHANNEL(channel) } : result;
}

/** The "bluesky" format's normalizer. Never throws. */
export function parseBluesky(payload: unknown): NormalizeResult {
  const shape = blueskyPayloadSchema.safeParse(payload);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    return {
      ok: false,
      reason: `not a Bluesky payload (jetstream, notification or chatLog): ${issue ? `${issue.path.join(".") || "payload"}: ${issue.message}` : "unknown shape"}`,
    };
  }
  const p = shape.data;
  if ("jetstream" in p) return parseJetstream(p.channel, p.account, p.jetstream, p.author);
  if ("notification" in p) return parseNotification(p.channel, p.account, p.notification);
  return parseChat(p.channel, p.account, p.chatLog);
}

const mentionsOf = (record: PostRecord) =>
  (record.facets ?? []).flatMap((f) =>
    f.features.filter((x) => x.$type === "app.bsky.richtext.facet#mention").map((x) => x.did as string),
  );

/**
 * Whether a Jetstream event concerns our account, so the poller keeps it: posts that mention us (facets),
 * reply to or quote our posts, deletes of our posts and of posts by people we know (`known`). Everything
 * else on the network is dropped before it is stored.
 */
export function concernsAccount(event: JetstreamEvent, ours: string, known: ReadonlySet<string>): boolean {
  const c = event.commit;
  if (event.kind !== "commit" || !c || c.collection !== POST) return false;
  // Our own new posts are not read back: the outbox stores Rapport's replies itself, and reading them
  // from the stream too would race with it (see docs/channels/bluesky.md).
  if (event.did === ours) return c.operation !== "create";
  if (c.operation === "delete") return known.has(event.did);
  const record = postRecordSchema.safeParse(c.record);
  if (!record.success) return false;
  const r = record.data;
  const byUs = (uri: string | undefined) => (uri ? parseAtUri(uri)?.did === ours : false);
  const quoted = (r.embed?.record as { uri?: string } | undefined)?.uri;
  const quotedInMedia = (r.embed?.record as { record?: { uri?: string } } | undefined)?.record?.uri;
  return (
    mentionsOf(r).includes(ours) ||
    byUs(r.reply?.parent.uri) ||
    byUs(r.reply?.root.uri) ||
    byUs(quoted) ||
    byUs(quotedInMedia) ||
    (known.has(event.did) && c.operation === "update")
  );
}
