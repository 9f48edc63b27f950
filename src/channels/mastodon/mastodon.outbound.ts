/**
 * Outbound Mastodon: a reply in the thread (`in_reply_to_id` = the newest inbound post), mentioning the
 * person (a Mastodon reply reaches people through its mentions — for a DM, everyone in it), with the
 * visibility of the post it answers: a DM stays `direct`, public stays public, unlisted stays unlisted.
 * The post's id is the reply's external id. An `Idempotency-Key` (our message id) makes a retried job
 * return the status already posted instead of posting twice. Refusals carry the server's words:
 * 4xx (422 too long, 404 deleted, 401/403 token or scope) are permanent, 429/5xx/network retryable.
 */
import { createHash } from "node:crypto";
import { SendError, type SendInput, type SendResult } from "../../core/outbound.ts";
import { type FetchLike, MastodonApiError, MastodonClient } from "./mastodon.api.ts";
import { mastodonConfigSchema } from "./mastodon.config.ts";
import { mastodonLength } from "./mastodon.html.ts";

type Visibility = "public" | "unlisted" | "private" | "direct";
interface Status {
  id: string;
  visibility: Visibility;
  account: { id: string; acct: string };
  mentions?: Array<{ id: string; acct: string }>;
}
interface Instance {
  configuration?: { statuses?: { max_characters?: number } };
  max_toot_chars?: number;
}

const DEFAULT_MAX = 500;
const HOUR = 3_600_000;
/** Per instance and token: the length limit and our own account, looked up at most hourly. */
const cache = new Map<string, { at: number; maxCharacters: number; self: { id: string; acct: string } }>();

export interface SendOptions {
  fetch?: FetchLike;
}

/** The send error for a failed request, with the server's own words. */
export function sendFailure(error: unknown, what: string): SendError {
  if (error instanceof MastodonApiError) {
    const permanent =
      error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
    const when =
      error.retryAfterMs !== null ? ` (try again after ${Math.ceil(error.retryAfterMs / 1000)} s)` : "";
    return new SendError(`${what}: ${error.message}${when}`, !permanent);
  }
  return new SendError(`${what}: ${error instanceof Error ? error.message : String(error)}`);
}

async function instanceFacts(client: MastodonClient, key: string) {
  const cached = cache.get(key);
  if (cached && Date.now() - cached.at < HOUR) return cached;
  const me = await client.get<{ id: string; acct: string }>("/api/v1/accounts/verify_credentials");
  let maxCharacters = DEFAULT_MAX;
  try {
    const { data } = await client.get<Instance>("/api/v2/instance", { anonymous: true });
    maxCharacters = data?.configuration?.statuses?.max_characters ?? DEFAULT_MAX;
  } catch {
    try {
      const { data } = await client.get<Instance>("/api/v1/instance", { anonymous: true });
      maxCharacters = data?.configuration?.statuses?.max_characters ?? data?.max_toot_chars ?? DEFAULT_MAX;
    } catch {}
  }
  const facts = { at: Date.now(), maxCharacters, self: { id: String(me.data.id), acct: me.data.acct } };
  cache.set(key, facts);
  return facts;
}

export async function sendMastodon(input: SendInput, options: SendOptions = {}): Promise<SendResult> {
  const config = mastodonConfigSchema.safeParse(input.channel.config);
  if (!config.success)
    throw new SendError(`The Mastodon channel ${input.channel.key} is not set up (config).`, false);
  const accessToken = input.channel.secrets?.accessToken;
  if (!accessToken)
    throw new SendError(`The Mastodon channel ${input.channel.key} has no access token.`, false);
  const instanceUrl = config.data.instanceUrl;
  // Rate limits and 5xx: one quick retry here; longer waits go back to the outbox's backoff.
  const client = new MastodonClient({
    instanceUrl,
    accessToken,
    retries: 1,
    maxWaitMs: 5_000,
    backoff: { baseMs: 500, maxMs: 5_000 },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  let facts: Awaited<ReturnType<typeof instanceFacts>>;
  try {
    facts = await instanceFacts(
      client,
      createHash("sha256").update(`${instanceUrl} ${accessToken}`).digest("hex"),
    );
  } catch (error) {
    throw sendFailure(error, `Could not sign in to ${instanceUrl}`);
  }

  let parent: Status | null = null;
  if (input.replyToExternalId) {
    try {
      parent = (await client.get<Status>(`/api/v1/statuses/${encodeURIComponent(input.replyToExternalId)}`))
        .data;
    } catch (error) {
      if (error instanceof MastodonApiError && error.status === 404)
        throw new SendError(
          `The post being answered (${input.replyToExternalId}) no longer exists on ${instanceUrl} — deleted by its author? Nothing was posted.`,
          false,
        );
      throw sendFailure(error, "Could not read the post being answered");
    }
  }

  const isPrivate = input.conversation.visibility === "private" || parent?.visibility === "direct";
  const visibility: Visibility = isPrivate ? "direct" : (parent?.visibility ?? "public");
  const recipients = new Set<string>();
  if (parent && parent.account.id !== facts.self.id) recipients.add(parent.account.acct);
  if (parent && isPrivate)
    for (const m of parent.mentions ?? []) if (m.id !== facts.self.id) recipients.add(m.acct);
  if (recipients.size === 0 && input.conversation.recipient?.handle)
    recipients.add(input.conversation.recipient.handle.replace(/^@/, ""));
  if (isPrivate && recipients.size === 0)
    throw new SendError("This direct conversation names nobody to send the reply to.", false);

  const body = input.message.text.trim();
  const missing = [...recipients].filter(
    (acct) => !new RegExp(`(^|\\s)@${escapeRegExp(acct)}\\b`, "i").test(body),
  );
  const status = missing.length > 0 ? `${missing.map((a) => `@${a}`).join(" ")} ${body}` : body;
  const length = mastodonLength(status);
  if (length > facts.maxCharacters)
    throw new SendError(
      `The reply is ${length} characters (with the mention); ${new URL(instanceUrl).host} allows ${facts.maxCharacters}. Shorten it and send again.`,
      false,
    );

  try {
    const { data } = await client.post<{ id: string }>("/api/v1/statuses", {
      headers: { "idempotency-key": input.message.id },
      body: { status, visibility, ...(parent ? { in_reply_to_id: parent.id } : {}) },
    });
    return { externalId: String(data.id) };
  } catch (error) {
    throw sendFailure(error, `${new URL(instanceUrl).host} refused the reply`);
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
