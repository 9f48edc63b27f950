/**
 * The normalizers by format name. A raw event records its format, so a dead letter can be replayed
 * through the same normalizer after a fix. Connectors and importers register theirs here.
 */
import { AppError } from "../core/errors.ts";
import {
  type InboundChange,
  type InboundMessage,
  type NormalizeResult,
  type Normalizer,
  normalizeCanonical,
} from "../core/inbound.ts";
import { isMessageTime, MESSAGE_TIME_RANGE } from "../core/instants.ts";
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
      const badTime = implausibleTime(result);
      if (badTime) return { ok: false, reason: badTime };
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

/**
 * Why a normalized message or change cannot be stored for its times, or null: every normalizer's times
 * pass here, so a forged or broken-clock time is a dead letter that says so, not a failed INSERT.
 */
function implausibleTime(
  result: { ok: true; message: InboundMessage } | { ok: true; change: InboundChange },
): string | null {
  const times: Array<[string, string | null | undefined]> =
    "change" in result
      ? [
          ["at", result.change.at],
          ["message.createdAt", result.change.message?.createdAt],
          ["message.editedAt", result.change.message?.editedAt],
        ]
      : [
          ["createdAt", result.message.createdAt],
          ["editedAt", result.message.editedAt],
        ];
  for (const [field, value] of times) {
    if (value != null && !isMessageTime(value))
      return `${field}: ${value} is not ${MESSAGE_TIME_RANGE}; a message's time outside that comes from a broken clock`;
  }
  return null;
}

function sanitized(message: InboundMessage): InboundMessage {
  return message.html ? { ...message, html: sanitizeEmailHtml(message.html) || null } : message;
}
