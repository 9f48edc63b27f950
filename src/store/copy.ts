/**
 * Bulk loading with PostgreSQL's `COPY … FROM STDIN` (text format), for the import's largest inserts:
 * the server parses plain tab-separated text instead of a JSON document per batch, about the cheapest
 * way in. PostgreSQL only: PGlite keeps the multi-row INSERTs (see ingest.journal.ts, ingest.messages.ts).
 */
import { finished } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Db } from "./db.ts";

/** From this many rows on, PostgreSQL batches are COPYed; smaller ones are not worth the extra round trips. */
export const COPY_MIN_ROWS = 100;

/** A value COPY can carry: text, numbers, booleans, timestamps, arrays of text, or JSON (objects). */
export type CopyValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | Date
  | string[]
  | Record<string, unknown>;

const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeText(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : text;
}

/** A PostgreSQL array literal of text elements, every element quoted. */
function arrayLiteral(items: string[]): string {
  return `{${items.map((item) => `"${item.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}

function field(value: Exclude<CopyValue, string>): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`cannot COPY the number ${value}`);
    return String(value);
  }
  if (typeof value === "boolean") return value ? "t" : "f";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return escapeText(arrayLiteral(value));
  return escapeText(JSON.stringify(value));
}

// String.prototype.isWellFormed is in Node 20 (V8 11.3) but not in the ES2023 lib this project targets.
const wellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * The rows as COPY text, in chunks of about 64 KiB; undefined if a string is not well-formed UTF-16.
 * COPY sends UTF-8, in which a lone surrogate would silently become U+FFFD: callers then keep their
 * INSERT, which rejects it (the payload becomes a dead letter, as before).
 *
 * Lines and chunks are built with `join`, which makes flat strings. Built with `+=` they were ropes of
 * thousands of pieces, and flattening those when the stream encoded them as UTF-8 cost more than all
 * the rest of the encoding (docs/benchmarks.md).
 */
export function encodeCopy(rows: CopyValue[][]): string[] | undefined {
  const chunks: string[] = [];
  let lines: string[] = [];
  let length = 0;
  for (const row of rows) {
    const fields = new Array<string>(row.length);
    for (let i = 0; i < row.length; i++) {
      const value = row[i];
      if (typeof value === "string") {
        if (!wellFormed(value)) return undefined;
        fields[i] = escapeText(value);
      } else fields[i] = field(value);
    }
    const line = fields.join("\t");
    lines.push(line);
    length += line.length + 1;
    if (length >= 65_536) {
      lines.push("");
      chunks.push(lines.join("\n"));
      lines = [];
      length = 0;
    }
  }
  if (lines.length > 0) {
    lines.push("");
    chunks.push(lines.join("\n"));
  }
  return chunks;
}

/** The connection a node-postgres drizzle handle runs on: a transaction's client, or the pool. */
function clientOf(db: Db): pg.PoolClient | pg.Pool {
  return (db as unknown as { session: { client: pg.PoolClient | pg.Pool } }).session.client;
}

/**
 * COPYs rows (encoded by encodeCopy) into `table`'s columns, in that order, on PostgreSQL, inside
 * `db`'s transaction when `db` is one. Fails as a whole, like one INSERT, if any row is rejected.
 */
export async function copyRows(
  db: Db,
  table: string,
  columns: readonly string[],
  chunks: string[],
): Promise<void> {
  if (chunks.length === 0) return;
  const target = clientOf(db);
  const client = "release" in target ? target : await (target as pg.Pool).connect();
  const quoted = columns.map((c) => `"${c}"`).join(", ");
  try {
    const stream = client.query(copyFrom(`COPY ${table} (${quoted}) FROM STDIN`));
    const done = finished(stream);
    for (const chunk of chunks) stream.write(chunk);
    stream.end();
    await done;
  } finally {
    if (client !== target) client.release();
  }
}
