/**
 * Outbound webhooks: the admins' subscriptions, one delivery per (event, webhook) with the exact body
 * sent, and one row per HTTP attempt (the delivery log). See docs/channels/webhooks.md.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, ts } from "./schema.columns.ts";
import { agents } from "./schema.core.ts";

/** An HTTPS endpoint that receives the events it subscribed to, signed with its own secret. */
export const webhooks = pgTable("webhooks", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  url: text("url").notNull(),
  /** Event types, e.g. {message.created, conversation.resolved}. */
  events: text("events").array().notNull(),
  /** The signing secret, sealed with the installation's key (services/secrets.ts); shown once. */
  secret: text("secret").notNull(),
  enabled: boolean("enabled").notNull().default(true),
  /** Why it was switched off (by an admin, or after too many failed deliveries in a row). */
  disabledReason: text("disabled_reason"),
  disabledAt: ts("disabled_at"),
  /** Deliveries that used all their attempts since the last success. */
  consecutiveFailures: integer("consecutive_failures").notNull().default(0),
  createdByAgentId: uuid("created_by_agent_id").references(() => agents.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

/** One event for one webhook: the body as sent (a snapshot taken when the event happened). */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    webhookId: uuid("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    /** The event's id: the same for every webhook and every redelivery (receivers dedupe on it). */
    eventId: uuid("event_id").notNull(),
    event: text("event").notNull(),
    /** The exact JSON body, so retries and redeliveries send (and sign) the same bytes. */
    body: text("body").notNull(),
    status: text("status", { enum: ["pending", "succeeded", "failed", "cancelled"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** The jobs row that delivers it: while queued, its run_at is the next attempt. */
    jobId: bigint("job_id", { mode: "number" }),
    /** Set on a redelivery: the delivery it repeats. */
    redeliveryOf: uuid("redelivery_of"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    completedAt: ts("completed_at"),
  },
  (t) => [
    // One delivery per event per webhook, whichever process saw the event (redeliveries aside).
    uniqueIndex("webhook_deliveries_event_uq").on(t.webhookId, t.eventId).where(sql`redelivery_of IS NULL`),
    index("webhook_deliveries_log_idx").on(t.webhookId, t.createdAt),
  ],
);

/** One HTTP attempt of a delivery: what the receiver answered and how long it took. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    startedAt: ts("started_at").notNull(),
    durationMs: integer("duration_ms").notNull(),
    /** Null when no answer came (refused, timed out, DNS). */
    statusCode: integer("status_code"),
    /** The first 1,000 characters of the answer's body. */
    responseExcerpt: text("response_excerpt"),
    error: text("error"),
  },
  (t) => [index("webhook_attempts_delivery_idx").on(t.deliveryId, t.attempt)],
);

/**
 * Events that outbound webhooks may announce, written in the transaction that produced them (a
 * transactional outbox): the dispatcher deletes a row in the transaction that records its deliveries,
 * and rows a stopped process left behind are recorded by any server or worker (webhook.dispatcher.ts).
 * Written only while a webhook is enabled, by processes that run a dispatcher (not `rapport import`).
 */
export const eventJournal = pgTable(
  "event_journal",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** The bus events (services/events.ts) of one transaction. */
    events: jsonb("events").notNull(),
    createdAt: createdAt(),
    /** Taken by a sweep; a claim older than ten minutes (its process died) lapses. */
    claimedAt: ts("claimed_at"),
  },
  (t) => [index("event_journal_created_idx").on(t.createdAt)],
);
