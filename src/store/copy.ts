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

/** Where a chunk of COPY data is cut: the first row boundary at or after this many bytes. */
const CHUNK_BYTES = 65_536;

/**
 * The rows as COPY text in UTF-8, in chunks of about 64 KiB cut between rows; undefined if a string is
 * not well-formed UTF-16. COPY sends UTF-8, in which a lone surrogate would silently become U+FFFD:
 * callers then keep their INSERT, which rejects it (the payload becomes a dead letter, as before).
 *
 * Each line is written straight into the chunk's buffer. Chunks built as strings, with `+=` or with
 * `join`, cost three to four times as much for the import's rows: V8 flattened the ropes, or copied
 * lines of mixed one- and two-byte strings, before the UTF-8 encoding (docs/benchmarks.md).
 */
export function encodeCopy(rows: CopyValue[][]): Buffer[] | undefined {
  const chunks: Buffer[] = [];
  let buffer = Buffer.allocUnsafe(2 * CHUNK_BYTES);
  let used = 0;
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
    // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair, two units, takes 4).
    const most = 3 * line.length + 1;
    if (used + most > buffer.length) {
      if (used > 0) chunks.push(buffer.subarray(0, used));
      buffer = Buffer.allocUnsafe(Math.max(2 * CHUNK_BYTES, most));
      used = 0;
    }
    used += buffer.write(line, used);
    buffer[used++] = 0x0a;
    if (used >= CHUNK_BYTES) {
      chunks.push(buffer.subarray(0, used));
      buffer = Buffer.allocUnsafe(2 * CHUNK_BYTES);
      used = 0;
    }
  }
  if (used > 0) chunks.push(buffer.subarray(0, used));
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
  chunks: Buffer[],
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
