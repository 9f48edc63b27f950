/**
 * What the Bluesky simulator's parts share (bluesky.simulator.ts composes them): accounts, the clock that
 * orders events and revisions, the XRPC error, and the record CID.
 */
import { createHash } from "node:crypto";
import { tidOf } from "./bluesky.tid.ts";

export interface Account {
  did: string;
  handle: string;
  displayName: string;
  password: string;
  /** App password → may it read DMs ("privileged")? */
  appPasswords: Map<string, { privileged: boolean }>;
  /** false: the account does not accept DMs from us. */
  acceptsDms: boolean;
}
export interface Session {
  did: string;
  privileged: boolean;
  expiresAt: number;
}

/** An XRPC error answer: HTTP status, error name, message. */
export class XrpcFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

/** Strictly increasing microseconds (Jetstream's `time_us`) and TIDs (record keys, revisions). */
export class SimClock {
  private lastMicros = 0;
  private counter = 0;

  now(): number {
    this.lastMicros = Math.max(Date.now() * 1000, this.lastMicros + 1);
    return this.lastMicros;
  }

  rev(): string {
    return tidOf(this.now(), ++this.counter);
  }
}

/** The accounts and the clock, which the record store and the chat service both read. */
export class SimAccounts {
  readonly byDid = new Map<string, Account>();
  readonly clock = new SimClock();

  get(did: string): Account | undefined {
    return this.byDid.get(did);
  }

  all(): Account[] {
    return [...this.byDid.values()];
  }

  byHandle(handle: string): Account {
    const found = this.all().find((a) => a.handle === handle);
    if (!found) throw new XrpcFailure(400, "InvalidRequest", `Unable to resolve handle: ${handle}`);
    return found;
  }

  profileBasic(did: string) {
    const a = this.byDid.get(did);
    return { did, handle: a?.handle ?? "handle.invalid", displayName: a?.displayName ?? "", labels: [] };
  }
}

const B32 = "abcdefghijklmnopqrstuvwxyz234567";

/** A CIDv1 (dag-cbor, sha-256) of the JSON, in base32 — the shape of a real record CID. */
export function cidOf(value: unknown): string {
  const bytes = Buffer.concat([
    Buffer.from([0x01, 0x71, 0x12, 0x20]),
    createHash("sha256").update(JSON.stringify(value)).digest(),
  ]);
  let bits = 0;
  let acc = 0;
  let out = "b";
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}
