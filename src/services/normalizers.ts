/**
 * The normalizers by format name. A raw event records its format, so a dead letter can be replayed
 * through the same normalizer after a fix. Connectors and importers register theirs here.
 */
import { AppError } from "../core/errors.ts";
import { type Normalizer, normalizeCanonical } from "../core/inbound.ts";
import { normalizeCsv } from "./import/csv.import.ts";
import { normalizeJsonText } from "./import/jsonl.import.ts";
import { normalizeTwcs } from "./import/twcs.format.ts";

export class NormalizerRegistry {
  private readonly byFormat = new Map<string, Normalizer>([
    ["canonical", normalizeCanonical],
    ["json-text", normalizeJsonText],
    ["twcs", normalizeTwcs],
    ["csv", normalizeCsv],
  ]);

  register(format: string, normalizer: Normalizer): this {
    this.byFormat.set(format, normalizer);
    return this;
  }

  get(format: string): Normalizer {
    const normalizer = this.byFormat.get(format);
    if (!normalizer) throw new AppError("bad_request", `No normalizer for the format "${format}".`);
    return normalizer;
  }

  has(format: string): boolean {
    return this.byFormat.has(format);
  }
}
