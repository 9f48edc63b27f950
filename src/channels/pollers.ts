/**
 * Runs the poll/stream loops of the set-up channels whose connector has one (`rapport serve` starts
 * them). Each loop gets the channel's decrypted secrets and saved cursor, hands what it fetches to the
 * ingest pipeline, stores its cursor in `channels.cursor` (so a restart resumes where it stopped) and its
 * health (last successful poll, last failure) on the channel row for the settings page.
 *
 * Paused channels are not polled. A channel whose settings change (its `updated_at`) is restarted with
 * the new ones: at once in the process that changed it (`restartChannel`), and in every other process by
 * `sync()`, which re-reads the channel list every `syncMs`.
 *
 * One process polls each channel: a loop runs only while its process holds the channel's lease
 * (`poll_leases`), taken or renewed on every sync for `leaseMs` (3 × `syncMs` by default) and released on
 * stop. When the holder dies, another process takes the channel over at its first sync after the lease
 * lapses (within `leaseMs + syncMs`). Were two loops ever to overlap (a process stalled past its lease),
 * nothing is duplicated — the pipeline stores each message once — it is only wasteful.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { sql } from "drizzle-orm";
import type { IngestItem, IngestSummary } from "../services/ingest.types.ts";
import type { SecretBox } from "../services/secrets.ts";
import { type ChannelRow, channelRepository } from "../store/channel.repository.ts";
import type { Database } from "../store/db.ts";
import { HealthRecorder, isPollable } from "./channel.health.ts";
import type { PollLog } from "./connector.ts";
import type { ConnectorRegistry } from "./registry.ts";

/** How long stopping (a restart, or `stop`) waits for a loop to end after aborting it. */
const STOP_TIMEOUT_MS = 10_000;

/** True if `promise` settles within `ms`, false if it has not by then. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface PollerDeps {
  database: Database;
  ingest: { ingest(items: IngestItem[]): Promise<IngestSummary> };
  connectors: ConnectorRegistry;
  secrets: SecretBox | null;
  log: PollLog;
  /**
   * Why a channel is left alone by this process (logged once), or undefined to poll it. `rapport serve`
   * without `--demo` leaves the live demo channels alone: their simulators run only in demo mode.
   */
  skip?: (row: ChannelRow) => string | undefined;
}

interface Loop {
  controller: AbortController;
  done: Promise<void>;
  /** The settings version the loop runs with (channels.updated_at). */
  version: number;
  health: HealthRecorder;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class ChannelPollers {
  private readonly running = new Map<string, Loop>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;
  /** This process's name in `poll_leases`. */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private leaseMs = 90_000;
  private readonly stopTimeoutMs: number;
  /** Channels already logged as skipped (see PollerDeps.skip). */
  private readonly skipped = new Set<string>();

  constructor(
    private readonly deps: PollerDeps,
    options: { stopTimeoutMs?: number } = {},
  ) {
    this.stopTimeoutMs = options.stopTimeoutMs ?? STOP_TIMEOUT_MS;
  }

  /**
   * Starts a loop for every pollable channel that is not paused and not polled by another process, then
   * re-syncs every `syncMs` (renewing its leases for `leaseMs`).
   */
  async start(options: { syncMs?: number; leaseMs?: number } = {}): Promise<number> {
    this.stopped = false;
    const syncMs = options.syncMs ?? 30_000;
    this.leaseMs = options.leaseMs ?? Math.max(3 * syncMs, 1000);
    await this.sync();
    this.timer = setInterval(() => {
      this.sync().catch((error: unknown) =>
        this.deps.log.warn(`Re-reading the channels failed: ${errorText(error)}`),
      );
    }, syncMs);
    this.timer.unref();
    return this.running.size;
  }

  /** Brings the loops in line with the channel table: new, paused, resumed and changed channels. */
  sync(): Promise<void> {
    this.syncing = this.syncing
      .catch(() => {})
      .then(async () => {
        if (this.stopped) return;
        for (const row of await channelRepository(this.deps.database.db).list()) await this.apply(row);
      });
    return this.syncing;
  }

  /** Restarts one channel's loop with its current row (after its settings changed, paused or resumed). */
  restartChannel(row: ChannelRow): Promise<void> {
    return this.queue(row, true);
  }

  /** Starts a new channel's loop (when no other process polls it). */
  startChannel(row: ChannelRow): Promise<void> {
    return this.queue(row, false);
  }

  private queue(row: ChannelRow, force: boolean): Promise<void> {
    this.syncing = this.syncing
      .catch(() => {})
      .then(() => (this.stopped ? undefined : this.apply(row, force)))
      .catch((error: unknown) =>
        this.deps.log.warn(`[${row.key}] starting its loop failed: ${errorText(error)}`),
      );
    return this.syncing;
  }

  /** Takes or renews this process's lease on a channel; false when another process holds it. */
  private async lease(id: string): Promise<boolean> {
    const rows = await this.deps.database.rows<{ holder: string }>(sql`
      INSERT INTO poll_leases (channel_id, holder, expires_at)
      VALUES (${id}, ${this.holder}, now() + ${this.leaseMs} * interval '1 millisecond')
      ON CONFLICT (channel_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
      WHERE poll_leases.holder = EXCLUDED.holder OR poll_leases.expires_at < now()
      RETURNING holder`);
    return rows.length > 0;
  }

  private async release(ids: string[]): Promise<void> {
    for (const id of ids)
      await this.deps.database.rows(
        sql`DELETE FROM poll_leases WHERE channel_id = ${id} AND holder = ${this.holder}`,
      );
  }

  /** Whether a loop runs for this channel. */
  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  private async apply(row: ChannelRow, force = false): Promise<void> {
    const loop = this.running.get(row.id);
    const wanted = this.wants(row);
    const held = wanted && (await this.lease(row.id));
    if (loop && (!held || force || loop.version !== row.updatedAt.getTime())) await this.stopChannel(row.id);
    if (loop && !wanted) await this.release([row.id]);
    if (held && !this.running.has(row.id) && !this.launch(row)) await this.release([row.id]);
  }

  private wants(row: ChannelRow): boolean {
    if (row.pausedAt || !isPollable(row, Boolean(this.deps.connectors.get(row.kind)?.poll))) return false;
    const reason = this.deps.skip?.(row);
    if (reason === undefined) return true;
    if (!this.skipped.has(row.id)) {
      this.skipped.add(row.id);
      this.deps.log.info(`[${row.key}] not polled: ${reason}`);
    }
    return false;
  }

  /** Starts (or keeps) the loop of one channel; false when it is paused, does not poll or has no secrets. */
  private launch(channel: ChannelRow): boolean {
    const connector = this.deps.connectors.get(channel.kind);
    if (!connector?.poll || !this.wants(channel) || this.running.has(channel.id)) return false;
    const channels = channelRepository(this.deps.database.db);
    const log = this.deps.log;
    const health = new HealthRecorder(channel.id, channels, (error) =>
      log.warn(`[${channel.key}] recording its health failed: ${errorText(error)}`),
    );
    if (!this.deps.secrets) {
      const message = `Channel ${channel.key} is not polled: no secret key to decrypt its secrets.`;
      log.warn(message);
      health.failed({ service: "rapport", step: "secrets", message });
      return false;
    }
    let secrets: Record<string, string>;
    try {
      secrets = this.deps.secrets.open(channel.secrets);
    } catch (error) {
      log.warn(`[${channel.key}] not polled: ${errorText(error)}`);
      health.failed({ service: "rapport", step: "secrets", message: errorText(error) });
      return false;
    }
    const controller = new AbortController();
    const done = connector
      .poll({
        channel: {
          id: channel.id,
          key: channel.key,
          kind: channel.kind,
          name: channel.name,
          config: channel.config,
          secrets,
        },
        cursor: channel.cursor,
        signal: controller.signal,
        ingest: async (items) => {
          const summary = await this.deps.ingest.ingest(items);
          health.ok();
          return summary;
        },
        saveCursor: (cursor) => channels.setCursor(channel.id, cursor),
        recentInbound: ({ since, limit }) => channels.recentInbound(channel.id, since, limit),
        health,
        log: {
          info: (message, data) => log.info(`[${channel.key}] ${message}`, data),
          warn: (message, data) => log.warn(`[${channel.key}] ${message}`, data),
        },
      })
      .catch((error: unknown) => {
        log.warn(`[${channel.key}] polling stopped: ${errorText(error)}`);
        health.failed({ service: channel.kind, message: `Polling stopped: ${errorText(error)}` });
      })
      .then(() => health.flush())
      .finally(() => {
        if (this.running.get(channel.id)?.controller === controller) this.running.delete(channel.id);
      });
    this.running.set(channel.id, { controller, done, version: channel.updatedAt.getTime(), health });
    return true;
  }

  /**
   * Stops one channel's loop and waits for it (and its health writes) to end, for at most `timeoutMs`:
   * a loop that does not heed its abort is left behind with a warning (false), so that neither a restart
   * nor a shutdown hangs on it. A restart then runs the new loop beside it until it ends: nothing is
   * stored twice (see the top of this file), it is only wasteful.
   */
  async stopChannel(id: string, timeoutMs = this.stopTimeoutMs, warn = true): Promise<boolean> {
    const loop = this.running.get(id);
    if (!loop) return true;
    this.running.delete(id);
    loop.controller.abort();
    const ended = await settlesWithin(loop.done, timeoutMs);
    if (!ended && warn)
      this.deps.log.warn(
        `Channel ${id}: its loop has not ended ${timeoutMs / 1000} s after being stopped; going on without it`,
      );
    return ended;
  }

  /**
   * Stops every loop and releases their leases. A loop that has not ended `timeoutMs` after its abort
   * (a request or ingest that does not heed it) is left behind with a warning, so that a server's
   * shutdown never hangs on one: the process exits, the cursor it last saved is where the next poller
   * resumes, and anything read twice is stored once.
   */
  async stop(timeoutMs = this.stopTimeoutMs): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // A restart in progress waits at most stopTimeoutMs for its old loop (stopChannel).
    await this.syncing.catch(() => {});
    const loops = [...this.running.keys()];
    const ended = await Promise.all(loops.map((id) => this.stopChannel(id, timeoutMs, false)));
    const late = loops.filter((_, i) => !ended[i]);
    if (late.length > 0)
      this.deps.log.warn(
        `Stopped waiting for ${late.length} channel loop(s) after ${timeoutMs / 1000} s: ${late.join(", ")}`,
      );
    await this.release(loops).catch((error: unknown) =>
      this.deps.log.warn(`Releasing the channels' leases failed: ${errorText(error)}`),
    );
  }
}
