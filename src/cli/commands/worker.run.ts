/** `rapport worker`: the job worker alone; worker.command.ts loads this module only when the command runs. */
import { createConnectorRegistry } from "../../channels/registry.ts";
import { loadConfig } from "../../config.ts";
import { createWorker } from "../../jobs/index.ts";
import { createServices } from "../../services/container.ts";
import { startPendingRecovery } from "../../services/ingest.recovery.ts";
import { openSecretBox } from "../../services/secrets.ts";
import { webchatDirectory } from "../../services/webchat.directory.ts";
import { WebhookDispatcher } from "../../services/webhook.dispatcher.ts";
import { openDatabase } from "../../store/db.ts";

export type WorkerOptions = { demo?: boolean; concurrency?: number };

export async function runWorker(opts: WorkerOptions): Promise<void> {
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
  const connectors = createConnectorRegistry({
    demo: opts.demo === true,
    webchat: webchatDirectory(database, secrets),
  });
  // Recovered payloads (below) of a connector's format are read by that connector's parser.
  connectors.registerFormats(services.normalizers);
  const worker = createWorker(
    {
      database,
      events: services.events,
      connectors,
      secrets,
      media: { allowPrivateAddresses: config.mediaAllowPrivate },
    },
    {
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      onError: (error, job) =>
        console.error(`job ${job?.id ?? "-"} failed: ${error instanceof Error ? error.message : error}`),
    },
  );
  await worker.start();
  // Payloads a stopped process stored raw and never processed, as `rapport serve` does (ingest.recovery.ts).
  const stopRecovery = startPendingRecovery(services.ingest, {
    warn: (data, message) => console.warn(`${message}: ${JSON.stringify(data)}`),
    error: (data, message) =>
      console.error(`${message}: ${data.err instanceof Error ? data.err.message : String(data.err)}`),
  });
  console.log(`Rapport worker ${worker.id} is running (${database.engine}). Stop with Ctrl+C.`);
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    stopRecovery();
    await worker.stop();
    await dispatcher.stop();
    await services.realtime.stop();
    await database.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
}
