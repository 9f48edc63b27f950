/**
 * Inbound Mastodon: the streaming API with REST catch-up. On every (re)connect the loop first opens the
 * stream, then reads what it missed over REST — mention (and edit) notifications after the saved
 * notification id, conversations after the saved status id — ingesting page by page (oldest first) and
 * saving the cursor only after each page is ingested. Stream events are ingested as they come, in order,
 * but never move the cursor: only a complete REST page does, so a dropped stream or a restart loses
 * nothing (the gap is read again) and duplicates nothing (the pipeline stores each status once).
 * While streaming, a catch-up also runs every `catchUpMs` (safety net; it advances the cursor). When the
 * server refuses the stream, the loop polls REST every `pollMs` and tries the stream again later.
 * Errors back off exponentially with jitter; 429s wait for the server's Retry-After / X-RateLimit-Reset.
 * After a gap (start, a dropped or refused stream) the edits and deletions the stream would have carried
 * are caught up by re-reading recent posts once the catch-up is done (mastodon.reconcile.ts).
 */
import type { IngestItem } from "../../services/ingest.types.ts";
import type { PollContext } from "../connector.ts";
import {
  type Backoff,
  backoffDelay,
  compareIds,
  DEFAULT_BACKOFF,
  type FetchLike,
  MastodonApiError,
  MastodonClient,
  sleep,
} from "./mastodon.api.ts";
import { mastodonConfigSchema } from "./mastodon.config.ts";
import type { MastodonEnvelope } from "./mastodon.inbound.ts";
import {
  type Finding,
  markGap,
  RECONCILE_DEFAULTS,
  type ReconcileOptions,
  type ReconcileState,
  reconcile,
} from "./mastodon.reconcile.ts";
import { runStream, StreamClosed, type StreamFrame } from "./mastodon.stream.ts";

/** Where the channel stopped: the newest notification and conversation status ingested, per account. */
export interface MastodonCursor {
  account: string;
  notifications?: string;
  conversations?: string;
  /** Until when the stream was last known live (ISO): a restart re-checks posts from before then. */
  liveAt?: string;
  /** A re-check of recent posts still to do (mastodon.reconcile.ts). */
  reconcile?: ReconcileState;
}

export interface MastodonPollOptions {
  /** REST polling interval when the stream is unavailable (default: config.pollSeconds or 30 s). */
  pollMs?: number;
  /** REST catch-up interval while streaming (default 5 min). */
  catchUpMs?: number;
  /** How long to poll REST before trying a refused stream again (default 5 min). */
  streamRetryMs?: number;
  backoff?: Backoff;
  pingMs?: number;
  fetch?: FetchLike;
  /** Re-checking posts after a gap: window, budget. */
  reconcile?: ReconcileOptions;
  /** While the stream is refused, re-check at most this often (default 30 min). */
  reconcilePollingMs?: number;
}

const PAGE = 40;
const NOTIFICATION_TYPES = ["mention", "update"];

interface Account {
  id: string;
  acct: string;
}

export async function pollMastodon(ctx: PollContext, options: MastodonPollOptions = {}): Promise<void> {
  const config = mastodonConfigSchema.parse(ctx.channel.config);
  const accessToken = ctx.channel.secrets.accessToken;
  if (!accessToken) throw new Error(`The Mastodon channel ${ctx.channel.key} has no access token.`);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const pollMs = options.pollMs ?? (config.pollSeconds ?? 30) * 1000;
  const catchUpMs = options.catchUpMs ?? 300_000;
  const streamRetryMs = options.streamRetryMs ?? 300_000;
  const client = new MastodonClient({
    instanceUrl: config.instanceUrl,
    accessToken,
    signal: ctx.signal,
    backoff,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    onWait: (ms, why) => ctx.log.info(`waiting ${(ms / 1000).toFixed(1)} s: ${why}`),
  });

  let self: Account | null = null;
  let streamingUrl = config.instanceUrl;
  let cursor: MastodonCursor | null = null;
  let failures = 0;
  let streamRefusedUntil = 0;
  // Streams that drop soon after opening back off too (each reconnect costs a catch-up's requests).
  let quickDrops = 0;
  let streamSince = 0;

  // Everything is ingested in arrival order, one batch at a time.
  let chain: Promise<unknown> = Promise.resolve();
  const enqueue = (items: IngestItem[]) => {
    const run = chain.then(() => ctx.ingest(items));
    chain = run.catch(() => {});
    return run;
  };
  const item = (
    source: MastodonEnvelope["source"],
    data: unknown,
    via: "rest" | "stream" | "reconcile",
  ): IngestItem => ({
    source: `mastodon:${via}`,
    format: "mastodon",
    payload: {
      channel: ctx.channel.key,
      source,
      instance: config.instanceUrl,
      ...(self ? { self: { id: self.id, acct: self.acct } } : {}),
      receivedAt: new Date().toISOString(),
      data,
    } satisfies MastodonEnvelope,
  });

  /** Reads everything after the cursor over REST, page by page, saving the cursor after each page. */
  const catchUp = async () => {
    await readPages();
    ctx.health?.ok();
  };
  const readPages = async () => {
    if (!self) return;
    const lists = [
      { key: "notifications" as const, path: "/api/v1/notifications", source: "notification" as const },
      { key: "conversations" as const, path: "/api/v1/conversations", source: "conversation" as const },
    ];
    for (const list of lists) {
      for (;;) {
        const after = cursor?.[list.key];
        const { data } = await client.get<Array<Record<string, unknown>>>(list.path, {
          query: {
            limit: PAGE,
            ...(after ? { min_id: after } : {}),
            ...(list.key === "notifications" ? { "types[]": NOTIFICATION_TYPES } : {}),
          },
        });
        const idOf = (x: Record<string, unknown>) =>
          String(
            list.key === "notifications" ? x.id : ((x.last_status as { id?: unknown } | null)?.id ?? ""),
          );
        const page = (Array.isArray(data) ? data : [])
          .filter((x) => idOf(x) && (!after || compareIds(idOf(x), after) > 0))
          .sort((a, b) => compareIds(idOf(a), idOf(b)));
        if (page.length === 0) break;
        await enqueue(page.map((x) => item(list.source, x, "rest")));
        cursor = { ...(cursor ?? { account: self.id }), [list.key]: idOf(page.at(-1)!) };
        await ctx.saveCursor(cursor);
        // The first run reads only the newest page; afterwards every page up to now.
        if (!after || page.length < PAGE) break;
      }
    }
  };

  const windowMs = options.reconcile?.windowMs ?? RECONCILE_DEFAULTS.windowMs;
  const reconcilePollingMs = options.reconcilePollingMs ?? 1_800_000;
  let lastPass = 0;
  const saveState = async (changes: Partial<MastodonCursor>) => {
    if (!self) return;
    cursor = { ...(cursor ?? { account: self.id }), ...changes };
    if (!cursor.reconcile) delete cursor.reconcile;
    await ctx.saveCursor(cursor);
  };
  /**
   * Notes a gap that began at `start`: a pass re-checks what came before and during it. A pass still
   * pending starts over (what it checked may have changed in the new gap).
   */
  const gap = (start: number) => saveState({ reconcile: markGap(cursor?.reconcile, start, windowMs) });
  /** Runs the pending pass, if any; when the rate-limit reserve is reached, when it may go on. */
  const reconcilePending = async (signal: AbortSignal): Promise<number | null> => {
    const state = cursor?.reconcile;
    if (!state || !ctx.recentInbound) return null;
    const result = await reconcile(
      state,
      {
        client,
        recent: ctx.recentInbound,
        ingest: (findings: Finding[]) => enqueue(findings.map((f) => item(f.source, f.data, "reconcile"))),
        save: (next) => saveState({ reconcile: next }),
        log: ctx.log,
        signal,
      },
      options.reconcile,
    );
    if (!result.done) {
      if (signal.aborted) return null;
      ctx.log.info(`re-checking posts paused after ${result.checked} (rate-limit reserve)`);
      return result.resumeAt;
    }
    lastPass = Date.now();
    if (result.checked > 0)
      ctx.log.info(`re-checked ${result.checked} recent posts: ${result.found} edited or deleted`);
    return null;
  };

  const problem = (error: unknown) => {
    const e = error as MastodonApiError;
    ctx.health?.failed({
      service: error instanceof StreamClosed ? "streaming" : "mastodon",
      ...(error instanceof MastodonApiError
        ? { step: e.status === 0 ? e.step : e.status === 401 ? "auth" : "http" }
        : {}),
      message: error instanceof Error ? error.message : String(error),
    });
  };

  const delayFor = (error: unknown, attempt: number) =>
    error instanceof MastodonApiError && error.status === 429 && error.retryAfterMs !== null
      ? Math.max(error.retryAfterMs, 1_000)
      : backoffDelay(attempt, backoff);

  /** One stream connection, with catch-up after it opens and every catchUpMs while it lasts. */
  const streamOnce = async () => {
    const done = new AbortController();
    const stop = () => done.abort();
    ctx.signal.addEventListener("abort", stop);
    // An abort that came before (e.g. while the streaming address was read: that error is swallowed)
    // fires no event: without this the stream would open and run on after the loop was stopped.
    if (ctx.signal.aborted) done.abort();
    const catchUpLoop = async () => {
      for (let attempt = 0; !done.signal.aborted; ) {
        try {
          const started = Date.now();
          await catchUp();
          // Deletions stream live from here on; what happened before is for the pending pass.
          await saveState({ liveAt: new Date(started).toISOString() });
          const resumeAt = await reconcilePending(done.signal);
          failures = 0;
          attempt = 0;
          await sleep(
            resumeAt ? Math.min(catchUpMs, Math.max(1_000, resumeAt - Date.now())) : catchUpMs,
            done.signal,
          );
        } catch (error) {
          if (done.signal.aborted) return;
          ctx.log.warn("catching up over REST failed; trying again", { error: (error as Error).message });
          problem(error);
          await sleep(delayFor(error, attempt++), done.signal);
        }
      }
    };
    let catching: Promise<void> | null = null;
    try {
      await runStream({
        streamingUrl,
        accessToken,
        signal: done.signal,
        ...(options.pingMs ? { pingMs: options.pingMs } : {}),
        onOpen: () => {
          ctx.log.info("streaming connected; catching up over REST");
          catching = catchUpLoop();
        },
        onFrame: (frame: StreamFrame) => {
          enqueue([item("stream", frame, "stream")]).catch((error: unknown) =>
            ctx.log.warn("ingesting a stream event failed (the next catch-up reads it again)", {
              error: (error as Error).message,
            }),
          );
        },
      });
    } finally {
      done.abort();
      ctx.signal.removeEventListener("abort", stop);
      await catching;
    }
  };

  while (!ctx.signal.aborted) {
    try {
      if (!self) {
        const me = await client.get<Account>("/api/v1/accounts/verify_credentials");
        self = { id: String(me.data.id), acct: me.data.acct };
        const saved = ctx.cursor as Partial<MastodonCursor> | null;
        cursor = saved && saved.account === self.id ? { ...saved, account: self.id } : null;
        if (saved && !cursor)
          ctx.log.warn("the token belongs to another account than before: starting afresh");
        // Whatever was edited or deleted while no stream was open (the process was stopped) is re-checked.
        await gap(cursor?.liveAt ? Date.parse(cursor.liveAt) : Date.now());
        streamingUrl = await streamingBase(client, config.instanceUrl);
      }
      if (Date.now() >= streamRefusedUntil) {
        streamSince = Date.now();
        await streamOnce();
      } else {
        await catchUp();
        // A pass paused for the rate limit goes on at the next poll.
        await reconcilePending(ctx.signal);
        failures = 0;
        await sleep(Math.min(pollMs, Math.max(0, streamRefusedUntil - Date.now()) || pollMs), ctx.signal);
      }
    } catch (error) {
      if (ctx.signal.aborted) break;
      if (error instanceof StreamClosed && !error.opened && error.httpStatus !== null) {
        streamRefusedUntil = Date.now() + streamRetryMs;
        if (Date.now() - lastPass >= reconcilePollingMs) await gap(Date.now()).catch(() => {});
        ctx.log.warn(`streaming unavailable (${error.message}); polling every ${pollMs / 1000} s instead`);
        continue;
      }
      if (error instanceof StreamClosed && error.opened) {
        await gap(Date.now()).catch(() => {});
        quickDrops = Date.now() - streamSince < 60_000 ? quickDrops + 1 : 0;
        const delay = backoffDelay(quickDrops, {
          baseMs: Math.min(backoff.baseMs, 500),
          maxMs: backoff.maxMs,
        });
        ctx.log.warn(`${error.message}; reconnecting in ${(delay / 1000).toFixed(1)} s and catching up`);
        await sleep(delay, ctx.signal);
        continue;
      }
      problem(error);
      const delay = delayFor(error, failures++);
      ctx.log.warn(`Mastodon ${config.instanceUrl} failed; retrying in ${(delay / 1000).toFixed(1)} s`, {
        error: error instanceof Error ? error.message : String(error),
      });
      await sleep(delay, ctx.signal);
    }
  }
  await chain;
}

/** The streaming server's address (it may live elsewhere, e.g. wss://streaming.mastodon.social). */
async function streamingBase(client: MastodonClient, instanceUrl: string): Promise<string> {
  try {
    const { data } = await client.get<{ configuration?: { urls?: { streaming?: string } } }>(
      "/api/v2/instance",
      {
        anonymous: true,
      },
    );
    return data?.configuration?.urls?.streaming || instanceUrl;
  } catch {
    return instanceUrl;
  }
}
