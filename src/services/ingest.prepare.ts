/**
 * The ingest steps that need no transaction: store each payload raw (its own commit: nothing a person
 * sent is lost, whatever happens next), normalize it, make sure its channel exists, analyse it.
 * IngestService overlaps this with the previous batch's transaction.
 */
import type { Analyzer } from "../analysis/analyzer.ts";
import type { ChannelDefaults, InboundChange, InboundMessage } from "../core/inbound.ts";
import { storable } from "../core/sanitize.ts";
import type { ChannelRow, IngestRepository } from "../store/ingest.repository.ts";
import {
  channelKeyOf,
  type Entry,
  type Failed,
  type Normalized,
  type NormalizedChange,
  type Prepared,
} from "./ingest.model.ts";
import type { IngestItem } from "./ingest.types.ts";
import type { NormalizerRegistry } from "./normalizers.ts";

/**
 * While a batch is prepared (normalized, analysed: CPU-bound), the previous batch's transaction waits
 * for Node between its statements. Preparing lets I/O callbacks run every this many payloads, so the
 * database is not left idle for the length of a whole batch's analysis.
 */
const YIELD_EVERY = 250;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface PrepareDeps {
  analyzer: Analyzer;
  normalizers: NormalizerRegistry;
}

export class BatchPreparer {
  /** Channels by key, as created or found; a channel's row does not change during an ingest. */
  private readonly channels = new Map<string, ChannelRow>();

  constructor(
    private readonly deps: PrepareDeps,
    private readonly repo: IngestRepository,
  ) {}

  /** Stores every item raw, in one statement of its own, and numbers them from `offset`. */
  async storeRaw(items: IngestItem[], offset: number): Promise<Entry[]> {
    const chunk = items.map((item) => ({ ...item, payload: storable(item.payload ?? null) }));
    const rawIds = await this.repo.insertRawEvents(
      chunk.map((item) => ({
        source: item.source,
        format: item.format,
        channel_key: channelKeyOf(item.payload),
        payload: item.payload,
      })),
    );
    return chunk.map((item, i) => ({
      index: offset + i,
      rawEventId: rawIds[i]!,
      source: item.source,
      format: item.format,
      payload: item.payload,
      ...(item.detail ? { detail: item.detail } : {}),
    }));
  }

  /** Normalizes and analyses stored entries; what cannot be normalized is set aside as failed. */
  async prepare(entries: Entry[]): Promise<Prepared> {
    const normalized: Array<{ entry: Entry; message: InboundMessage; defaults?: ChannelDefaults }> = [];
    const changed: Array<{ entry: Entry; change: InboundChange; defaults?: ChannelDefaults }> = [];
    const ignored: Failed[] = [];
    const failed: Failed[] = [];
    for (const [i, entry] of entries.entries()) {
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToIo();
      const result = await this.deps.normalizers.normalize(entry.format, entry.payload);
      if (!result.ok) failed.push({ entry, reason: result.reason });
      else if ("ignored" in result) ignored.push({ entry, reason: result.ignored });
      else if ("change" in result)
        changed.push({
          entry,
          change: result.change,
          ...(result.channel ? { defaults: result.channel } : {}),
        });
      else
        normalized.push({
          entry,
          message: result.message,
          ...(result.channel ? { defaults: result.channel } : {}),
        });
    }
    const channels = await this.ensureChannels([
      ...normalized,
      ...changed.map((c) => ({
        message: { channel: c.change.channel },
        ...(c.defaults ? { defaults: c.defaults } : {}),
      })),
    ]);
    const ready: Normalized[] = [];
    for (const [i, n] of normalized.entries()) {
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToIo();
      ready.push({
        entry: n.entry,
        message: n.message,
        channel: channels.get(n.message.channel)!,
        analysis: this.deps.analyzer.analyze(n.message.text, { direction: n.message.direction }),
      });
    }
    const changes: NormalizedChange[] = changed.map((c) => ({
      entry: c.entry,
      change: c.change,
      channel: channels.get(c.change.channel)!,
      ...(c.change.message
        ? {
            messageAnalysis: this.deps.analyzer.analyze(c.change.message.text, {
              direction: c.change.message.direction,
            }),
          }
        : {}),
    }));
    return { entries, ready, changes, ignored, failed };
  }

  private async ensureChannels(
    normalized: Array<{ message: Pick<InboundMessage, "channel">; defaults?: ChannelDefaults }>,
  ): Promise<Map<string, ChannelRow>> {
    const missing = new Map<string, { key: string; kind: string; platform: string; name: string }>();
    for (const { message, defaults } of normalized) {
      if (this.channels.has(message.channel) || missing.has(message.channel)) continue;
      // A channel nobody set up yet: created as an import channel, its own identity namespace.
      missing.set(message.channel, {
        key: message.channel,
        kind: defaults?.kind ?? "import",
        platform: defaults?.platform ?? message.channel,
        name: defaults?.name ?? message.channel,
      });
    }
    if (missing.size > 0) {
      for (const row of await this.repo.ensureChannels([...missing.values()]))
        this.channels.set(row.key, row);
    }
    return this.channels;
  }
}
