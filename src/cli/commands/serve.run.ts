/**
 * `rapport serve`: the server process (HTTP API, realtime, send worker, channel pollers). serve.command.ts
 * loads this module only when the command runs, so other commands start without the server.
 */
import { type BlueskyDemo, startBlueskyDemo } from "../../channels/bluesky/bluesky.demo.ts";
import { skipLiveDemoChannel } from "../../channels/demo/live-demo.keys.ts";
import type { MastodonDemo } from "../../channels/mastodon/mastodon.demo.ts";
import { ChannelPollers } from "../../channels/pollers.ts";
import { createConnectorRegistry } from "../../channels/registry.ts";
import { loadConfig } from "../../config.ts";
import { createWorker } from "../../jobs/index.ts";
import { buildApp } from "../../server/app.ts";
import { AuthService } from "../../services/auth.service.ts";
import { createServices } from "../../services/container.ts";
import { seedDemoWorkspace } from "../../services/demo.service.ts";
import { startPendingRecovery } from "../../services/ingest.recovery.ts";
import { openSecretBox } from "../../services/secrets.ts";
import { webchatDirectory } from "../../services/webchat.directory.ts";
import { WebhookDispatcher } from "../../services/webhook.dispatcher.ts";
import { openDatabase } from "../../store/db.ts";

export type ServeOptions = {
  demo?: boolean;
  port?: number;
  host?: string;
  worker?: boolean;
  pollers?: boolean;
};

export async function runServe(opts: ServeOptions): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl });
  const services = createServices(database);
  // An import that died between storing a batch and deriving its conversations left the derivation
  // recorded: finish it before serving those conversations. One that fails stays recorded (the next
  // start or import retries it) and must not keep the inbox from starting.
  await services.ingest.catchUpDerivations().catch((error: unknown) => {
    console.error(
      `Some imported conversations are not derived yet (retried at the next start): ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  const secrets = openSecretBox({
    secretKey: config.secretKey,
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
  });
  const connectors = createConnectorRegistry({
    demo: opts.demo === true,
    webchat: webchatDirectory(database, secrets),
  });
  connectors.registerFormats(services.normalizers);
  const app = await buildApp({
    database,
    services,
    connectors,
    secrets,
    onChannelCreated: (channel) => pollers?.startChannel(channel),
    onChannelChanged: (channel) => void pollers?.restartChannel(channel),
    onChannelDeleted: (id) => void pollers?.stopChannel(id),
    publicUrl: config.publicUrl,
    logger: { level: config.logLevel },
    secureCookies: config.secureCookies,
  });
  await services.realtime.start();
  // Outbound webhooks: this process records deliveries for the events it produces.
  const dispatcher = new WebhookDispatcher({
    database,
    events: services.events,
    publicUrl: config.publicUrl,
    onError: (error) => app.log.error({ err: error }, "webhook deliveries could not be recorded"),
  });
  dispatcher.start();
  const worker =
    opts.worker === false
      ? null
      : createWorker(
          {
            database,
            events: services.events,
            connectors,
            secrets,
            media: { allowPrivateAddresses: config.mediaAllowPrivate },
          },
          { onError: (error, job) => app.log.warn({ err: error, job: job?.id }, "job failed") },
        );
  const pollers =
    opts.pollers === false
      ? null
      : new ChannelPollers({
          database,
          ingest: services.ingest,
          connectors,
          secrets,
          log: {
            info: (message, data) => app.log.info(data ?? {}, message),
            warn: (message, data) => app.log.warn(data ?? {}, message),
          },
          // A data folder that once ran the demo keeps its live demo channels; their simulators are gone.
          ...(opts.demo ? {} : { skip: skipLiveDemoChannel }),
        });
  let liveDemo: MastodonDemo | null = null;
  let blueskyDemo: BlueskyDemo | null = null;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    await worker?.stop();
    await pollers?.stop();
    await blueskyDemo?.stop();
    await liveDemo?.stop();
    await app.close();
    await dispatcher.stop();
    await services.realtime.stop();
    await database.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  const seed = opts.demo
    ? await seedDemoWorkspace({
        database,
        auth: new AuthService(database.db),
        ingest: services.ingest,
        secrets,
      })
    : null;
  // Demo mode: a live Bluesky channel fed by a local simulator (mentions and DMs arrive, replies go out).
  if (opts.demo && secrets && opts.pollers !== false) {
    blueskyDemo = await startBlueskyDemo({
      database,
      secrets,
      log: { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m) },
    });
  }
  // The live Mastodon demo: a local simulated server and a channel polling it (before the pollers start).
  // Loaded only in demo mode: the simulator is not part of a production start.
  liveDemo = opts.demo
    ? await (await import("../../channels/mastodon/mastodon.demo.ts"))
        .startMastodonDemo({
          database,
          secrets,
          log: {
            info: (message, data) => app.log.info(data ?? {}, message),
            warn: (message, data) => app.log.warn(data ?? {}, message),
          },
        })
        .catch((error: unknown) => {
          app.log.warn({ err: error }, "the live Mastodon demo could not start");
          return null;
        })
    : null;
  const port = opts.port ?? config.port;
  const host = opts.host ?? config.host;
  await app.listen({ port, host });
  await worker?.start();
  const polled = (await pollers?.start()) ?? 0;
  if (polled > 0) app.log.info({ channels: polled }, "polling channels");
  // Offline agents' open work goes back to their team after the grace period (idempotent sweep).
  const sweep = setInterval(() => {
    services.assignment
      .releaseOfflineAgents(database.db)
      .catch((error) => app.log.error({ err: error }, "offline sweep failed"));
  }, 60_000);
  sweep.unref();
  // Payloads stored raw by a process that died before processing them: now and every five minutes.
  startPendingRecovery(services.ingest, {
    warn: (data, message) => app.log.warn(data, message),
    error: (data, message) => app.log.error(data, message),
  });
  const address = app.server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${actualPort}`;
  const where =
    database.engine === "postgres" ? "PostgreSQL (DATABASE_URL)" : `PGlite in ${config.databaseUrl}`;
  if (liveDemo)
    console.log(
      `\nLive Mastodon demo: mentions arrive on "${liveDemo.channel.name}"; replies show at ${liveDemo.simulator.url}`,
    );
  console.log(`\nRapport is running at ${url}  (API docs: ${url}/api/docs; data: ${where})`);
  if (seed) {
    console.log(
      `Demo workspace created: ${seed.conversations} conversations, ${seed.messages} messages.\n` +
        `Sign in as ${seed.adminEmail} with the password: ${seed.adminPassword}\n` +
        "(shown only this once; it is stored as an argon2id hash)\n" +
        `Try the website chat as a visitor at ${url}/widget-demo\n`,
    );
  } else if (opts.demo) {
    console.log("The workspace already has agents, so no demo data was added.\n");
  }
  if (blueskyDemo) {
    console.log(
      `Live Bluesky demo: people mention @northwind-rail.bsky.social on a local simulator (${blueskyDemo.simulator.url}) every ~40 s; answer them in the "bluesky-live" channel.\n`,
    );
  }
}
