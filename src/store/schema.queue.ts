/** The fair queue's tables: business hours, SLA policies and clocks, presence, and the reports' rollup. */
import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, ts } from "./schema.columns.ts";
import { agents, channels, conversations } from "./schema.core.ts";

/** Working hours for SLA clocks: a weekly schedule in a time zone, with holidays. */
export const businessHours = pgTable("business_hours", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull().unique(),
  /** IANA time zone, e.g. "Europe/Berlin". */
  timezone: text("timezone").notNull(),
  /** { mon: [["09:00","17:00"]], tue: [...], … }; a missing day is closed. */
  schedule: jsonb("schedule").notNull(),
  /** Local dates ("2026-12-25") on which the clock does not run. */
  holidays: text("holidays").array().notNull().default(sql`'{}'::text[]`),
  createdAt: createdAt(),
});

/** Response and resolution targets. The first enabled policy (by position) that matches applies. */
export const slaPolicies = pgTable("sla_policies", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  /** Null: any channel. */
  channelId: uuid("channel_id").references(() => channels.id, { onDelete: "cascade" }),
  /** Null: any intent / urgency. */
  intent: text("intent"),
  urgency: text("urgency"),
  firstResponseMinutes: integer("first_response_minutes").notNull(),
  nextResponseMinutes: integer("next_response_minutes"),
  resolutionMinutes: integer("resolution_minutes"),
  /** Null: the clock runs around the clock. */
  businessHoursId: uuid("business_hours_id").references(() => businessHours.id, { onDelete: "set null" }),
  position: integer("position").notNull().default(0),
  enabled: boolean("enabled").notNull().default(true),
  createdAt: createdAt(),
});

/** Each SLA clock that ran on a conversation: met, breached or still running. */
export const slaTargets = pgTable(
  "sla_targets",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    policyId: uuid("policy_id").references(() => slaPolicies.id, { onDelete: "set null" }),
    channelId: uuid("channel_id").notNull(),
    kind: text("kind", { enum: ["first_response", "next_response", "resolution"] }).notNull(),
    startedAt: ts("started_at").notNull(),
    dueAt: ts("due_at").notNull(),
    metAt: ts("met_at"),
    pausedAt: ts("paused_at"),
    /** Business minutes this clock spent paused (waiting on the customer), already added to `due_at`. */
    pausedMinutes: integer("paused_minutes").notNull().default(0),
  },
  (t) => [
    index("sla_targets_conversation_idx").on(t.conversationId),
    // The SLA report's time window (targets started between from and to).
    index("sla_targets_started_idx").on(t.startedAt),
    index("sla_targets_open_idx").on(t.dueAt).where(sql`met_at IS NULL`),
    index("sla_targets_policy_idx").on(t.policyId, t.kind),
  ],
);

/** Who is viewing or replying to a conversation right now (collision awareness), across processes. */
export const conversationPresence = pgTable(
  "conversation_presence",
  {
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    activity: text("activity", { enum: ["viewing", "replying"] }).notNull(),
    expiresAt: ts("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.agentId] })],
);

/**
 * The fairness and happiness reports' rollup (docs/reports.md, "Performance"): one row per ISO week (UTC
 * Monday of the first inbound message) × channel × audience bucket × response-time bin, over conversations
 * that count (not spam, with an inbound message). Kept current by statement-level triggers on
 * `conversations` (migration 0001_report_rollup.sql), in the same transaction as every change;
 * `SELECT report_rebuild()` recomputes it from scratch.
 */
export const reportRollup = pgTable(
  "report_rollup",
  {
    week: date("week", { mode: "string" }).notNull(),
    channelId: uuid("channel_id").notNull(),
    /** 0…4: the AUDIENCE_BUCKETS in order; 5: unknown follower count. */
    audience: smallint("audience").notNull(),
    /** −1: no human reply yet; 0: under a second; b ≥ 1: [1.05^(b−1), 1.05^b) seconds to first human reply. */
    bin: smallint("bin").notNull(),
    conversations: integer("conversations").notNull(),
    /** Conversations with a first and a latest inbound sentiment, and the sums of those scores. */
    scored: integer("scored").notNull(),
    sentimentStart: doublePrecision("sentiment_start").notNull(),
    sentimentEnd: doublePrecision("sentiment_end").notNull(),
    startedNegative: integer("started_negative").notNull(),
    recovered: integer("recovered").notNull(),
  },
  (t) => [primaryKey({ columns: [t.week, t.channelId, t.audience, t.bin] })],
);

/**
 * Distinct people for the reports, exact over any range of whole weeks. For each grouping key (channel or
 * all channels = the nil uuid; audience bucket or all = −1; answered conversations only or all) and each
 * person, every week in which the person has a conversation of that key is an "occurrence" with the
 * person's previous such week (`prev_week`, −infinity for the first). People with a conversation in weeks
 * [F, T) = occurrences in [F, T) whose previous week is before F. `people` counts occurrences.
 */
export const reportPeople = pgTable(
  "report_people",
  {
    channelId: uuid("channel_id").notNull(),
    audience: smallint("audience").notNull(),
    answered: boolean("answered").notNull(),
    week: date("week", { mode: "string" }).notNull(),
    prevWeek: date("prev_week", { mode: "string" }).notNull(),
    people: integer("people").notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.audience, t.answered, t.week, t.prevWeek] })],
);
