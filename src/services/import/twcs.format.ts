/**
 * The Customer Support on Twitter (TWCS) format: one CSV row per tweet with the columns
 * tweet_id, author_id, inbound, created_at, text, response_tweet_id, in_response_to_tweet_id.
 * Rows with inbound=False are the brand's own replies: outbound messages on a channel per brand
 * account, authored by that brand. Customers are people. A conversation is a connected reply tree.
 */
import type { InboundMessage, NormalizeResult } from "../../core/inbound.ts";
import { normalizeCanonical } from "../../core/inbound.ts";

export const TWCS_COLUMNS = [
  "tweet_id",
  "author_id",
  "inbound",
  "created_at",
  "text",
  "response_tweet_id",
  "in_response_to_tweet_id",
] as const;

/** A raw TWCS row as stored in raw_events, with what the importer learned from the whole file. */
export interface TwcsPayload {
  /** The row's cells, as read. */
  cells: string[];
  /** External id of the reply tree's root (computed over the whole file). */
  threadRoot?: string;
  /** The brand account this row belongs to (computed over the whole file). */
  brand?: string;
}

export const twcsChannelKey = (brand: string) => `twcs-${brand.toLowerCase().replace(/[^a-z0-9._-]/g, "_")}`;

/** "Tue Oct 31 22:10:47 +0000 2017" → ISO 8601, or null. */
export function parseTwitterDate(value: string): string | null {
  const m = /^\w{3} (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/.exec(
    value.trim(),
  );
  if (m) {
    const [, mon, day, hh, mm, ss, sign, oh, om, year] = m;
    const iso = `${year}-${monthNumber(mon!)}-${day!.padStart(2, "0")}T${hh}:${mm}:${ss}${sign}${oh}:${om}`;
    const time = Date.parse(iso);
    return Number.isNaN(time) ? null : new Date(time).toISOString();
  }
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function monthNumber(mon: string): string {
  const i = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].indexOf(mon);
  return i < 0 ? "00" : String(i + 1).padStart(2, "0");
}

export function normalizeTwcs(payload: unknown): NormalizeResult {
  const p = payload as (TwcsPayload & { error?: string }) | null;
  if (p && typeof p.error === "string") return { ok: false, reason: `unreadable CSV record: ${p.error}` };
  if (!p || !Array.isArray(p.cells)) return { ok: false, reason: "not a TWCS row (no cells)" };
  if (p.cells.length !== TWCS_COLUMNS.length) {
    return { ok: false, reason: `expected ${TWCS_COLUMNS.length} columns, got ${p.cells.length}` };
  }
  const [tweetId, authorId, inboundCell, createdAt, , , inResponseTo] = p.cells.map((c) => c.trim());
  if (!tweetId) return { ok: false, reason: "tweet_id is empty" };
  if (!authorId) return { ok: false, reason: "author_id is empty" };
  const inbound = inboundCell!.toLowerCase();
  if (inbound !== "true" && inbound !== "false") {
    return { ok: false, reason: `inbound must be True or False, got "${inboundCell}"` };
  }
  const created = parseTwitterDate(createdAt!);
  if (!created) return { ok: false, reason: `created_at is not a date: "${createdAt}"` };
  const direction = inbound === "true" ? "in" : "out";
  const brand = direction === "out" ? authorId! : (p.brand ?? "unknown");
  const message: Partial<InboundMessage> & Record<string, unknown> = {
    channel: twcsChannelKey(brand),
    externalId: tweetId!,
    threadExternalId: p.threadRoot ?? null,
    inReplyToExternalId: inResponseTo || null,
    direction,
    author: { externalId: authorId!, handle: authorId! },
    // Keep the text exactly as tweeted (the trim above is only for the id cells).
    text: p.cells[4] ?? "",
    createdAt: created,
    visibility: "public",
  };
  const result = normalizeCanonical(message);
  if (!result.ok) return result;
  return { ...result, channel: { kind: "import", platform: "x", name: `@${brand} (TWCS import)` } };
}
