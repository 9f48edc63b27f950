/**
 * Runs the poll/stream loops of the set-up channels whose connector has one (`rapport serve` starts
 * them). Each loop gets the channel's decrypted secrets and saved cursor, hands what it fetches to the
 * ingest pipeline, and stores its cursor in `channels.cursor`, so a restart resumes where it stopped.
 * Several processes polling one mailbox are safe (the pipeline stores each message once), only wasteful.
 */
import type { IngestItem, IngestSummary } from "../services/ingest.types.ts";
import type { SecretBox } from "../services/secrets.ts";
import { type ChannelRow, channelRepository } from "../store/channel.repository.ts";
import type { Database } from "../store/db.ts";
import type { PollLog } from "./connector.ts";
import type { ConnectorRegistry } from "./registry.ts";

export interface PollerDeps {
  database: Database;
  ingest: { ingest(items: IngestItem[]): Promise<IngestSummary> };
  connectors: ConnectorRegistry;
  secrets: SecretBox | null;
  log: PollLog;
}

export class ChannelPollers {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(private readonly deps: PollerDeps) {}

  /** Starts a loop for every set-up channel with a polling connector; returns how many started. */
  async start(): Promise<number> {
    for (const channel of await channelRepository(this.deps.database.db).list()) this.startChannel(channel);
    return this.running.size;
  }

  /** Starts (or keeps) the loop of one channel; false when its kind does not poll or it has no secrets. */
  startChannel(channel: ChannelRow): boolean {
    const connector = this.deps.connectors.get(channel.kind);
    if (!connector?.poll || !channel.secrets || this.running.has(channel.id)) return false;
    if (!this.deps.secrets) {
      this.deps.log.warn(`Channel ${channel.key} is not polled: no secret key to decrypt its secrets.`);
      return false;
    }
    const controller = new AbortController();
    const channels = channelRepository(this.deps.database.db);
    const log = this.deps.log;
    const done = connector
      .poll({
        channel: {
          id: channel.id,
          key: channel.key,
          kind: channel.kind,
          name: channel.name,
          config: channel.config,
          secrets: this.deps.secrets.open(channel.secrets),
        },
        cursor: channel.cursor,
        signal: controller.signal,
        ingest: (items) => this.deps.ingest.ingest(items),
        saveCursor: (cursor) => channels.setCursor(channel.id, cursor),
        log: {
          info: (message, data) => log.info(`[${channel.key}] ${message}`, data),
          warn: (message, data) => log.warn(`[${channel.key}] ${message}`, data),
        },
      })
      .catch((error: unknown) =>
        log.warn(
          `[${channel.key}] polling stopped: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    this.running.set(channel.id, { controller, done });
    return true;
  }

  async stop(): Promise<void> {
    const loops = [...this.running.values()];
    this.running.clear();
    for (const loop of loops) loop.controller.abort();
    await Promise.all(loops.map((loop) => loop.done));
  }
}
