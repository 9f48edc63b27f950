/**
 * What the Mastodon simulator suites share: a connector with fast test timings, the simulator with one
 * channel on it, and ChannelPollers whose ingest records every item (where from, which payload) before
 * the real pipeline stores it, with the loop's log kept for assertions.
 */
import { expect } from "vitest";
import type { EngineContext } from "../../../test/helpers/engines.ts";
import { createServices, type Services } from "../../services/container.ts";
import type { IngestItem } from "../../services/ingest.types.ts";
import { SecretBox } from "../../services/secrets.ts";
import { channelRepository } from "../../store/channel.repository.ts";
import { ChannelPollers } from "../pollers.ts";
import { ConnectorRegistry } from "../registry.ts";
import { mastodonConnector } from "./mastodon.connector.ts";
import type { MastodonEnvelope } from "./mastodon.inbound.ts";
import type { MastodonPollOptions } from "./mastodon.poller.ts";
import { MastodonSimulator } from "./mastodon.simulator.ts";

export const WAIT = { timeout: 40_000, interval: 50 };

/** The Mastodon connector with timings for tests (a stream retried only when a test makes it). */
export function simConnectors(poll: MastodonPollOptions = {}): ConnectorRegistry {
  return new ConnectorRegistry([
    mastodonConnector({
      poll: {
        pollMs: 300,
        catchUpMs: 60_000,
        streamRetryMs: 60_000,
        pingMs: 1_000,
        backoff: { baseMs: 50, maxMs: 400 },
        ...poll,
      },
    }),
  ]);
}

export interface Ingested {
  /** The item's source, e.g. `mastodon:stream`, `mastodon:rest`, `mastodon:reconcile`. */
  via: string;
  source: MastodonEnvelope["source"];
  data: unknown;
  payload: unknown;
}

/**
 * A simulator suite's fixtures: the simulator, a secret box, the connector, the pipeline and one channel
 * for the simulator's token; `start()` runs the channels' poll loops with a recording ingest.
 */
export class MastodonSuite {
  readonly sim = new MastodonSimulator();
  readonly box: SecretBox;
  readonly connectors: ConnectorRegistry;
  readonly logs: string[] = [];
  readonly ingested: Ingested[] = [];
  readonly log = {
    info: (m: string) => void this.logs.push(m),
    warn: (m: string, d?: Record<string, unknown>) =>
      void this.logs.push(`${m} ${d ? JSON.stringify(d) : ""}`),
  };
  private services: Services | undefined;
  private pollers: ChannelPollers | undefined;

  constructor(
    private readonly ctx: EngineContext,
    options: { poll?: MastodonPollOptions; secretByte?: number } = {},
  ) {
    this.box = new SecretBox(Buffer.alloc(32, options.secretByte ?? 5));
    this.connectors = simConnectors(options.poll);
  }

  /** Starts the simulator; creates the pipeline and the channel (in beforeAll, once the database is open). */
  async setUp(): Promise<{ services: Services; channelId: string }> {
    await this.sim.start();
    const services = createServices(this.ctx.database);
    this.services = services;
    this.connectors.registerFormats(services.normalizers);
    const channel = await channelRepository(this.ctx.database.db).create({
      key: "northwind-mastodon",
      kind: "mastodon",
      platform: "mastodon",
      name: "Northwind on Mastodon",
      config: { instanceUrl: this.sim.url },
      secrets: this.box.seal({ accessToken: this.sim.token }),
    });
    return { services, channelId: channel!.id };
  }

  /** Starts the channels' poll loops and waits for the stream to connect. */
  async start(): Promise<void> {
    const services = this.services!;
    this.pollers = new ChannelPollers({
      database: this.ctx.database,
      connectors: this.connectors,
      secrets: this.box,
      log: this.log,
      ingest: {
        ingest: (items: IngestItem[]) => {
          for (const i of items) {
            const p = i.payload as MastodonEnvelope;
            this.ingested.push({ via: i.source, source: p.source, data: p.data, payload: i.payload });
          }
          return services.ingest.ingest(items);
        },
      },
    });
    await this.pollers.start();
    await expect.poll(() => this.sim.streamCount, WAIT).toBe(1);
  }

  async stop(): Promise<void> {
    await this.pollers?.stop();
  }

  async tearDown(): Promise<void> {
    await this.stop();
    await this.sim.stop();
  }
}
