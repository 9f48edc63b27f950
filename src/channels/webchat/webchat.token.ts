/**
 * Visitor tokens: `<payload>.<signature>`, both base64url; the payload is `{"v":visitorId,"c":channelId,
 * "t":issuedAt}` and the signature HMAC-SHA256 over it with the channel's visitor key. The widget keeps
 * the token in localStorage, so a visitor finds their conversation again after a reload; nobody can
 * read another visitor's conversation without their token. Pure: no I/O.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** A token is accepted for this long after it was issued; a visitor who returns gets a fresh one. */
export const TOKEN_LIFETIME_MS = 180 * 24 * 3600_000;
/** Tokens older than this are renewed when the visitor connects. */
export const TOKEN_REFRESH_MS = 24 * 3600_000;
/** Longest token accepted before any parsing (a bound on work for garbage input). */
const MAX_TOKEN = 400;

export interface VisitorClaims {
  visitorId: string;
  channelId: string;
  issuedAt: Date;
}

export type TokenCheck = { ok: true; claims: VisitorClaims } | { ok: false; reason: string };

const sign = (payload: string, key: string) => createHmac("sha256", key).update(payload).digest("base64url");

/** A fresh visitor id: 128 random bits. */
export function newVisitorId(): string {
  return `wv_${randomBytes(16).toString("base64url")}`;
}

export function signVisitorToken(claims: VisitorClaims, key: string): string {
  const payload = Buffer.from(
    JSON.stringify({
      v: claims.visitorId,
      c: claims.channelId,
      t: Math.floor(claims.issuedAt.getTime() / 1000),
    }),
  ).toString("base64url");
  return `${payload}.${sign(payload, key)}`;
}

/** Checks a token's signature, channel and age; says precisely why it is refused. */
export function verifyVisitorToken(
  token: string,
  key: string,
  channelId: string,
  now = new Date(),
): TokenCheck {
  if (token.length > MAX_TOKEN) return { ok: false, reason: "The visitor token is too long." };
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined)
    return { ok: false, reason: "The visitor token is malformed (expected <payload>.<signature>)." };
  const expected = Buffer.from(sign(payload, key));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: "The visitor token's signature is not valid." };
  let data: { v?: unknown; c?: unknown; t?: unknown };
  try {
    data = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof data;
  } catch {
    return { ok: false, reason: "The visitor token is malformed." };
  }
  if (typeof data.v !== "string" || typeof data.c !== "string" || typeof data.t !== "number")
    return { ok: false, reason: "The visitor token is malformed." };
  if (data.c !== channelId) return { ok: false, reason: "The visitor token belongs to another channel." };
  const issuedAt = new Date(data.t * 1000);
  if (now.getTime() - issuedAt.getTime() > TOKEN_LIFETIME_MS)
    return { ok: false, reason: "The visitor token has expired." };
  return { ok: true, claims: { visitorId: data.v, channelId: data.c, issuedAt } };
}

/** True when a valid token should be replaced by a fresh one. */
export function needsRefresh(claims: VisitorClaims, now = new Date()): boolean {
  return now.getTime() - claims.issuedAt.getTime() > TOKEN_REFRESH_MS;
}
