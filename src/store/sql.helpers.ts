/** Small SQL fragments shared by the repositories. */
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

/**
 * A timestamp as ISO 8601 text in UTC, with microseconds. Used for keyset cursors (a JS Date would
 * drop the microseconds PostgreSQL keeps, and rows would be skipped or repeated across pages).
 */
export function isoMicros(expr: SQLWrapper): SQL<string | null> {
  return sql<string | null>`to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** A nullable timestamp as ISO 8601 text in UTC with milliseconds: the API's date format. */
export function isoMillis(expr: SQLWrapper): SQL<string | null> {
  return sql<string | null>`to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Like isoMillis, for a NOT NULL column. */
export function isoMillisRequired(expr: SQLWrapper): SQL<string> {
  return sql<string>`to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Escapes LIKE wildcards so user text matches literally. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A keyset position: the sort timestamp (ISO text, microseconds; null sorts last) and the row id. */
export interface KeysetPosition {
  at: string | null;
  id: string;
}

/**
 * Rows strictly after `position` in the order `at DESC NULLS LAST, id DESC`.
 */
export function afterPosition(atColumn: SQLWrapper, idColumn: SQLWrapper, position: KeysetPosition): SQL {
  if (position.at === null) {
    return sql`(${atColumn} IS NULL AND ${idColumn} < ${position.id})`;
  }
  return sql`(${atColumn} < ${position.at}::timestamptz OR (${atColumn} = ${position.at}::timestamptz AND ${idColumn} < ${position.id}) OR ${atColumn} IS NULL)`;
}
