/**
 * Imports any CSV with a header row, given a mapping from canonical fields to column names:
 *   rapport import --format csv --channel shop-email --map externalId=id --map text=body …
 * Each row is kept raw with its mapping, so a dead letter can be replayed after the fix.
 */

import { AppError } from "../../core/errors.ts";
import { type NormalizeResult, normalizeCanonical } from "../../core/inbound.ts";
import { CSV_FIELDS, type ImportOptions, type ImportSink, type ImportSource } from "./import.types.ts";
import { parseTwitterDate } from "./twcs.format.ts";
import { csvRows } from "./twcs.import.ts";

export { CSV_FIELDS };

const REQUIRED = ["externalId", "author.externalId", "text", "createdAt"] as const;

interface CsvPayload {
  row: Record<string, string>;
  mapping: Record<string, string>;
  defaults: { channel?: string; direction?: "in" | "out" };
  error?: string;
}

const DIRECTIONS: Record<string, "in" | "out"> = {
  in: "in",
  inbound: "in",
  true: "in",
  out: "out",
  outbound: "out",
  false: "out",
};

export function normalizeCsv(payload: unknown): NormalizeResult {
  const p = payload as CsvPayload | null;
  if (p?.error) return { ok: false, reason: `unreadable CSV record: ${p.error}` };
  if (!p || typeof p.row !== "object" || typeof p.mapping !== "object")
    return { ok: false, reason: "not a CSV row" };
  const get = (field: string) => {
    const column = p.mapping[field];
    const value = column === undefined ? undefined : p.row[column];
    return value === undefined || value === "" ? undefined : value;
  };
  const directionCell = get("direction");
  const direction = directionCell
    ? DIRECTIONS[directionCell.trim().toLowerCase()]
    : (p.defaults.direction ?? "in");
  if (!direction)
    return {
      ok: false,
      reason: `direction must be in/out (or inbound/outbound, true/false), got "${directionCell}"`,
    };
  const followers = get("author.followerCount");
  const createdAt = get("createdAt");
  const canonical = {
    channel: get("channel") ?? p.defaults.channel,
    externalId: get("externalId"),
    threadExternalId: get("threadExternalId"),
    inReplyToExternalId: get("inReplyToExternalId"),
    direction,
    author: {
      externalId: get("author.externalId"),
      handle: get("author.handle"),
      displayName: get("author.displayName"),
      followerCount: followers === undefined ? undefined : Number(followers),
    },
    text: get("text") ?? "",
    createdAt: createdAt === undefined ? undefined : (parseTwitterDate(createdAt) ?? createdAt),
    visibility: get("visibility") ?? "public",
  };
  return normalizeCanonical(canonical);
}

/** Checks a mapping before any row is read, so a typo fails fast with a precise message. */
export function validateMapping(
  mapping: Record<string, string>,
  header: string[],
  options: ImportOptions,
): void {
  for (const field of Object.keys(mapping)) {
    if (!(CSV_FIELDS as readonly string[]).includes(field)) {
      throw new AppError(
        "bad_request",
        `Unknown field "${field}" in --map; fields are: ${CSV_FIELDS.join(", ")}.`,
      );
    }
  }
  for (const [field, column] of Object.entries(mapping)) {
    if (!header.includes(column)) {
      throw new AppError(
        "bad_request",
        `--map ${field}=${column}: the file has no column "${column}" (columns: ${header.join(", ")}).`,
      );
    }
  }
  const missing = REQUIRED.filter((f) => !(f in mapping));
  if (missing.length)
    throw new AppError("bad_request", `--map must name a column for: ${missing.join(", ")}.`);
  if (!mapping.channel && !options.channel)
    throw new AppError("bad_request", "Give --channel KEY or map a channel column.");
}

export const csvImport: ImportSource = {
  format: "csv",
  async run(file: string, sink: ImportSink, options: ImportOptions): Promise<void> {
    const mapping = options.mapping ?? {};
    const skipped: string[] = [];
    let header: string[] | undefined;
    const defaults = {
      ...(options.channel ? { channel: options.channel } : {}),
      ...(options.direction ? { direction: options.direction } : {}),
    };
    const parser = csvRows(file, (_raw, reason) => skipped.push(reason));
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      for (const reason of skipped.splice(0)) {
        await sink.push({
          source: "import:csv",
          format: "csv",
          payload: { row: {}, mapping, defaults, error: reason },
          detail: { file },
        });
      }
      if (!header) {
        header = record.map((h) => h.trim());
        validateMapping(mapping, header, options);
        continue;
      }
      const row: Record<string, string> = {};
      header.forEach((column, i) => {
        if (record[i] !== undefined) row[column] = record[i]!;
      });
      await sink.push({
        source: "import:csv",
        format: "csv",
        payload: { row, mapping, defaults },
        detail: { line: info.lines, file },
      });
    }
  },
};
