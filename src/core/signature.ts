/**
 * Rapport's webhook signature, the same in both directions (inbound webhook channels, outbound
 * webhooks and the webhook channel's reply callbacks):
 *
 *   X-Rapport-Timestamp: <unix seconds>
 *   X-Rapport-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>
 *
 * Signing the timestamp with the exact body stops replays outside the tolerance window (5 minutes);
 * inside it, storage is idempotent (the same message is stored once). Compared in constant time.
 * Documented with sender and receiver examples in docs/channels/webhooks.md.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const TIMESTAMP_HEADER = "x-rapport-timestamp";
export const SIGNATURE_HEADER = "x-rapport-signature";
/** How far a timestamp may be from our clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** A new signing secret: `whsec_` and 32 random bytes (base64url). Used as UTF-8 text for HMAC. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

/** `sha256=<hex>` over `timestamp.body`. */
export function signBody(secret: string, timestamp: number | string, body: Buffer | string): string {
  const mac = createHmac("sha256", secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return `sha256=${mac.digest("hex")}`;
}

/** The two headers a signed request carries, for `body` at `now`. */
export function signatureHeaders(
  secret: string,
  body: Buffer | string,
  now: Date = new Date(),
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signBody(secret, timestamp, body) };
}

export type SignatureFailure =
  | "missing_timestamp"
  | "missing_signature"
  | "bad_timestamp"
  | "stale_timestamp"
  | "signature_mismatch";

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure; message: string };

type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Checks a request's signature over its exact raw body, saying precisely what is wrong. The signature
 * header may list several `sha256=` values (comma or space separated); one match is enough.
 */
export function checkSignature(
  headers: Headers,
  rawBody: Buffer | string,
  secret: string,
  options: { now?: Date; toleranceSeconds?: number } = {},
): SignatureCheck {
  const timestamp = header(headers, TIMESTAMP_HEADER)?.trim();
  const given = header(headers, SIGNATURE_HEADER)?.trim();
  if (!timestamp) {
    return {
      ok: false,
      reason: "missing_timestamp",
      message: `The ${TIMESTAMP_HEADER} header is missing: send the Unix time in seconds you signed.`,
    };
  }
  if (!given) {
    return {
      ok: false,
      reason: "missing_signature",
      message: `The ${SIGNATURE_HEADER} header is missing: send sha256=<hex HMAC-SHA256 of "timestamp.body">.`,
    };
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    return {
      ok: false,
      reason: "bad_timestamp",
      message: `The ${TIMESTAMP_HEADER} header must be the Unix time in whole seconds, got "${timestamp.slice(0, 40)}".`,
    };
  }
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const skew = now - Number(timestamp);
  if (Math.abs(skew) > tolerance) {
    return {
      ok: false,
      reason: "stale_timestamp",
      message:
        skew > 0
          ? `The timestamp is ${skew} s old; at most ${tolerance} s are accepted (a replay, or a slow clock).`
          : `The timestamp is ${-skew} s in the future; at most ${tolerance} s are accepted (check the clock).`,
    };
  }
  const expected = signBody(secret, timestamp, rawBody);
  const candidates = given.split(/[\s,]+/).filter(Boolean);
  if (!candidates.some((candidate) => sameText(candidate, expected))) {
    return {
      ok: false,
      reason: "signature_mismatch",
      message:
        'The signature does not match: sign "timestamp.body" over the exact bytes sent, with the channel\'s secret.',
    };
  }
  return { ok: true };
}
