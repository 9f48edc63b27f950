/** Builds the worker with every job handler Rapport has. */
import type { ConnectorLookup } from "../core/outbound.ts";
import type { EventBus } from "../services/events.ts";
import { SEND_QUEUE } from "../services/reply.service.ts";
import type { SecretBox } from "../services/secrets.ts";
import { MEDIA_QUEUE } from "../store/attachment.repository.ts";
import type { Database } from "../store/db.ts";
import { WEBHOOK_QUEUE } from "../store/webhook.repository.ts";
import { attachmentJob } from "./attachment.job.ts";
import type { MediaFetchOptions } from "./media.fetch.ts";
import { sendJob } from "./send.job.ts";
import { webhookJob } from "./webhook.job.ts";
import { Worker, type WorkerOptions } from "./worker.ts";

export function createWorker(
  deps: {
    database: Database;
    events: EventBus;
    connectors: ConnectorLookup;
    secrets?: SecretBox | null;
    /** Outbound webhooks: failed deliveries in a row before a webhook is switched off, request timeout. */
    webhooks?: { disableAfter?: number; timeoutMs?: number };
    /** Downloading files platforms keep (e.g. allowing private addresses). */
    media?: MediaFetchOptions;
  },
  options: Omit<WorkerOptions, "database" | "handlers"> = {},
): Worker {
  return new Worker({
    database: deps.database,
    handlers: {
      [SEND_QUEUE]: sendJob(deps),
      [WEBHOOK_QUEUE]: webhookJob({
        database: deps.database,
        secrets: deps.secrets ?? null,
        ...deps.webhooks,
      }),
      [MEDIA_QUEUE]: attachmentJob({
        database: deps.database,
        events: deps.events,
        ...(deps.media ? { media: deps.media } : {}),
      }),
    },
    ...options,
  });
}
