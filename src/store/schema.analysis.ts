import { index, jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { ts } from "./schema.columns.ts";
import { agents, messages } from "./schema.core.ts";

/**
 * Agents' corrections of a message's analysis (docs/corrections.md): one row per
 * message and field while the human label differs from the analyzer's. The message's columns hold the
 * human label (so the queue, filters and reports follow it); `machine` keeps what the analyzer said, and
 * re-analysis updates `machine` and keeps `human`. `text` is the message's text when it was corrected,
 * so an export is a labelled example on its own.
 */
export const analysisCorrections = pgTable(
  "analysis_corrections",
  {
    messageId: uuid("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    field: text("field", { enum: ["sentiment", "intent", "urgency", "spam", "language"] }).notNull(),
    /** The analyzer's value: a label, an intent list, or for sentiment and spam { label, score }. */
    machine: jsonb("machine").notNull(),
    /** The agent's value: a label, or for intent a list of intents. */
    human: jsonb("human").notNull(),
    analyzerVersion: text("analyzer_version"),
    text: text("text").notNull(),
    agentId: uuid("agent_id").references(() => agents.id, { onDelete: "set null" }),
    correctedAt: ts("corrected_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.messageId, t.field] }),
    index("analysis_corrections_time_idx").on(t.correctedAt),
  ],
);
