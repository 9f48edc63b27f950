/**
 * Imports canonical messages, one JSON object per line. A line that is not JSON is still kept raw
 * (format "json-text") and becomes a dead letter that says why.
 */
import { createReadStream, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { type NormalizeResult, normalizeCanonical } from "../../core/inbound.ts";
import type { ImportSink, ImportSource } from "./import.types.ts";

/** Normalizer for a canonical message that arrived as text that may not be JSON at all. */
export function normalizeJsonText(payload: unknown): NormalizeResult {
  if (typeof payload !== "string") return normalizeCanonical(payload);
  try {
    return normalizeCanonical(JSON.parse(payload));
  } catch (error) {
    return { ok: false, reason: `not valid JSON: ${(error as Error).message}` };
  }
}

export const jsonlImport: ImportSource = {
  format: "jsonl",
  async run(file: string, sink: ImportSink): Promise<void> {
    // The progress bar counts bytes for JSONL: a line count would need a second pass.
    sink.total(statSync(file).size);
    const lines = createInterface({
      input: createReadStream(file, { encoding: "utf8" }),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let line = 0;
    for await (const text of lines) {
      line++;
      const bytes = Buffer.byteLength(text) + 1;
      if (text.trim() === "") {
        await sink.push({ source: "import:jsonl", format: "skip", payload: null, detail: { line, bytes } });
        continue;
      }
      let payload: unknown;
      let format = "canonical";
      try {
        payload = JSON.parse(text);
      } catch {
        payload = text;
        format = "json-text";
      }
      await sink.push({ source: "import:jsonl", format, payload, detail: { line, bytes, file } });
    }
  },
};
