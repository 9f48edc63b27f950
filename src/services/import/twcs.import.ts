/**
 * Imports a TWCS CSV file in two passes: the first learns the reply trees (union-find over
 * in_response_to_tweet_id among the file's rows) and which brand each tree talks to; the second
 * ingests the rows in batches. A malformed row becomes a dead letter with its line number.
 */
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import type { ImportSink, ImportSource } from "./import.types.ts";
import { TWCS_COLUMNS, type TwcsPayload } from "./twcs.format.ts";

interface RowInfo {
  author: string;
  inbound: boolean;
  parent: string | null;
  responses: string[];
  created: number;
  mentions: string[];
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    // Path compression.
    for (let cur = x, p = this.parent.get(cur); p !== undefined && p !== root; p = this.parent.get(cur)) {
      this.parent.set(cur, root);
      cur = p;
    }
    if (!this.parent.has(x)) this.parent.set(x, x);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/** CSV records with their line numbers; records csv-parse cannot read are reported to `onSkip`. */
export function csvRows(file: string, onSkip?: (raw: string, reason: string) => void) {
  return createReadStream(file).pipe(
    parse({
      relax_column_count: true,
      skip_records_with_error: true,
      info: true,
      bom: true,
      on_skip: (error, raw) => {
        onSkip?.(raw ?? "", error?.message ?? "unreadable CSV record");
        return undefined;
      },
    }),
  );
}

/** Pass 1: the reply trees, their roots and brands. */
async function learnThreads(
  file: string,
): Promise<{ root: Map<string, string>; brand: Map<string, string>; rows: number }> {
  const rows = new Map<string, RowInfo>();
  const uf = new UnionFind();
  let header = true;
  let count = 0;
  for await (const { record } of csvRows(file) as AsyncIterable<{ record: string[] }>) {
    if (header) {
      header = false;
      continue;
    }
    count++;
    if (record.length !== TWCS_COLUMNS.length) continue;
    const [id, author, inbound, created, text, responses, parent] = record.map((c) => c.trim());
    if (!id || !author) continue;
    rows.set(id, {
      author,
      inbound: inbound!.toLowerCase() === "true",
      parent: parent || null,
      responses: responses
        ? responses
            .split(",")
            .map((r) => r.trim())
            .filter(Boolean)
        : [],
      created: Date.parse(created!) || 0,
      mentions: [...(text ?? "").matchAll(/@(\w+)/g)].map((m) => m[1]!.toLowerCase()),
    });
    uf.find(id);
  }
  for (const [id, info] of rows) if (info.parent && rows.has(info.parent)) uf.union(info.parent, id);

  // The root of each tree is its earliest row; its brand is the brand that answered in it.
  const earliest = new Map<string, string>();
  const treeBrand = new Map<string, string>();
  const brands = new Map(
    [...rows.values()].filter((r) => !r.inbound).map((r) => [r.author.toLowerCase(), r.author]),
  );
  const byTime = [...rows].sort((a, b) => a[1].created - b[1].created || a[0].localeCompare(b[0]));
  for (const [id, info] of byTime) {
    const tree = uf.find(id);
    if (!earliest.has(tree)) earliest.set(tree, id);
    if (!info.inbound && !treeBrand.has(tree)) treeBrand.set(tree, info.author);
  }
  const root = new Map<string, string>();
  const brand = new Map<string, string>();
  for (const [id, info] of rows) {
    const tree = uf.find(id);
    root.set(id, earliest.get(tree)!);
    if (!info.inbound) continue;
    // Who is this person talking to? The brand they replied to, the brand that answered them,
    // the brand of their thread, or the brand they mention.
    const parent = info.parent ? rows.get(info.parent) : undefined;
    const responder = info.responses.map((r) => rows.get(r)).find((r) => r && !r.inbound);
    const mentioned = info.mentions.find((m) => brands.has(m));
    const chosen =
      (parent && !parent.inbound ? parent.author : undefined) ??
      responder?.author ??
      treeBrand.get(tree) ??
      (mentioned ? brands.get(mentioned) : undefined);
    if (chosen) brand.set(id, chosen);
  }
  return { root, brand, rows: count };
}

export const twcsImport: ImportSource = {
  format: "twcs",
  async run(file: string, sink: ImportSink): Promise<void> {
    const { root, brand, rows } = await learnThreads(file);
    sink.total(rows);
    let header = true;
    const skipped: Array<{ raw: string; reason: string }> = [];
    const parser = csvRows(file, (raw, reason) => skipped.push({ raw, reason }));
    const flushSkipped = async () => {
      for (const s of skipped.splice(0)) {
        await sink.push({
          source: "import:twcs",
          format: "twcs",
          payload: { cells: null, raw: s.raw, error: s.reason },
          detail: { file },
        });
      }
    };
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      await flushSkipped();
      if (header) {
        header = false;
        continue;
      }
      const id = record[0]?.trim() ?? "";
      const payload: TwcsPayload = { cells: record };
      const threadRoot = root.get(id);
      const rowBrand = brand.get(id);
      if (threadRoot) payload.threadRoot = threadRoot;
      if (rowBrand) payload.brand = rowBrand;
      await sink.push({ source: "import:twcs", format: "twcs", payload, detail: { line: info.lines, file } });
    }
    await flushSkipped();
  },
};
