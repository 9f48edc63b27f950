/** Test support for the Mastodon connector: the shared payloads (../shared/data/payloads/mastodon) in envelopes. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { MastodonEnvelope } from "./mastodon.inbound.ts";

export const FIXTURES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../shared/data/payloads/mastodon",
);
export const hasFixtures = existsSync(FIXTURES_DIR);
export const MISSING_FIXTURES = `${FIXTURES_DIR} is absent: the tests on real Mastodon payloads are skipped`;

/** One shared payload, parsed (`name` without ".json"). */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, `${name}.json`), "utf8"));
}

export const RECEIVED_AT = "2026-11-20T10:00:00.000Z";

/** Wraps a server's JSON as the poller stores it. */
export function envelope(
  channel: string,
  source: MastodonEnvelope["source"],
  data: unknown,
  extra: Partial<MastodonEnvelope> = {},
): MastodonEnvelope {
  return { channel, source, instance: "https://mastodon.social", receivedAt: RECEIVED_AT, data, ...extra };
}
