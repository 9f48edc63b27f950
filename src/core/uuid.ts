/**
 * UUIDv7 (RFC 9562): a millisecond timestamp, then random bits. Ids made one after another sort
 * together, so a bulk insert appends to the end of the primary-key index instead of touching a random
 * leaf page per row (as UUIDv4 does), which keeps imports' index writes and WAL small.
 */
import { randomFillSync } from "node:crypto";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const POOL_SIZE = 16 * 1024;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

/** A new UUIDv7 as lowercase text. */
export function uuidv7(now: number = Date.now()): string {
  if (offset + 10 > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const r = offset;
  offset += 10;
  const h = HEX;
  // 48 bits of milliseconds: the high 16 and the low 32 (bitwise operators work on 32 bits).
  const high = Math.floor(now / 2 ** 32);
  const low = now >>> 0;
  return (
    h[(high >>> 8) & 0xff]! +
    h[high & 0xff]! +
    h[low >>> 24]! +
    h[(low >>> 16) & 0xff]! +
    "-" +
    h[(low >>> 8) & 0xff]! +
    h[low & 0xff]! +
    "-" +
    h[0x70 | (pool[r]! & 0x0f)]! +
    h[pool[r + 1]!]! +
    "-" +
    h[0x80 | (pool[r + 2]! & 0x3f)]! +
    h[pool[r + 3]!]! +
    "-" +
    h[pool[r + 4]!]! +
    h[pool[r + 5]!]! +
    h[pool[r + 6]!]! +
    h[pool[r + 7]!]! +
    h[pool[r + 8]!]! +
    h[pool[r + 9]!]!
  );
}
