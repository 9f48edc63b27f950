/**
 * Record keys in TID form (atproto "timestamp identifiers"): 13 base32-sortable characters holding a
 * 53-bit microsecond timestamp and a 10-bit clock id. See https://atproto.com/specs/tid.
 */
const S32 = "234567abcdefghijklmnopqrstuvwxyz";

/** A TID from microseconds since the epoch and a clock id (0–1023). */
export function tidOf(micros: number, clockId = 0): string {
  let n = (BigInt(Math.trunc(micros)) << 10n) | BigInt(clockId & 1023);
  let out = "";
  for (let i = 0; i < 13; i++) {
    out = S32[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

/** A 10-bit clock id from a string (FNV-1a), so the same message always gets the same keys. */
function clockIdOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 1023;
}

/**
 * The record key of part `index` of the reply `messageId`, written at `createdAt`: the same on every
 * attempt, so a retry after a crash or a half-posted thread finds the posts made before instead of posting
 * them again.
 */
export function replyRkey(messageId: string, createdAt: Date, index: number): string {
  return tidOf(createdAt.getTime() * 1000 + index, clockIdOf(messageId));
}
