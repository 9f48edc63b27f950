/**
 * Reading a Bluesky account: up to three loops side by side, one cursor object saved after each ingest.
 * - Jetstream (when `jetstreamUrl` is set): posts within seconds, and deletions. Only events that concern
 *   the account (concernsAccount) are stored; authors get their handle and name from getProfile.
 * - Notifications (always): mentions, replies and quotes, every `pollSeconds` — catch-up when Jetstream
 *   is off, down or past its replay window; the same post from both is stored once (same at:// URI).
 * - DMs (when `directMessages`): the chat log (chat.bsky.convo.getLog) from a `rev` cursor, through the
 *   PDS's `atproto-proxy`; an app password without DM access is reported once and the loop stops.
 * Errors back off exponentially with jitter; a 429 waits for `ratelimit-reset`.
 */
import type { IngestItem } from "../../services/ingest.types.ts";
import type { PollContext } from "../connector.ts";
import { backoffMs, sleep } from "./bluesky.backoff.ts";
import { type BlueskyConfig, blueskyConfigSchema } from "./bluesky.config.ts";
import {
  type BlueskyAccount,
  type BlueskyPayload,
  type ChatLog,
  concernsAccount,
  FORMAT,
  type JetstreamEvent,
  type Notification,
  type Profile,
} from "./bluesky.inbound.ts";
import { runJetstream } from "./bluesky.jetstream.ts";
import {
  type BlueskyClient,
  clientFor,
  describeFailure,
  type Failure,
  forgetClient,
} from "./bluesky.session.ts";

export interface BlueskyCursor {
  /** time_us of the newest handled Jetstream event. */
  jetstream?: number;
  /** indexedAt of the newest notification ingested. */
  notifications?: string;
  /** rev of the newest chat log entry handled. */
  chat?: string;
  /** People who wrote to us, whose deletions the Jetstream loop keeps (newest last, at most MAX_KNOWN). */
  known?: string[];
}

export interface BlueskyPollOptions {
  /** Overrides the channel's poll interval (tests). */
  pollMs?: number;
  backoff?: (failures: number) => number;
  rewindUs?: number;
  /** Where post images are downloaded from (default Bluesky's CDN; tests use the simulator). */
  imageHost?: string;
}

const MAX_KNOWN = 2_000;
const POST = "app.bsky.feed.post";
const CHAT_TYPES = new Set([
  "chat.bsky.convo.defs#logCreateMessage",
  "chat.bsky.convo.defs#logDeleteMessage",
]);

const readCursor = (value: unknown): BlueskyCursor =>
  value && typeof value === "object" ? { ...(value as BlueskyCursor) } : {};

export async function pollBluesky(ctx: PollContext, options: BlueskyPollOptions = {}): Promise<void> {
  const config = blueskyConfigSchema.parse(ctx.channel.config);
  const password = ctx.channel.secrets.appPassword;
  if (!password) throw new Error(`The Bluesky channel ${ctx.channel.key} has no app password.`);
  const state = new PollState(ctx);
  const backoff = options.backoff ?? backoffMs;
  const pollMs = options.pollMs ?? (config.pollSeconds ?? 30) * 1000;

  // Sign in first (with backoff): every loop needs the account's DID.
  let client: BlueskyClient | null = null;
  for (let failures = 1; !client && !ctx.signal.aborted; failures++) {
    try {
      client = await clientFor(config, password);
    } catch (error) {
      const f = describeFailure(error);
      if (!f.retryable) forgetClient(config, password);
      await waitAfter(
        ctx,
        `Signing in as @${config.handle} failed: ${f.message}`,
        f,
        backoff(failures),
        !f.retryable,
      );
    }
  }
  if (!client) return;
  const account: BlueskyAccount = {
    did: client.did,
    handle: client.handle,
    ...(options.imageHost ? { imageHost: options.imageHost } : {}),
  };
  const loop: Loop = { ctx, config, password, account, state, pollMs, backoff };
  const loops = [loopNotifications(loop)];
  if (config.jetstreamUrl) loops.push(loopJetstream(ctx, config, password, account, state, options));
  if (config.directMessages) loops.push(loopChat(loop));
  await Promise.all(loops);
}

/** The shared cursor: each loop updates its part, saves are serialised and always write the whole. */
class PollState {
  readonly cursor: BlueskyCursor;
  readonly known: Set<string>;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: PollContext) {
    this.cursor = readCursor(ctx.cursor);
    this.known = new Set(this.cursor.known ?? []);
  }

  remember(dids: string[]): void {
    for (const did of dids) {
      this.known.delete(did);
      this.known.add(did);
    }
    while (this.known.size > MAX_KNOWN) this.known.delete(this.known.values().next().value!);
  }

  save(part: Partial<BlueskyCursor>): Promise<void> {
    Object.assign(this.cursor, part);
    const snapshot = { ...this.cursor, known: [...this.known] };
    this.saving = this.saving.then(() => this.ctx.saveCursor(snapshot));
    return this.saving;
  }
}

/** Waits after a failure: until a rate limit resets, else `delay`; logs it. */
async function waitAfter(
  ctx: PollContext,
  what: string,
  failure: { resetAt?: number },
  delay: number,
  permanent = false,
): Promise<void> {
  const wait = failure.resetAt ? Math.max(delay, failure.resetAt - Date.now() + 250) : delay;
  ctx.log.warn(
    `${what}; ${permanent ? "check the channel's settings; " : ""}retrying in ${(wait / 1000).toFixed(1)} s`,
  );
  await sleep(wait, ctx.signal);
}

const item = (ctx: PollContext, payload: BlueskyPayload, source: string): IngestItem => ({
  source: `bluesky:${source}:${ctx.channel.key}`,
  format: FORMAT,
  payload,
});

/** What the notification and chat loops share: where they ingest, how they sign in, wait and back off. */
interface Loop {
  ctx: PollContext;
  config: BlueskyConfig;
  password: string;
  account: BlueskyAccount;
  state: PollState;
  pollMs: number;
  backoff: (n: number) => number;
}

/**
 * Runs `step` every `pollMs` until the channel stops, waiting after a failure for the rate limit's reset
 * or the backoff. `onFailure` may end the loop for a failure it cannot get past.
 */
async function repeat(
  loop: Loop,
  what: string,
  step: (client: BlueskyClient) => Promise<void>,
  onFailure: (failure: Failure) => "stop" | "retry",
): Promise<void> {
  let failures = 0;
  while (!loop.ctx.signal.aborted) {
    try {
      await step(await clientFor(loop.config, loop.password));
      failures = 0;
      await sleep(loop.pollMs, loop.ctx.signal);
    } catch (error) {
      const f = describeFailure(error);
      if (onFailure(f) === "stop") return;
      await waitAfter(loop.ctx, `${what} failed: ${f.message}`, f, loop.backoff(++failures), !f.retryable);
    }
  }
}

function loopNotifications(loop: Loop): Promise<void> {
  const { ctx, account, state } = loop;
  return repeat(
    loop,
    "Reading notifications",
    async (client) => {
      const seen = state.cursor.notifications ?? "";
      const fresh: Notification[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const res = await client.agent.app.bsky.notification.listNotifications({
          reasons: ["mention", "reply", "quote"],
          limit: 50,
          ...(cursor ? { cursor } : {}),
        });
        const items = res.data.notifications as unknown as Notification[];
        fresh.push(...items.filter((n) => n.indexedAt >= seen));
        cursor = res.data.cursor;
        // The first run takes one page of recent history; later runs read back to the last one seen.
        if (!seen || !cursor || items.some((n) => n.indexedAt < seen)) break;
      }
      fresh.reverse(); // oldest first
      if (fresh.length > 0) {
        await ctx.ingest(
          fresh.map((notification) =>
            item(ctx, { channel: ctx.channel.key, account, notification }, "notifications"),
          ),
        );
        state.remember(fresh.map((n) => n.author.did));
        await state.save({ notifications: fresh.at(-1)!.indexedAt });
      }
    },
    (f) => {
      if (!f.retryable) forgetClient(loop.config, loop.password);
      return "retry";
    },
  );
}

function loopChat(loop: Loop): Promise<void> {
  const { ctx, account, state } = loop;
  return repeat(
    loop,
    "Reading direct messages",
    async (client) => {
      if (state.cursor.chat === undefined) await seedChat(ctx, client, account, state);
      for (let page = 0; page < 20; page++) {
        const since = state.cursor.chat;
        const res = await client.chat.chat.bsky.convo.getLog(since ? { cursor: since } : {});
        const logs = res.data.logs as unknown as ChatLog[];
        if (logs.length === 0) break;
        // Our own DMs are stored by the outbox when sent; reading them back would race with it.
        const wanted = logs.filter(
          (l) =>
            CHAT_TYPES.has(l.$type) &&
            !(l.$type.endsWith("CreateMessage") && l.message?.sender.did === account.did),
        );
        if (wanted.length > 0)
          await ctx.ingest(
            wanted.map((chatLog) => item(ctx, { channel: ctx.channel.key, account, chatLog }, "chat")),
          );
        const newest = res.data.cursor ?? logs.at(-1)!.rev;
        await state.save({ chat: newest });
        if (!res.data.cursor || newest === since) break;
      }
    },
    (f) => {
      if (f.error === "InvalidToken" && !f.retryable) {
        ctx.log.warn(`Direct messages are not read: ${f.message}`);
        return "stop";
      }
      return "retry";
    },
  );
}

/** First run: each conversation's latest message (from the person), and the log position to go on from. */
async function seedChat(ctx: PollContext, client: BlueskyClient, account: BlueskyAccount, state: PollState) {
  const res = await client.chat.chat.bsky.convo.listConvos({ limit: 100 });
  const convos = res.data.convos;
  const logs: ChatLog[] = convos.flatMap((c) => {
    const last = c.lastMessage as ChatLog["message"] | undefined;
    if (!last || typeof last.text !== "string" || last.sender.did === account.did) return [];
    return [
      {
        $type: "chat.bsky.convo.defs#logCreateMessage",
        rev: last.rev,
        convoId: c.id,
        message: last,
        relatedProfiles: c.members as unknown as Profile[],
      },
    ];
  });
  if (logs.length > 0)
    await ctx.ingest(
      logs.map((chatLog) => item(ctx, { channel: ctx.channel.key, account, chatLog }, "chat")),
    );
  const newest =
    convos
      .map((c) => c.rev)
      .sort()
      .at(-1) ?? "";
  await state.save({ chat: newest });
}

async function loopJetstream(
  ctx: PollContext,
  config: BlueskyConfig,
  password: string,
  account: BlueskyAccount,
  state: PollState,
  options: BlueskyPollOptions,
): Promise<void> {
  const profiles = new Map<string, Profile>();
  const profileOf = async (did: string): Promise<Profile | undefined> => {
    const cached = profiles.get(did);
    if (cached) return cached;
    try {
      const client = await clientFor(config, password);
      const res = await client.agent.app.bsky.actor.getProfile({ actor: did });
      const profile = { did, handle: res.data.handle, displayName: res.data.displayName ?? null };
      if (profiles.size > 5_000) profiles.clear();
      profiles.set(did, profile);
      return profile;
    } catch {
      return undefined; // the handle stays unknown; the DID is the identity either way
    }
  };
  let lastSave = 0;
  await runJetstream({
    url: config.jetstreamUrl!,
    collections: [POST],
    cursor: state.cursor.jetstream ?? null,
    ...(options.rewindUs !== undefined ? { rewindUs: options.rewindUs } : {}),
    signal: ctx.signal,
    log: ctx.log,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    onEvents: async (events: JetstreamEvent[]) => {
      const relevant = events.filter((e) => concernsAccount(e, account.did, state.known));
      if (relevant.length === 0) return;
      const items: IngestItem[] = [];
      for (const event of relevant) {
        const author =
          event.did !== account.did && event.commit?.operation !== "delete"
            ? await profileOf(event.did)
            : undefined;
        items.push(
          item(
            ctx,
            { channel: ctx.channel.key, account, jetstream: event, ...(author ? { author } : {}) },
            "jetstream",
          ),
        );
      }
      await ctx.ingest(items);
      state.remember(relevant.filter((e) => e.did !== account.did).map((e) => e.did));
      lastSave = 0; // something was stored: save the cursor now
    },
    onCursor: async (timeUs) => {
      // The stream moves on even when nothing concerns us; keep the saved position fresh, cheaply.
      if (Date.now() - lastSave < 5_000) return;
      lastSave = Date.now();
      await state.save({ jetstream: Math.max(timeUs, state.cursor.jetstream ?? 0) });
    },
  });
}
