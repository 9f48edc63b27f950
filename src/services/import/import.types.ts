/** What every importer implements: read a file and push raw items into the pipeline. */
import type { IngestItem } from "../ingest.types.ts";

export interface ImportSink {
  /** How many items the file holds, when the importer knows (for the progress bar). */
  total(items: number): void;
  push(item: IngestItem): Promise<void>;
}

export interface ImportOptions {
  /** Channel key for formats whose rows do not name one (csv). */
  channel?: string;
  /** csv: canonical field → column name, e.g. { "author.externalId": "user_id" }. */
  mapping?: Record<string, string>;
  /** csv: direction for rows without a direction column (default "in"). */
  direction?: "in" | "out";
}

export interface ImportSource {
  format: string;
  run(file: string, sink: ImportSink, options: ImportOptions): Promise<void>;
}

/** The canonical fields a csv import can map a column to (`--map field=column`). */
export const CSV_FIELDS = [
  "channel",
  "externalId",
  "threadExternalId",
  "inReplyToExternalId",
  "direction",
  "author.externalId",
  "author.handle",
  "author.displayName",
  "author.followerCount",
  "text",
  "createdAt",
  "visibility",
] as const;
