/**
 * Bulk loading with PostgreSQL's `COPY … FROM STDIN` (text format), for the import's largest inserts:
 * the server parses plain tab-separated text instead of a JSON document per batch, about the cheapest
 * way in. PostgreSQL only: PGlite keeps the multi-row INSERTs (see ingest.repository.ts).
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
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

function field(value: CopyValue): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value === "string") return escapeText(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`cannot COPY the number ${value}`);
    return String(value);
  }
  if (typeof value === "boolean") return value ? "t" : "f";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return escapeText(arrayLiteral(value));
  return escapeText(JSON.stringify(value));
}

/**
 * Whether every string among these rows' values is well-formed UTF-16. COPY sends UTF-8, in which a
 * lone surrogate would silently become U+FFFD; callers fall back to their INSERT (which rejects it,
 * so the payload becomes a dead letter as before) when this is false.
 */
export function copyable(rows: CopyValue[][]): boolean {
  for (const row of rows) {
    for (const value of row) if (typeof value === "string" && !wellFormed(value)) return false;
  }
  return true;
}

// String.prototype.isWellFormed is in Node 20 (V8 11.3) but not in the ES2023 lib this project targets.
const wellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/** The rows as COPY text, in chunks of about 64 KiB. */
function* encode(rows: CopyValue[][]): Generator<string> {
  let chunk = "";
  for (const row of rows) {
    let line = "";
    for (let i = 0; i < row.length; i++) line += (i === 0 ? "" : "\t") + field(row[i]);
    chunk += `${line}\n`;
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

/** The connection a node-postgres drizzle handle runs on: a transaction's client, or the pool. */
function clientOf(db: Db): pg.PoolClient | pg.Pool {
  return (db as unknown as { session: { client: pg.PoolClient | pg.Pool } }).session.client;
}

/**
 * COPYs rows into `table` (columns in the given order) on PostgreSQL, inside `db`'s transaction when
 * `db` is one. Fails as a whole, like one INSERT, if any row is rejected.
 */
export async function copyRows(db: Db, table: string, columns: string[], rows: CopyValue[][]): Promise<void> {
  if (rows.length === 0) return;
  const target = clientOf(db);
  const client = "release" in target ? target : await (target as pg.Pool).connect();
  const quoted = columns.map((c) => `"${c}"`).join(", ");
  try {
    await pipeline(
      Readable.from(encode(rows)),
      client.query(copyFrom(`COPY ${table} (${quoted}) FROM STDIN`)),
    );
  } finally {
    if (client !== target) client.release();
  }
}
