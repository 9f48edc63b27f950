/**
 * Test support for webhook channels: canonical messages made from real customer tweets (the TWCS
 * sample in ../shared/data), as a sender would POST them, and a signed request builder.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { signatureHeaders } from "../../core/signature.ts";
import { parseTwitterDate } from "../../services/import/twcs.format.ts";

export const TWCS_SAMPLE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../shared/data/customer_support/twcs/twcs_head5000.csv",
);
export const hasTwcsSample = existsSync(TWCS_SAMPLE);

export interface SenderMessage {
  channel?: string;
  externalId: string;
  inReplyToExternalId?: string | null;
  direction: "in" | "out";
  author: { externalId: string; handle: string };
  text: string;
  createdAt: string;
}

/**
 * The first `count` inbound tweets of the sample (from `offset`) as canonical messages without a
 * channel — what a bridge from X would POST. Empty when the sample is absent.
 */
let sample: Array<Record<string, string>> | undefined;

export function realMessages(count: number, offset = 0): SenderMessage[] {
  if (!hasTwcsSample) return [];
  sample ??= parse(readFileSync(TWCS_SAMPLE), { columns: true, to_line: 2000 }) as Array<
    Record<string, string>
  >;
  return sample
    .filter((r) => r.inbound === "True" && r.text)
    .slice(offset, offset + count)
    .map((r) => ({
      externalId: `tweet-${r.tweet_id}`,
      ...(r.in_response_to_tweet_id ? { inReplyToExternalId: `tweet-${r.in_response_to_tweet_id}` } : {}),
      direction: "in" as const,
      author: { externalId: r.author_id!, handle: r.author_id! },
      text: r.text!,
      createdAt: parseTwitterDate(r.created_at!) ?? new Date().toISOString(),
    }));
}

/** Headers and body of a signed POST, as a sender builds them. */
export function signedRequest(secret: string, body: unknown, now = new Date()) {
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  return {
    payload,
    headers: { "content-type": "application/json", ...signatureHeaders(secret, payload, now) },
  };
}
