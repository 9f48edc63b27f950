/** Feeds an importer's items to the ingest pipeline in batches and keeps the running totals. */
import { AppError } from "../../core/errors.ts";
import { DEFAULT_BATCH_SIZE, type IngestService } from "../ingest.service.ts";
import type { IngestItem, IngestSummary } from "../ingest.types.ts";
import { csvImport } from "./csv.import.ts";
import type { ImportOptions, ImportSource } from "./import.types.ts";
import { jsonlImport } from "./jsonl.import.ts";
import { twcsImport } from "./twcs.import.ts";

export const importSources: Record<string, ImportSource> = {
  jsonl: jsonlImport,
  twcs: twcsImport,
  csv: csvImport,
};

export interface ImportSummary {
  messages: number;
  duplicates: number;
  conversations: number;
  people: number;
  deadLetters: number;
}

export interface ImportProgress {
  /** Units done and total: rows for CSV formats, bytes for JSONL. */
  done: number;
  total: number;
  summary: ImportSummary;
}

export async function runImport(
  ingest: Pick<IngestService, "stream" | "overlaps">,
  format: string,
  file: string,
  options: ImportOptions = {},
  onProgress?: (progress: ImportProgress) => void,
  batchSize = DEFAULT_BATCH_SIZE,
): Promise<ImportSummary> {
  const source = importSources[format];
  if (!source) {
    throw new AppError(
      "bad_request",
      `Unknown import format "${format}"; use one of: ${Object.keys(importSources).join(", ")}.`,
    );
  }
  const summary: ImportSummary = { messages: 0, duplicates: 0, conversations: 0, people: 0, deadLetters: 0 };
  let total = 0;
  let done = 0;
  let pendingUnits = 0;
  let batch: IngestItem[] = [];
  // The file units (bytes or rows) of each batch pushed and not yet committed, oldest first: the
  // stream prepares the next batch while the previous one commits, and progress counts committed ones.
  const uncommitted: number[] = [];
  // Where batches overlap (PostgreSQL), each batch's conversations are derived in a second transaction
  // that runs alongside the next batch's (see IngestService.stream); the summary counts once all are.
  const stream = ingest.stream({ stagedDerivation: ingest.overlaps });
  const count = (committed: IngestSummary[]) => {
    for (const result of committed) {
      summary.messages += result.messages;
      summary.duplicates += result.duplicates;
      summary.conversations += result.conversations;
      summary.people += result.people;
      summary.deadLetters += result.deadLetters;
      done += uncommitted.shift() ?? 0;
    }
    if (committed.length > 0) onProgress?.({ done, total, summary });
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    uncommitted.push(pendingUnits);
    pendingUnits = 0;
    count((await stream.push(items)).committed);
  };
  await source.run(
    file,
    {
      total: (n) => {
        total = n;
      },
      push: async (item) => {
        // JSONL reports progress in bytes, the CSV formats in rows.
        pendingUnits += typeof item.detail?.bytes === "number" ? item.detail.bytes : 1;
        // Blank lines are not messages: nothing to store.
        if (item.format !== "skip") batch.push(item);
        if (batch.length >= batchSize) await flush();
      },
    },
    options,
  );
  await flush();
  count((await stream.finish()).committed);
  done += pendingUnits + uncommitted.reduce((a, b) => a + b, 0);
  onProgress?.({ done, total, summary });
  return summary;
}
