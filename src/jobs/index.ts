/** Builds the worker with every job handler Rapport has. */
import type { ConnectorLookup } from "../core/outbound.ts";
import type { EventBus } from "../services/events.ts";
import { SEND_QUEUE } from "../services/reply.service.ts";
import type { SecretBox } from "../services/secrets.ts";
import type { Database } from "../store/db.ts";
import { sendJob } from "./send.job.ts";
import { Worker, type WorkerOptions } from "./worker.ts";

export function createWorker(
  deps: { database: Database; events: EventBus; connectors: ConnectorLookup; secrets?: SecretBox | null },
  options: Omit<WorkerOptions, "database" | "handlers"> = {},
): Worker {
  return new Worker({
    database: deps.database,
    handlers: { [SEND_QUEUE]: sendJob(deps) },
    ...options,
  });
}
