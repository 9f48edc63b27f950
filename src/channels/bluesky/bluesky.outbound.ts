/**
 * Outbound Bluesky. A public reply is an app.bsky.feed.post whose `reply.parent` is the post answered
 * (uri + cid, read back with getRecord, which also tells whether it still exists) and whose `reply.root`
 * is that post's root (or the post itself); its text gets facets for links and @mentions resolved to
 * DIDs. A reply longer than 300 graphemes is split at word boundaries into a thread of at most
 * MAX_PARTS posts, each answering the one before. A private reply is a DM through the chat service
 * (getConvoForMembers + sendMessage, proxied by the PDS). The external id is the first post's at:// URI
 * (or `chat:<convo>:<message>`), so the person's answer threads back into the conversation.
 *
 * Public replies are idempotent: each post's record key is derived from the reply's id, creation time and
 * part number (bluesky.tid.ts), and a part that exists already (an earlier attempt posted it before the
 * worker died, or before a later part failed) is read back instead of posted again. DMs have no such key
 * in the chat API: a retry after a crash between sending and recording can send a DM twice.
 */
import type { AtpAgent } from "@atproto/api";
import { SendError, type SendInput, type SendResult } from "../../core/outbound.ts";
import { blueskyConfigSchema } from "./bluesky.config.ts";
import { chatExternalId, parseAtUri, postRecordSchema } from "./bluesky.inbound.ts";
import { splitText } from "./bluesky.richtext.ts";
import { type BlueskyClient, clientFor, describeFailure, forgetClient, richText } from "./bluesky.session.ts";
import { replyRkey } from "./bluesky.tid.ts";

const POST = "app.bsky.feed.post";
export const POST_GRAPHEMES = 300;
export const DM_GRAPHEMES = 1000;
/** Longest thread a reply may become; longer replies are refused (write less, or send a DM). */
export const MAX_PARTS = 10;

const failure = (error: unknown, doing: string) => {
  if (error instanceof SendError) return error;
  const f = describeFailure(error);
  return new SendError(`${doing}: ${f.message}`, f.retryable);
};

export async function sendBluesky(input: SendInput): Promise<SendResult> {
  const config = blueskyConfigSchema.safeParse(input.channel.config);
  if (!config.success)
    throw new SendError(`The Bluesky channel ${input.channel.key} is not set up (config).`, false);
  const password = input.channel.secrets?.appPassword;
  if (!password) throw new SendError(`The Bluesky channel ${input.channel.key} has no app password.`, false);
  let client: BlueskyClient;
  try {
    client = await clientFor(config.data, password);
  } catch (error) {
    throw failure(error, `Signing in as @${config.data.handle} failed`);
  }
  try {
    return input.conversation.visibility === "private" || input.message.visibility === "private"
      ? await sendDm(client, input)
      : await sendReply(client, input);
  } catch (error) {
    const f = failure(
      error,
      input.conversation.visibility === "private" ? "Sending the DM failed" : "Posting the reply failed",
    );
    if (/refused the handle or app password/.test(f.message)) forgetClient(config.data, password);
    throw f;
  }
}

async function sendReply(client: BlueskyClient, input: SendInput): Promise<SendResult> {
  const parentUri = input.replyToExternalId;
  const parentParts = parentUri ? parseAtUri(parentUri) : null;
  if (!parentUri || parentParts?.collection !== POST)
    throw new SendError("This conversation has no Bluesky post to reply to.", false);
  const parts = splitText(input.message.text, POST_GRAPHEMES);
  if (parts.length > MAX_PARTS)
    throw new SendError(
      `The reply is too long for Bluesky: it would take ${parts.length} posts of ${POST_GRAPHEMES} characters (at most ${MAX_PARTS}). Shorten it, or answer by DM.`,
      false,
    );

  let parent: { uri: string; cid: string; value: unknown };
  try {
    const found = await client.agent.com.atproto.repo.getRecord({
      repo: parentParts.did,
      collection: POST,
      rkey: parentParts.rkey,
    });
    parent = { uri: found.data.uri, cid: found.data.cid ?? "", value: found.data.value };
  } catch (error) {
    const f = describeFailure(error);
    if (!f.retryable && /RecordNotFound|Could not locate record|not found/i.test(f.message))
      throw new SendError(`The post this answers no longer exists (${parentUri}): ${f.message}`, false);
    throw failure(error, "Reading the post to reply to failed");
  }
  if (!parent.cid) throw new SendError(`Bluesky returned the post ${parentUri} without its CID.`, true);
  const record = postRecordSchema.safeParse(parent.value);
  const root =
    record.success && record.data.reply ? record.data.reply.root : { uri: parent.uri, cid: parent.cid };

  let first: string | null = null;
  let previous = { uri: parent.uri, cid: parent.cid };
  for (const [index, part] of parts.entries()) {
    const created = await postPart(client, input, index, {
      ...(await richText(client.agent, part)),
      reply: { root, parent: previous },
    });
    first ??= created.uri;
    previous = created;
  }
  return { externalId: first! };
}

/** Posts one part of a reply under its stable record key, or finds it posted by an earlier attempt. */
async function postPart(
  client: BlueskyClient,
  input: SendInput,
  index: number,
  record: { text: string; facets?: unknown[]; reply: unknown },
): Promise<{ uri: string; cid: string }> {
  const createdAt = input.message.createdAt;
  if (!createdAt) {
    const created = await client.agent.post({ ...record, createdAt: new Date().toISOString() } as never);
    return { uri: created.uri, cid: created.cid };
  }
  const rkey = replyRkey(input.message.id, createdAt, index);
  try {
    const found = await client.agent.com.atproto.repo.getRecord({ repo: client.did, collection: POST, rkey });
    if (found.data.cid) return { uri: found.data.uri, cid: found.data.cid };
  } catch (error) {
    const f = describeFailure(error);
    if (f.retryable || !/RecordNotFound|Could not locate record|not found/i.test(f.message)) throw error;
  }
  const created = await client.agent.com.atproto.repo.createRecord({
    repo: client.did,
    collection: POST,
    rkey,
    record: { $type: POST, ...record, createdAt: new Date().toISOString() },
  });
  return { uri: created.data.uri, cid: created.data.cid };
}

async function sendDm(client: BlueskyClient, input: SendInput): Promise<SendResult> {
  const did = input.conversation.recipient?.externalId;
  if (!did?.startsWith("did:"))
    throw new SendError("This conversation has no Bluesky account to write to.", false);
  const parts = splitText(input.message.text, DM_GRAPHEMES);
  if (parts.length > MAX_PARTS)
    throw new SendError(
      `The message is too long: it would take ${parts.length} DMs (at most ${MAX_PARTS}).`,
      false,
    );
  const convo = await client.chat.chat.bsky.convo.getConvoForMembers({ members: [did] });
  const convoId = convo.data.convo.id;
  let first: string | null = null;
  for (const part of parts) {
    const sent = await client.chat.chat.bsky.convo.sendMessage({
      convoId,
      message: (await richText(client.agent as AtpAgent, part)) as { text: string },
    });
    first ??= chatExternalId(convoId, sent.data.id);
  }
  return { externalId: first! };
}
