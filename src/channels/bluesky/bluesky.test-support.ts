/** Test support for the Bluesky connector: the shared real Jetstream capture, wrapped as payloads. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BlueskyAccount, BlueskyPayload, JetstreamEvent } from "./bluesky.inbound.ts";

export const PAYLOADS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../shared/data/payloads/bluesky",
);
export const CAPTURE = path.join(PAYLOADS_DIR, "jetstream_v1_events_real_capture.jsonl");
export const hasCapture = existsSync(CAPTURE);
export const captureMissingReason = `Skipping the real Jetstream capture: ${CAPTURE} is absent (the shared data folder is not next to the project).`;

/** Our account in tests: a DID that appears nowhere in the capture. */
export const TEST_ACCOUNT: BlueskyAccount = { did: "did:plc:rapportcaretest00000000", handle: "care.test" };

/** Every event of the capture, in file order. */
export function captureEvents(): JetstreamEvent[] {
  if (!hasCapture) return [];
  return readFileSync(CAPTURE, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as JetstreamEvent);
}

export const jetstreamPayload = (
  channel: string,
  event: unknown,
  account: BlueskyAccount = TEST_ACCOUNT,
): BlueskyPayload => ({ channel, account, jetstream: event as JetstreamEvent });
