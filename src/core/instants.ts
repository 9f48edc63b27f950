/**
 * Which points in time Rapport accepts.
 *
 * - **A message's times** (when it was written, edited, deleted) must fall between 1970-01-01 and
 *   2999-12-31 UTC. A time outside comes from a broken clock or a forged field (a Bluesky post's
 *   `createdAt` is whatever the author's app wrote), and it breaks what is computed from it: year 0000
 *   does not exist in PostgreSQL, and a deadline after 9999 cannot be written as an ISO date. Connectors
 *   that know when a message arrived use that instead; anything else becomes a dead letter that says so.
 * - **A query's bounds** (reports' `from`/`to`, `since`) may be any ISO date; they are clamped to the
 *   instants PostgreSQL can hold, which selects the same rows.
 */

const EARLIEST_MS = Date.parse("1970-01-01T00:00:00.000Z");
/** Exclusive. */
const LATEST_MS = Date.parse("3000-01-01T00:00:00.000Z");

/** The range in words, for reasons and errors. */
export const MESSAGE_TIME_RANGE = "between 1970-01-01 and 2999-12-31 (UTC)";

/** Whether an ISO date-time (or a Date) is a plausible time for a message (see above). */
export function isMessageTime(value: string | Date): boolean {
  const ms = typeof value === "string" ? Date.parse(value) : value.getTime();
  return !Number.isNaN(ms) && ms >= EARLIEST_MS && ms < LATEST_MS;
}

/** PostgreSQL's timestamptz reaches further, but ISO 8601's four-digit years (0001–9999) are what we write. */
const FIRST_STORABLE_MS = Date.parse("0001-01-01T00:00:00.000Z");
const LAST_STORABLE_MS = Date.parse("9999-12-31T23:59:59.999Z");

/** Whether PostgreSQL can hold this ISO date-time as written (a page cursor the API wrote always is). */
export function isStorableInstant(value: string): boolean {
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && ms >= FIRST_STORABLE_MS && ms <= LAST_STORABLE_MS;
}

/** A query bound moved into the instants PostgreSQL holds (no stored time lies outside them). */
export function clampQueryBound(date: Date): Date {
  const ms = date.getTime();
  if (ms < FIRST_STORABLE_MS) return new Date(FIRST_STORABLE_MS);
  if (ms > LAST_STORABLE_MS) return new Date(LAST_STORABLE_MS);
  return date;
}
