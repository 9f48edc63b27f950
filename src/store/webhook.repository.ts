/**
 * Outbound webhooks, their deliveries and attempts (schema.webhooks.ts). A delivery is created with its
 * job in one statement; its log reads the job's run_at as the next attempt.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { webhookAttempts, webhookDeliveries, webhooks } from "./schema.ts";
import {
  afterPosition,
  isoMicros,
  isoMillis,
  isoMillisRequired,
  type KeysetPosition,
} from "./sql.helpers.ts";

export type WebhookRow = typeof webhooks.$inferSelect;
export type DeliveryStatus = (typeof webhookDeliveries.$inferSelect)["status"];

/** The queue webhook deliveries run on. */
export const WEBHOOK_QUEUE = "webhook";

const rowsOf = async <T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> =>
  ((await db.execute(query)) as unknown as { rows: T[] }).rows;

export interface NewDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  event: string;
  body: string;
  redeliveryOf?: string | null;
}

export interface DeliveryToSend {
  id: string;
  webhookId: string;
  event: string;
  eventId: string;
  body: string;
  status: DeliveryStatus;
  url: string;
  secret: string;
  enabled: boolean;
}

export interface AttemptRecord {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  responseExcerpt: string | null;
  error: string | null;
}

const deliveryColumns = {
  id: webhookDeliveries.id,
  webhookId: webhookDeliveries.webhookId,
  eventId: webhookDeliveries.eventId,
  event: webhookDeliveries.event,
  status: webhookDeliveries.status,
  attempts: webhookDeliveries.attempts,
  lastStatusCode: webhookDeliveries.lastStatusCode,
  lastError: webhookDeliveries.lastError,
  redeliveryOf: webhookDeliveries.redeliveryOf,
  createdAt: isoMillisRequired(webhookDeliveries.createdAt),
  completedAt: isoMillis(webhookDeliveries.completedAt),
  // Qualified by hand: drizzle leaves a select's own columns unqualified, which subqueries would rebind.
  nextAttemptAt: sql<string | null>`(SELECT ${isoMillis(sql`j.run_at`)} FROM jobs j
    WHERE j.id = webhook_deliveries.job_id AND j.status = 'queued' AND webhook_deliveries.status = 'pending')`,
  lastDurationMs: sql<number | null>`(SELECT a.duration_ms FROM webhook_attempts a
    WHERE a.delivery_id = webhook_deliveries.id ORDER BY a.attempt DESC, a.id DESC LIMIT 1)`,
  cursorAt: isoMicros(webhookDeliveries.createdAt),
};

export function webhookRepository(db: Db) {
  return {
    async list(): Promise<
      Array<WebhookRow & { lastDeliveryAt: string | null; lastDeliveryStatus: string | null }>
    > {
      return db
        .select({
          ...getColumns(),
          lastDeliveryAt: sql<string | null>`(SELECT ${isoMillis(sql`d.created_at`)} FROM webhook_deliveries d
            WHERE d.webhook_id = webhooks.id ORDER BY d.created_at DESC LIMIT 1)`,
          lastDeliveryStatus: sql<string | null>`(SELECT d.status FROM webhook_deliveries d
            WHERE d.webhook_id = webhooks.id ORDER BY d.created_at DESC LIMIT 1)`,
        })
        .from(webhooks)
        .orderBy(webhooks.createdAt);
    },

    async get(id: string): Promise<WebhookRow | undefined> {
      const [row] = await db.select().from(webhooks).where(eq(webhooks.id, id));
      return row;
    },

    async create(row: typeof webhooks.$inferInsert): Promise<WebhookRow> {
      const [created] = await db.insert(webhooks).values(row).returning();
      return created!;
    },

    async update(
      id: string,
      patch: Partial<Pick<WebhookRow, "name" | "url" | "events" | "enabled" | "secret">>,
    ): Promise<WebhookRow | undefined> {
      const changes: Partial<typeof webhooks.$inferInsert> = { ...patch, updatedAt: new Date() };
      // Switching on clears the failure count and the reason it was switched off.
      if (patch.enabled === true)
        Object.assign(changes, { consecutiveFailures: 0, disabledReason: null, disabledAt: null });
      if (patch.enabled === false)
        Object.assign(changes, { disabledReason: "Disabled by an admin.", disabledAt: new Date() });
      const [row] = await db.update(webhooks).set(changes).where(eq(webhooks.id, id)).returning();
      return row;
    },

    async remove(id: string): Promise<boolean> {
      await this.cancelPending(id, "the webhook was deleted");
      const rows = await db.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id });
      return rows.length > 0;
    },

    /** Enabled webhooks and their events (read on every batch of events, so changes apply at once). */
    async subscribed(): Promise<Array<{ id: string; events: string[] }>> {
      return db
        .select({ id: webhooks.id, events: webhooks.events })
        .from(webhooks)
        .where(eq(webhooks.enabled, true));
    },

    /**
     * Creates deliveries with one job each (in one statement, so neither exists without the other). A
     * first delivery of an event already recorded for that webhook is skipped. Returns how many.
     */
    async enqueue(rows: NewDelivery[], maxAttempts: number): Promise<number> {
      if (rows.length === 0) return 0;
      const created = await rowsOf<{ id: string }>(
        db,
        sql`WITH r AS (
            SELECT * FROM json_to_recordset(${JSON.stringify(rows)}::json)
              AS r(id uuid, "webhookId" uuid, "eventId" uuid, event text, body text, "redeliveryOf" uuid)
          ), j AS (
            INSERT INTO jobs (queue, payload, max_attempts)
            SELECT ${WEBHOOK_QUEUE}, jsonb_build_object('deliveryId', r.id), ${maxAttempts} FROM r
            RETURNING id, (payload ->> 'deliveryId')::uuid AS delivery_id
          )
          INSERT INTO webhook_deliveries (id, webhook_id, event_id, event, body, redelivery_of, job_id)
          SELECT r.id, r."webhookId", r."eventId", r.event, r.body, r."redeliveryOf", j.id
          FROM r JOIN j ON j.delivery_id = r.id
          ON CONFLICT (webhook_id, event_id) WHERE redelivery_of IS NULL DO NOTHING
          RETURNING id`,
      );
      return created.length;
    },

    /** A delivery created without a job (the synchronous test event). */
    async insertDelivery(row: NewDelivery): Promise<void> {
      await db.insert(webhookDeliveries).values({
        id: row.id,
        webhookId: row.webhookId,
        eventId: row.eventId,
        event: row.event,
        body: row.body,
        redeliveryOf: row.redeliveryOf ?? null,
      });
    },

    async toSend(deliveryId: string): Promise<DeliveryToSend | undefined> {
      const [row] = await db
        .select({
          id: webhookDeliveries.id,
          webhookId: webhookDeliveries.webhookId,
          event: webhookDeliveries.event,
          eventId: webhookDeliveries.eventId,
          body: webhookDeliveries.body,
          status: webhookDeliveries.status,
          url: webhooks.url,
          secret: webhooks.secret,
          enabled: webhooks.enabled,
        })
        .from(webhookDeliveries)
        .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
        .where(eq(webhookDeliveries.id, deliveryId));
      return row;
    },

    /**
     * Records one attempt, and the delivery's outcome when it is final (`succeeded` or `failed`); a
     * delivery cancelled meanwhile stays cancelled.
     */
    async recordAttempt(
      deliveryId: string,
      attempt: AttemptRecord,
      outcome: "pending" | "succeeded" | "failed",
    ) {
      await db.transaction(async (tx) => {
        await tx.insert(webhookAttempts).values({ deliveryId, ...attempt });
        await tx
          .update(webhookDeliveries)
          .set({
            attempts: attempt.attempt,
            lastStatusCode: attempt.statusCode,
            lastError: attempt.error,
            ...(outcome === "pending" ? {} : { status: outcome, completedAt: new Date() }),
          })
          .where(and(eq(webhookDeliveries.id, deliveryId), sql`${webhookDeliveries.status} <> 'cancelled'`));
      });
    },

    async markCancelled(deliveryId: string, reason: string): Promise<void> {
      await db
        .update(webhookDeliveries)
        .set({ status: "cancelled", lastError: reason, completedAt: new Date() })
        .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, "pending")));
    },

    /** A delivery succeeded: the webhook's run of failures ends. */
    async resetFailures(webhookId: string): Promise<void> {
      await db
        .update(webhooks)
        .set({ consecutiveFailures: 0 })
        .where(and(eq(webhooks.id, webhookId), sql`${webhooks.consecutiveFailures} <> 0`));
    },

    /**
     * A delivery used all its attempts: counts it, and switches the webhook off when `disableAfter`
     * deliveries in a row failed (cancelling its pending deliveries). Returns whether it was switched off now.
     */
    async countFailure(webhookId: string, disableAfter: number, lastError: string): Promise<boolean> {
      const [row] = await rowsOf<{ disabled_now: boolean }>(
        db,
        sql`UPDATE webhooks w SET consecutive_failures = w.consecutive_failures + 1,
            enabled = CASE WHEN w.consecutive_failures + 1 >= ${disableAfter} THEN false ELSE w.enabled END,
            disabled_at = CASE WHEN w.enabled AND w.consecutive_failures + 1 >= ${disableAfter} THEN now() ELSE w.disabled_at END,
            disabled_reason = CASE WHEN w.enabled AND w.consecutive_failures + 1 >= ${disableAfter}
              THEN ${`Disabled after ${disableAfter} deliveries in a row failed; the last: ${lastError}`.slice(0, 1000)}
              ELSE w.disabled_reason END
          WHERE w.id = ${webhookId}
          RETURNING (w.consecutive_failures = ${disableAfter} AND NOT w.enabled) AS disabled_now`,
      );
      const disabledNow = row?.disabled_now === true;
      if (disabledNow)
        await this.cancelPending(webhookId, "the webhook was disabled after repeated failures");
      return disabledNow;
    },

    /** Cancels a webhook's pending deliveries and their queued jobs. */
    async cancelPending(webhookId: string, reason: string): Promise<number> {
      const rows = await rowsOf<{ job_id: string | number | null }>(
        db,
        sql`UPDATE webhook_deliveries SET status = 'cancelled', last_error = ${reason}, completed_at = now()
          WHERE webhook_id = ${webhookId} AND status = 'pending' RETURNING job_id`,
      );
      const jobIds = rows
        .map((r) => r.job_id)
        .filter((id) => id !== null)
        .map(Number);
      if (jobIds.length > 0)
        await db.execute(sql`UPDATE jobs SET status = 'dead', last_error = ${reason}
          WHERE status = 'queued' AND id IN (SELECT value::bigint FROM json_array_elements_text(${JSON.stringify(jobIds)}::json))`);
      return rows.length;
    },

    /** One page of a webhook's delivery log, newest first. */
    async deliveries(
      webhookId: string,
      options: { status?: DeliveryStatus; limit: number; after?: KeysetPosition },
    ) {
      const where = [eq(webhookDeliveries.webhookId, webhookId)];
      if (options.status) where.push(eq(webhookDeliveries.status, options.status));
      if (options.after)
        where.push(afterPosition(webhookDeliveries.createdAt, webhookDeliveries.id, options.after));
      const rows = await db
        .select(deliveryColumns)
        .from(webhookDeliveries)
        .where(and(...where))
        .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
        .limit(options.limit + 1);
      const page = rows.slice(0, options.limit);
      const last = page.at(-1);
      return {
        items: page.map(({ cursorAt: _, ...item }) => item),
        next: rows.length > options.limit && last ? { at: last.cursorAt, id: last.id } : null,
      };
    },

    /** One delivery with its body and every attempt. */
    async delivery(webhookId: string, deliveryId: string) {
      const [row] = await db
        .select({ ...deliveryColumns, body: webhookDeliveries.body })
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.id, deliveryId)));
      if (!row) return undefined;
      const attemptLog = await db
        .select({
          attempt: webhookAttempts.attempt,
          startedAt: isoMillisRequired(webhookAttempts.startedAt),
          durationMs: webhookAttempts.durationMs,
          statusCode: webhookAttempts.statusCode,
          responseExcerpt: webhookAttempts.responseExcerpt,
          error: webhookAttempts.error,
        })
        .from(webhookAttempts)
        .where(eq(webhookAttempts.deliveryId, deliveryId))
        .orderBy(webhookAttempts.attempt, webhookAttempts.id);
      const { cursorAt: _, ...delivery } = row;
      return { ...delivery, attemptLog };
    },

    /** Drops finished deliveries (and their attempts) older than `days`. */
    async prune(days: number): Promise<number> {
      const rows = await rowsOf<{ id: string }>(
        db,
        sql`DELETE FROM webhook_deliveries WHERE status <> 'pending'
          AND created_at < now() - make_interval(days => ${days}) RETURNING id`,
      );
      return rows.length;
    },
  };
}

function getColumns() {
  return {
    id: webhooks.id,
    name: webhooks.name,
    url: webhooks.url,
    events: webhooks.events,
    secret: webhooks.secret,
    enabled: webhooks.enabled,
    disabledReason: webhooks.disabledReason,
    disabledAt: webhooks.disabledAt,
    consecutiveFailures: webhooks.consecutiveFailures,
    createdByAgentId: webhooks.createdByAgentId,
    createdAt: webhooks.createdAt,
    updatedAt: webhooks.updatedAt,
  };
}

export type WebhookRepository = ReturnType<typeof webhookRepository>;
