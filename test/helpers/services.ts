/** Builds the real services over a test database, with an event log to assert on. */
import type { Analyzer } from "../../src/analysis/analyzer.ts";
import { rapportAnalyzer } from "../../src/analysis/rapport.analyzer.ts";
import type { InboundMessageInput } from "../../src/core/inbound.ts";
import { EventBus, type RapportEvent } from "../../src/services/events.ts";
import { IngestService } from "../../src/services/ingest.service.ts";
import { NormalizerRegistry } from "../../src/services/normalizers.ts";
import type { Database } from "../../src/store/db.ts";

export function buildIngest(database: Database, options: { batchSize?: number; analyzer?: Analyzer } = {}) {
  const events = new EventBus();
  const published: RapportEvent[] = [];
  events.subscribe((e) => published.push(e));
  const normalizers = new NormalizerRegistry();
  const ingest = new IngestService({ database, analyzer: rapportAnalyzer, events, normalizers, ...options });
  return { ingest, events, published, normalizers };
}

let counter = 0;

/** A valid canonical message; override any field. */
export function inbound(overrides: Partial<InboundMessageInput> = {}): InboundMessageInput {
  counter++;
  return {
    channel: "test-x",
    externalId: `m-${process.pid}-${counter}`,
    direction: "in",
    author: {
      externalId: `u-${counter}`,
      handle: `person${counter}`,
      displayName: `Person ${counter}`,
      followerCount: 12,
    },
    text: "My order never arrived and nobody answers.",
    createdAt: new Date(Date.UTC(2026, 10, 1, 12, 0, counter % 60)).toISOString(),
    ...overrides,
  };
}

export const asApi = (payload: unknown) => ({ source: "api", format: "canonical", payload });
