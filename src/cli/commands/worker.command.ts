/**
 * `rapport worker` — runs the background job worker (sending replies) without the HTTP server, for
 * scaled deployments: any number of `rapport serve --no-worker` and `rapport worker` processes share one
 * PostgreSQL. (On PGlite the data folder belongs to one process: `rapport serve` runs the worker itself.)
 */
import type { Command } from "commander";
import { createConnectorRegistry } from "../../channels/registry.ts";
import { loadConfig } from "../../config.ts";
import { createWorker } from "../../jobs/index.ts";
import { createServices } from "../../services/container.ts";
import { openSecretBox } from "../../services/secrets.ts";
import { webchatDirectory } from "../../services/webchat.directory.ts";
import { WebhookDispatcher } from "../../services/webhook.dispatcher.ts";
import { openDatabase } from "../../store/db.ts";

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description(
      "Run the background worker alone (sends replies from the outbox and webhook deliveries), for scaled deployments",
    )
    .option("--demo", "send replies on the demo platforms' channels through the demo connector (no network)")
    .option("-c, --concurrency <n>", "jobs run at once (default 4)", (v) => Number.parseInt(v, 10))
    .action(async (opts: { demo?: boolean; concurrency?: number }) => {
      const config = loadConfig();
      const database = await openDatabase({ url: config.databaseUrl });
      const services = createServices(database);
      // Events (message.updated) reach the servers' browsers through NOTIFY.
      await services.realtime.start({ listen: false });
      const secrets = openSecretBox({
        secretKey: config.secretKey,
        ...(config.dataDir ? { dataDir: config.dataDir } : {}),
      });
      // Outbound webhooks for the events this process produces (e.g. a reply's delivery status).
      const dispatcher = new WebhookDispatcher({
        database,
        events: services.events,
        publicUrl: config.publicUrl,
        onError: (error) =>
          console.error(
            `webhook deliveries could not be recorded: ${error instanceof Error ? error.message : error}`,
          ),
      });
      dispatcher.start();
      const worker = createWorker(
        {
          database,
          events: services.events,
          connectors: createConnectorRegistry({
            demo: opts.demo === true,
            webchat: webchatDirectory(database, secrets),
          }),
          secrets,
        },
        {
          ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
          onError: (error, job) =>
            console.error(`job ${job?.id ?? "-"} failed: ${error instanceof Error ? error.message : error}`),
        },
      );
      await worker.start();
      console.log(`Rapport worker ${worker.id} is running (${database.engine}). Stop with Ctrl+C.`);
      let closing = false;
      const shutdown = async () => {
        if (closing) return;
        closing = true;
        await worker.stop();
        await dispatcher.stop();
        await services.realtime.stop();
        await database.close();
        process.exit(0);
      };
      process.on("SIGINT", () => void shutdown());
      process.on("SIGTERM", () => void shutdown());
    });
}
