/**
 * The normalizers by format name. A raw event records its format, so a dead letter can be replayed
 * through the same normalizer after a fix. Connectors and importers register theirs here.
 */
import { AppError } from "../core/errors.ts";
import {
  type InboundMessage,
  type NormalizeResult,
  type Normalizer,
  normalizeCanonical,
} from "../core/inbound.ts";
import { storable } from "../core/sanitize.ts";
import { sanitizeEmailHtml } from "./html.sanitize.ts";
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

  /** Every format name, sorted. */
  formats(): string[] {
    return [...this.byFormat.keys()].sort();
  }

  /**
   * Normalizes one stored payload exactly as ingest does (IngestService, `rapport parse`): the format's
   * normalizer, HTML sanitised; an unknown format or a normalizer that throws is a precise reason.
   */
  async normalize(format: string, payload: unknown): Promise<NormalizeResult> {
    const normalizer = this.byFormat.get(format);
    if (!normalizer) return { ok: false, reason: `unknown format "${format}"` };
    try {
      const result = await normalizer(payload);
      // Whatever produced it, HTML is stored only sanitised, and text PostgreSQL cannot hold becomes
      // U+FFFD: decoding can make it where the raw payload had none (a mail's quoted-printable =00).
      if (!result.ok || "ignored" in result) return result;
      if ("change" in result) {
        const { change } = result;
        return storable({
          ...result,
          change: {
            ...change,
            ...(change.html ? { html: sanitizeEmailHtml(change.html) || null } : {}),
            ...(change.message ? { message: sanitized(change.message) } : {}),
          },
        });
      }
      return storable({ ...result, message: sanitized(result.message) });
    } catch (error) {
      return {
        ok: false,
        reason: `the ${format} normalizer failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
}

function sanitized(message: InboundMessage): InboundMessage {
  return message.html ? { ...message, html: sanitizeEmailHtml(message.html) || null } : message;
}
