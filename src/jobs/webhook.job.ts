/**
 * The `webhook` job: one attempt to deliver one webhook delivery (a signed POST of its stored body).
 * Each attempt is logged; a failure is retried by the worker with backoff until the job's attempts are
 * used, then the delivery is `failed` and counts towards switching the webhook off (after
 * `disableAfter` failed deliveries in a row; a success resets the count).
 */
import type { SecretBox } from "../services/secrets.ts";
import { postSigned } from "../services/webhook.http.ts";
import type { Database } from "../store/db.ts";
import { webhookRepository } from "../store/webhook.repository.ts";
import { type JobHandler, PermanentJobError } from "./worker.ts";

/** Failed deliveries in a row after which a webhook is switched off. */
export const DEFAULT_DISABLE_AFTER = 5;

export interface WebhookJobDeps {
  database: Database;
  secrets?: SecretBox | null;
  disableAfter?: number;
  timeoutMs?: number;
}

export function webhookJob(deps: WebhookJobDeps): JobHandler {
  const repo = webhookRepository(deps.database.db);
  return async (payload, job) => {
    const deliveryId = String(payload.deliveryId ?? "");
    const delivery = await repo.toSend(deliveryId);
    // Deleted with its webhook, cancelled, or delivered already (a job retaken after a crash).
    if (delivery?.status !== "pending") return;
    if (!delivery.enabled) {
      await repo.markCancelled(deliveryId, "the webhook is disabled");
      return;
    }
    if (!deps.secrets) throw new PermanentJobError("No secret key: webhook deliveries cannot be signed.");
    const secret = deps.secrets.open(delivery.secret).secret ?? "";
    const result = await postSigned(delivery.url, delivery.body, secret, {
      headers: {
        "x-rapport-event": delivery.event,
        "x-rapport-event-id": delivery.eventId,
        "x-rapport-delivery": delivery.id,
      },
      ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
    });
    const final = !result.ok && job.attempts >= job.maxAttempts;
    await repo.recordAttempt(
      deliveryId,
      {
        attempt: job.attempts,
        startedAt: result.startedAt,
        durationMs: result.durationMs,
        statusCode: result.statusCode,
        responseExcerpt: result.excerpt,
        error: result.error ?? null,
      },
      result.ok ? "succeeded" : final ? "failed" : "pending",
    );
    if (result.ok) {
      await repo.resetFailures(delivery.webhookId);
      return;
    }
    const message = `${new URL(delivery.url).host} ${result.error ?? "failed"}`;
    if (final) {
      await repo.countFailure(delivery.webhookId, deps.disableAfter ?? DEFAULT_DISABLE_AFTER, message);
      throw new PermanentJobError(message);
    }
    throw new Error(message);
  };
}
