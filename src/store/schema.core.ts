/** The core tables: people and identities, channels, agents and teams, conversations and messages. */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { bytea, createdAt, ts } from "./schema.columns.ts";

/** A human being who writes to us. Never a "consumer", "lead" or "user". */
export const people = pgTable(
  "people",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    displayName: text("display_name"),
    notes: text("notes"),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    locale: text("locale"),
    /** Set when this person was merged into another; kept so a merge can be undone. */
    mergedIntoId: uuid("merged_into_id"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [index("people_created_idx").on(t.createdAt)],
);

/** A person's account on one platform. Follower count is for display and the fairness audit only. */
export const identities = pgTable(
  "identities",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id),
    platform: text("platform").notNull(),
    externalId: text("external_id").notNull(),
    handle: text("handle"),
    displayName: text("display_name"),
    profileUrl: text("profile_url"),
    followerCount: integer("follower_count"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("identities_platform_external_uq").on(t.platform, t.externalId),
    index("identities_person_idx").on(t.personId),
  ],
);

/** One connected account of ours on a platform. `key` is the name used by ingest and import. */
export const channels = pgTable("channels", {
  id: uuid("id").primaryKey().defaultRandom(),
  key: text("key").notNull().unique(),
  kind: text("kind").notNull(),
  /** Identity namespace: identities are unique per (platform, external id). */
  platform: text("platform").notNull(),
  name: text("name").notNull(),
  config: jsonb("config").notNull().default({}),
  /** Encrypted secrets (tokens, passwords); never returned by the API. */
  secrets: text("secrets"),
  /** Stream/poll position, so a restart resumes where it stopped. */
  cursor: jsonb("cursor"),
  /** The team that answers this channel's new conversations (automatic assignment follows its mode). */
  teamId: uuid("team_id"),
  /** Set while an admin has paused the channel: it is not polled (its conversations stay). */
  pausedAt: ts("paused_at"),
  /** When the set-up (name, config, secrets, paused) last changed: pollers restart on a change. */
  updatedAt: ts("updated_at").notNull().defaultNow(),
  /** Health, written by the channel's poller: the last successful poll … */
  lastOkAt: ts("last_ok_at"),
  /** … and the last failure, with `{ service, step?, message }` (see channels/connector.ts). */
  lastErrorAt: ts("last_error_at"),
  lastError: jsonb("last_error"),
  createdAt: createdAt(),
});

/** A named human who answers (or, for imported history, a brand account that answered). */
export const agents = pgTable("agents", {
  id: uuid("id").primaryKey().defaultRandom(),
  email: text("email").unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash"),
  role: text("role", { enum: ["admin", "agent"] })
    .notNull()
    .default("agent"),
  signature: text("signature"),
  avatarUrl: text("avatar_url"),
  capacity: integer("capacity").notNull().default(10),
  availability: text("availability", { enum: ["online", "away", "offline"] })
    .notNull()
    .default("offline"),
  availabilityChangedAt: ts("availability_changed_at").notNull().defaultNow(),
  /** For agents created by an import: the platform account they answered from (e.g. "x:sprintcare"). */
  externalRef: text("external_ref").unique(),
  createdAt: createdAt(),
});

export const teams = pgTable("teams", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull().unique(),
  /** How new conversations for this team find an agent. */
  assignmentMode: text("assignment_mode", { enum: ["manual", "round_robin", "least_loaded"] })
    .notNull()
    .default("manual"),
  /** Minutes an agent may be offline before their open conversations go back to the team. */
  offlineGraceMinutes: integer("offline_grace_minutes").notNull().default(15),
  createdAt: createdAt(),
});

export const teamMembers = pgTable(
  "team_members",
  {
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    agentId: uuid("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    /** For round-robin: the member assigned longest ago goes next. */
    lastAssignedAt: ts("last_assigned_at"),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.agentId] })],
);

export const labels = pgTable("labels", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull().unique(),
  color: text("color"),
  createdAt: createdAt(),
});

/** A thread with one person on one channel. `threadKey` is the external id of the thread's root. */
export const conversations = pgTable(
  "conversations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => channels.id),
    /** Null only until the first inbound message of a thread that began with our own message. */
    personId: uuid("person_id").references(() => people.id),
    threadKey: text("thread_key").notNull(),
    status: text("status", { enum: ["open", "waiting", "resolved", "spam"] })
      .notNull()
      .default("open"),
    visibility: text("visibility", { enum: ["public", "private"] })
      .notNull()
      .default("public"),
    subject: text("subject"),
    assigneeAgentId: uuid("assignee_agent_id").references(() => agents.id),
    assigneeTeamId: uuid("assignee_team_id").references(() => teams.id),
    messageCount: integer("message_count").notNull().default(0),
    firstInboundAt: ts("first_inbound_at"),
    lastInboundAt: ts("last_inbound_at"),
    lastOutboundAt: ts("last_outbound_at"),
    firstHumanResponseAt: ts("first_human_response_at"),
    lastMessageAt: ts("last_message_at"),
    /** True when the newest non-note message is inbound: the person is waiting for us. */
    awaitingReply: boolean("awaiting_reply").notNull().default(false),
    /** When the current wait began: the first inbound message since our last reply (null: not waiting). */
    waitingSince: ts("waiting_since"),
    /** The SLA due time of the reply the person is waiting for (first or next response). */
    slaDueAt: ts("sla_due_at"),
    slaPolicyId: uuid("sla_policy_id"),
    firstResponseDueAt: ts("first_response_due_at"),
    nextResponseDueAt: ts("next_response_due_at"),
    resolutionDueAt: ts("resolution_due_at"),
    /** Set while the conversation waits on the customer: SLA clocks are paused. */
    slaPausedAt: ts("sla_paused_at"),
    resolvedAt: ts("resolved_at"),
    /**
     * The fair queue's sort key: the SLA due time pulled earlier by need (see core/queue.priority.ts).
     * Computed from waiting time and need only; follower counts are never an input.
     */
    queueDueAt: ts("queue_due_at"),
    /** The need signals behind the queue position, for "why is this first?". */
    need: jsonb("need"),
    /**
     * The person's follower count on this channel when the conversation began. For the fairness audit
     * ONLY (audience-size buckets); never read by priority, assignment or SLA code.
     */
    audienceSize: integer("audience_size"),
    /** Sentiment scores of the first and the latest inbound message, for the happiness report. */
    firstSentiment: doublePrecision("first_sentiment"),
    lastSentiment: doublePrecision("last_sentiment"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("conversations_channel_thread_uq").on(t.channelId, t.threadKey),
    // A person's conversations; wide enough that the reports' people counts at the edges of a period
    // (store/reports.repository.ts) and the rollup triggers read it index-only.
    index("conversations_person_idx").on(
      t.personId,
      t.status,
      t.firstInboundAt,
      t.channelId,
      t.audienceSize,
      t.firstHumanResponseAt,
    ),
    index("conversations_status_last_idx").on(t.status, t.lastMessageAt),
    index("conversations_last_idx").on(t.lastMessageAt),
    index("conversations_assignee_idx").on(t.assigneeAgentId),
    // The fair queue: open conversations awaiting our reply, in queue order, overall and per filter.
    index("conversations_queue_idx").on(t.queueDueAt, t.id).where(sql`awaiting_reply AND status = 'open'`),
    index("conversations_queue_channel_idx")
      .on(t.channelId, t.queueDueAt, t.id)
      .where(sql`awaiting_reply AND status = 'open'`),
    index("conversations_queue_agent_idx")
      .on(t.assigneeAgentId, t.queueDueAt, t.id)
      .where(sql`awaiting_reply AND status = 'open'`),
    index("conversations_queue_team_idx")
      .on(t.assigneeTeamId, t.queueDueAt, t.id)
      .where(sql`awaiting_reply AND status = 'open'`),
    // The fairness and happiness reports read only these columns: an index-only scan of this narrow
    // index (drizzle has no INCLUDE, so they are key columns) reads a third of the table's bytes, and serves date ranges (see store/reports.repository.ts).
    // It is also the only index on first_inbound_at: every query on that column is a report query with
    // this predicate (a plain first_inbound_at index was dropped: it only slowed each conversation write).
    index("conversations_report_idx")
      .on(
        t.firstInboundAt,
        t.channelId,
        t.personId,
        t.audienceSize,
        t.firstHumanResponseAt,
        t.firstSentiment,
        t.lastSentiment,
      )
      .where(sql`status <> 'spam' AND first_inbound_at IS NOT NULL`),
  ],
);

export const conversationLabels = pgTable(
  "conversation_labels",
  {
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    labelId: uuid("label_id")
      .notNull()
      .references(() => labels.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.labelId] }),
    index("conversation_labels_label_idx").on(t.labelId),
  ],
);

/** Inbound payloads exactly as received, stored before anything else happens to them. */
export const rawEvents = pgTable(
  "raw_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** Where it came from: "api", "import:jsonl", "import:twcs", "webhook:mastodon", ... */
    source: text("source").notNull(),
    /** Which normalizer turns the payload into canonical messages: "canonical", "twcs", "csv", a platform… */
    format: text("format").notNull(),
    channelKey: text("channel_key"),
    /** json, not jsonb: kept as the exact text received (key order, duplicates and all). */
    payload: json("payload").notNull(),
    status: text("status", { enum: ["pending", "processed", "dead", "ignored"] })
      .notNull()
      .default("pending"),
    /** Why an `ignored` payload is not a message (a like, a follow, a read receipt…). */
    note: text("note"),
    receivedAt: ts("received_at").notNull().defaultNow(),
    /** When a server last took this (stale, pending) event to recover it (IngestService.recoverPending). */
    recoveryClaimedAt: ts("recovery_claimed_at"),
  },
  // Partial: only pending events are ever looked up by status, and marking one processed stays cheap.
  (t) => [index("raw_events_pending_idx").on(t.id).where(sql`status = 'pending'`)],
);

/** Payloads that could not be normalized or stored, with the reason. Visible and replayable. */
export const deadLetters = pgTable(
  "dead_letters",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    rawEventId: bigint("raw_event_id", { mode: "number" })
      .notNull()
      .references(() => rawEvents.id),
    source: text("source").notNull(),
    reason: text("reason").notNull(),
    /** Extra context, e.g. { line: 42 } for an import row. */
    detail: jsonb("detail"),
    attempts: integer("attempts").notNull().default(1),
    createdAt: createdAt(),
    lastAttemptAt: ts("last_attempt_at").notNull().defaultNow(),
    resolvedAt: ts("resolved_at"),
  },
  (t) => [index("dead_letters_open_idx").on(t.resolvedAt)],
);

/** A message in or out. Analysis columns are filled by the pipeline's analyzer. */
export const messages = pgTable(
  "messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => channels.id),
    externalId: text("external_id").notNull(),
    inReplyToExternalId: text("in_reply_to_external_id"),
    direction: text("direction", { enum: ["in", "out"] }).notNull(),
    visibility: text("visibility", { enum: ["public", "private", "note"] })
      .notNull()
      .default("public"),
    text: text("text").notNull(),
    /** The sanitised HTML body of an email (safe to show; the raw HTML stays only in raw_events). */
    html: text("html"),
    /**
     * Mail no person wrote (auto-reply, bounce, mailing list): stored and shown, but it neither starts
     * nor reopens a wait for our reply (see docs/channels/email.md).
     */
    automated: text("automated", { enum: ["auto_reply", "bounce", "list"] }),
    authorIdentityId: uuid("author_identity_id").references(() => identities.id),
    authorAgentId: uuid("author_agent_id").references(() => agents.id),
    rawEventId: bigint("raw_event_id", { mode: "number" }).references(() => rawEvents.id),
    /** For outbound messages: pending | sent | failed (with the platform's error). */
    deliveryStatus: text("delivery_status", { enum: ["pending", "sent", "failed"] }),
    deliveryError: text("delivery_error"),
    createdAt: ts("created_at").notNull(),
    receivedAt: ts("received_at").notNull().defaultNow(),
    sentimentScore: doublePrecision("sentiment_score"),
    sentimentLabel: text("sentiment_label", { enum: ["positive", "neutral", "negative"] }),
    intent: text("intent").array(),
    urgency: text("urgency", { enum: ["low", "normal", "high"] }),
    spamScore: doublePrecision("spam_score"),
    spamLabel: text("spam_label", { enum: ["spam", "ham"] }),
    language: text("language"),
    /** The analyzer's full output (reasons and details), and which analyzer produced it. */
    analysis: jsonb("analysis"),
    analyzerVersion: text("analyzer_version"),
    /** For replies written in Rapport: the authenticity guard's findings when it was sent (core/guard.ts). */
    guardFindings: jsonb("guard_findings"),
    /** For notes: the agents mentioned with @Name, as [{ agentId, name }]. */
    mentions: jsonb("mentions"),
    /** When its author last edited it on the platform (the text is the edited one; see message_changes). */
    editedAt: ts("edited_at"),
    /** The text as first received, kept when an edit replaced it. */
    originalText: text("original_text"),
    /** When its author deleted it on the platform. The message is kept and shown as deleted. */
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    uniqueIndex("messages_channel_external_uq").on(t.channelId, t.externalId),
    index("messages_conversation_idx").on(t.conversationId, t.createdAt),
    index("messages_created_idx").on(t.createdAt),
    // An expression index rather than a stored tsvector column: the same searches, half the write cost.
    // Queries must use the same expression: to_tsvector('simple', text).
    index("messages_search_idx").using("gin", sql`to_tsvector('simple', ${t.text})`),
  ],
);

/**
 * Files that came with a message, in their order. `content` is null when the file was larger than the
 * limit for keeping it (see docs/channels/email.md; the original stays in the raw event), and while a
 * file the platform keeps (`source_url`) waits to be downloaded or could not be (`fetch_error`).
 */
export const attachments = pgTable(
  "attachments",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    messageId: uuid("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    content: bytea("content"),
    /** Where the platform keeps the file, when the payload named it instead of carrying it (docs/attachments.md). */
    sourceUrl: text("source_url"),
    /** Why the file at `sourceUrl` could not be downloaded (null while it is waiting or once it is stored). */
    fetchError: text("fetch_error"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("attachments_message_position_uq").on(t.messageId, t.position)],
);

/**
 * Edits and deletions the platforms report, one row each (a duplicate report is stored once). A change
 * whose message has not arrived yet waits here (`applied_at` null) and is applied when it does, so
 * reordered events end in the same state.
 */
export const messageChanges = pgTable(
  "message_changes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => channels.id),
    externalId: text("external_id").notNull(),
    kind: text("kind", { enum: ["edit", "delete"] }).notNull(),
    /** The edited text (edits). */
    text: text("text"),
    html: text("html"),
    /** When it happened on the platform; edits apply newest-wins by this time. */
    changedAt: ts("changed_at").notNull(),
    rawEventId: bigint("raw_event_id", { mode: "number" }).references(() => rawEvents.id),
    appliedAt: ts("applied_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("message_changes_uq").on(t.channelId, t.externalId, t.kind, t.changedAt),
    index("message_changes_pending_idx").on(t.channelId, t.externalId).where(sql`applied_at IS NULL`),
  ],
);

/**
 * A committed import batch whose conversations still await their derived state (timeline, SLA clocks,
 * assignment, queue): imports store messages and derive in a second transaction, and this row, written
 * with the messages and deleted with the derivation, makes sure a crash in between loses nothing
 * (IngestService.catchUpDerivations runs what is left, at the end of an import and when a server starts).
 */
export const pendingDerivations = pgTable("pending_derivations", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  conversationIds: jsonb("conversation_ids").$type<string[]>().notNull(),
  /** Those among them the batch created (they get assigned). */
  created: jsonb("created").$type<string[]>().notNull(),
  /** Those a person's new message reopens if resolved or waiting. */
  reopen: jsonb("reopen").$type<string[]>().notNull(),
  createdAt: createdAt(),
});
