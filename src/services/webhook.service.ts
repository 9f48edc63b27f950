/**
 * Admins' outbound webhooks: create (the signing secret is shown once), change events/URL, switch
 * on/off, rotate the secret, read the delivery log, redeliver, and send a test event. Deliveries
 * themselves are recorded by the dispatcher and sent by the worker (jobs/webhook.job.ts).
 */
import { randomUUID } from "node:crypto";
import { AppError, notFound } from "../core/errors.ts";
import { generateSigningSecret } from "../core/signature.ts";
import { auditRepository } from "../store/audit.repository.ts";
import type { Database } from "../store/db.ts";
import { JOBS_CHANNEL } from "../store/job.repository.ts";
import type { KeysetPosition } from "../store/sql.helpers.ts";
import {
  type DeliveryStatus,
  WEBHOOK_QUEUE,
  type WebhookRow,
  webhookRepository,
} from "../store/webhook.repository.ts";
import { NO_SECRET_KEY, type SecretBox } from "./secrets.ts";
import { DEFAULT_MAX_ATTEMPTS } from "./webhook.dispatcher.ts";
import { eventBody, TEST_EVENT, type WebhookEventType } from "./webhook.events.ts";
import { postSigned } from "./webhook.http.ts";

export interface WebhookInput {
  name: string;
  url: string;
  events: WebhookEventType[];
  enabled?: boolean;
}

export interface Actor {
  kind: "agent" | "token";
  id: string | null;
}

/** A webhook as the API shows it: never its secret. */
export function presentWebhook(
  row: WebhookRow & { lastDeliveryAt?: string | null; lastDeliveryStatus?: string | null },
) {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: row.events,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    consecutiveFailures: row.consecutiveFailures,
    lastDeliveryAt: row.lastDeliveryAt ?? null,
    lastDeliveryStatus: row.lastDeliveryStatus ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type WebhookView = ReturnType<typeof presentWebhook>;

export class WebhookService {
  private readonly repo;
  private readonly audit;

  constructor(
    private readonly deps: {
      database: Database;
      secrets: SecretBox | null;
      maxAttempts?: number;
      timeoutMs?: number;
    },
  ) {
    this.repo = webhookRepository(deps.database.db);
    this.audit = auditRepository(deps.database.db);
  }

  private box(): SecretBox {
    if (!this.deps.secrets) throw new AppError("bad_request", NO_SECRET_KEY);
    return this.deps.secrets;
  }

  private async record(actor: Actor, action: string, id: string, data?: unknown) {
    await this.audit.record({
      actorKind: actor.kind,
      actorId: actor.id,
      action,
      subjectType: "webhook",
      subjectId: id,
      ...(data === undefined ? {} : { data }),
    });
  }

  async list(): Promise<WebhookView[]> {
    return (await this.repo.list()).map(presentWebhook);
  }

  async get(id: string): Promise<WebhookView> {
    const row = (await this.repo.list()).find((w) => w.id === id);
    if (!row) throw notFound("The webhook");
    return presentWebhook(row);
  }

  /** Creates a webhook; its signing secret is in the answer and never shown again. */
  async create(input: WebhookInput, actor: Actor): Promise<{ webhook: WebhookView; secret: string }> {
    const secret = generateSigningSecret();
    const row = await this.repo.create({
      name: input.name,
      url: input.url,
      events: [...new Set(input.events)],
      enabled: input.enabled ?? true,
      secret: this.box().seal({ secret }),
      createdByAgentId: actor.kind === "agent" ? actor.id : null,
    });
    await this.record(actor, "webhook.created", row.id, { url: row.url, events: row.events });
    return { webhook: presentWebhook(row), secret };
  }

  async update(id: string, patch: Partial<WebhookInput>, actor: Actor): Promise<WebhookView> {
    const before = await this.repo.get(id);
    if (!before) throw notFound("The webhook");
    const changes: Partial<WebhookInput> = { ...patch };
    if (patch.events) changes.events = [...new Set(patch.events)];
    if (patch.enabled === before.enabled) delete changes.enabled;
    const row = await this.repo.update(id, changes);
    if (!row) throw notFound("The webhook");
    if (changes.enabled === false) await this.repo.cancelPending(id, "the webhook was disabled by an admin");
    await this.record(actor, "webhook.updated", id, changes);
    return this.get(id);
  }

  async remove(id: string, actor: Actor): Promise<void> {
    if (!(await this.repo.remove(id))) throw notFound("The webhook");
    await this.record(actor, "webhook.deleted", id);
  }

  /** A new secret, effective at once (the old one stops verifying); shown this once. */
  async rotateSecret(id: string, actor: Actor): Promise<{ secret: string }> {
    const secret = generateSigningSecret();
    const row = await this.repo.update(id, { secret: this.box().seal({ secret }) });
    if (!row) throw notFound("The webhook");
    await this.record(actor, "webhook.secret_rotated", id);
    return { secret };
  }

  async deliveries(id: string, options: { status?: DeliveryStatus; limit: number; after?: KeysetPosition }) {
    if (!(await this.repo.get(id))) throw notFound("The webhook");
    return this.repo.deliveries(id, options);
  }

  async delivery(id: string, deliveryId: string) {
    const delivery = await this.repo.delivery(id, deliveryId);
    if (!delivery) throw notFound("The delivery");
    return delivery;
  }

  /** Sends a finished delivery again: a new delivery with the same event id and body. */
  async redeliver(id: string, deliveryId: string, actor: Actor) {
    const webhook = await this.repo.get(id);
    if (!webhook) throw notFound("The webhook");
    if (!webhook.enabled)
      throw new AppError("conflict", "The webhook is disabled: switch it on before redelivering.");
    const original = await this.repo.delivery(id, deliveryId);
    if (!original) throw notFound("The delivery");
    if (original.status === "pending")
      throw new AppError("conflict", "The delivery is still being attempted; wait for it to finish.");
    const next = randomUUID();
    await this.repo.enqueue(
      [
        {
          id: next,
          webhookId: id,
          eventId: original.eventId,
          event: original.event,
          body: original.body,
          redeliveryOf: original.id,
        },
      ],
      this.deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    );
    await this.deps.database.notify(JOBS_CHANNEL, WEBHOOK_QUEUE).catch(() => {});
    await this.record(actor, "webhook.redelivered", id, { deliveryId, redeliveryId: next });
    return this.delivery(id, next);
  }

  /**
   * Sends a `webhook.test` event now, once, and answers with what the receiver said (also in the log).
   * Works on a disabled webhook, to check an endpoint before switching it back on; it does not count
   * towards switching a webhook off.
   */
  async sendTest(id: string) {
    const webhook = await this.repo.get(id);
    if (!webhook) throw notFound("The webhook");
    const secret = this.box().open(webhook.secret).secret ?? "";
    const snapshot = eventBody(
      TEST_EVENT,
      {
        webhook: { id: webhook.id, name: webhook.name, url: webhook.url, events: webhook.events },
        message: "A test event from Rapport: if you can read this, the webhook works.",
      },
      new Date(),
    );
    const deliveryId = randomUUID();
    await this.repo.insertDelivery({
      id: deliveryId,
      webhookId: id,
      eventId: snapshot.eventId,
      event: TEST_EVENT,
      body: snapshot.body,
    });
    const result = await postSigned(webhook.url, snapshot.body, secret, {
      headers: {
        "x-rapport-event": TEST_EVENT,
        "x-rapport-event-id": snapshot.eventId,
        "x-rapport-delivery": deliveryId,
      },
      ...(this.deps.timeoutMs ? { timeoutMs: this.deps.timeoutMs } : {}),
    });
    await this.repo.recordAttempt(
      deliveryId,
      {
        attempt: 1,
        startedAt: result.startedAt,
        durationMs: result.durationMs,
        statusCode: result.statusCode,
        responseExcerpt: result.excerpt,
        error: result.error ?? null,
      },
      result.ok ? "succeeded" : "failed",
    );
    return this.delivery(id, deliveryId);
  }
}
