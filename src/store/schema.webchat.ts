/** The website chat's visitors (who left an email, who has the widget open), the channels' poll leases and the HTTP rate limits. */
import { index, integer, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, ts } from "./schema.columns.ts";
import { channels } from "./schema.core.ts";

/**
 * One visitor of one webchat channel (the id is the one their signed visitor token carries). The email
 * is what they left for an answer when nobody was online; `connected_until` is renewed by the server
 * process holding their WebSocket, so any process (the send worker) can tell whether a reply reaches
 * them live or must go by email.
 */
export const webchatVisitors = pgTable(
  "webchat_visitors",
  {
    channelId: uuid("channel_id")
      .notNull()
      .references(() => channels.id, { onDelete: "cascade" }),
    visitorId: text("visitor_id").notNull(),
    email: text("email"),
    name: text("name"),
    /** The page they wrote from (shown to agents, linked in the offline email). */
    pageUrl: text("page_url"),
    connectedUntil: ts("connected_until"),
    lastSeenAt: ts("last_seen_at").notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.visitorId] }),
    index("webchat_visitors_seen_idx").on(t.lastSeenAt),
  ],
);

/**
 * Which server process polls a channel. Several `rapport serve` processes share one database; only the
 * holder of a channel's lease runs its poll/stream loop, renewing it on every re-sync, and another
 * process takes over once it lapses (the holder stopped or died). See channels/pollers.ts.
 */
export const pollLeases = pgTable("poll_leases", {
  channelId: uuid("channel_id")
    .primaryKey()
    .references(() => channels.id, { onDelete: "cascade" }),
  /** The holding process: host, pid and a random part. */
  holder: text("holder").notNull(),
  expiresAt: ts("expires_at").notNull(),
});

/**
 * Request counters of the HTTP rate limits (sign-in, inbound webhooks, the widget's endpoints), kept in
 * the database so that every `rapport serve` process on it counts against the same limit. One row per
 * route and client key, for the current window; expired rows are reset on use and swept now and then.
 */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  count: integer("count").notNull(),
  resetAt: ts("reset_at").notNull(),
});
