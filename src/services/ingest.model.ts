/** The shapes the ingest pipeline passes between its steps. */
import type { Analysis } from "../analysis/analyzer.ts";
import type { InboundChange, InboundMessage } from "../core/inbound.ts";
import type { ChannelRow } from "../store/ingest.repository.ts";

/** A raw event already stored, waiting to be normalized and persisted. */
export interface Entry {
  index: number;
  rawEventId: number;
  source: string;
  format: string;
  payload: unknown;
  detail?: Record<string, unknown>;
  /** Set when replaying: the dead letter to update instead of creating a new one. */
  deadLetterId?: number;
}

export interface Normalized {
  entry: Entry;
  message: InboundMessage;
  channel: ChannelRow;
  analysis: Analysis;
}

export interface NormalizedChange {
  entry: Entry;
  change: InboundChange;
  channel: ChannelRow;
  /** The analysis of `change.message`, when the change carries the whole message. */
  messageAnalysis?: Analysis;
}

/** A batch after the work that needs no transaction: raw stored, normalized, analysed. */
export interface Prepared {
  entries: Entry[];
  ready: Normalized[];
  changes: NormalizedChange[];
  /** Payloads that are knowingly not messages, with why. */
  ignored: Failed[];
  failed: Failed[];
}

export interface Failed {
  entry: Entry;
  reason: string;
}

/** A conversation as the batch sees it: found in the database, or new in this batch. */
export interface ConvRef {
  id: string;
  channelId: string;
  threadKey: string;
  personId: string | null;
  isNew: boolean;
  visibility: "public" | "private";
  createdAt: string;
  subject?: string | null;
}

export const key = (channelId: string, id: string) => `${channelId}\u0000${id}`;
export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function identityKey(n: Normalized): string {
  return `${n.channel.platform}\u0000${n.message.author.externalId}`;
}

export function agentRef(n: Normalized): string {
  return `${n.channel.platform}:${n.message.author.externalId}`;
}

export function dmKey(n: Normalized): string {
  return `dm:${n.message.author.externalId}`;
}

/** The channel key a raw payload names, if any (kept on the raw event for lookups). */
export function channelKeyOf(payload: unknown): string | null {
  if (payload && typeof payload === "object" && "channel" in payload) {
    const channel = (payload as { channel: unknown }).channel;
    if (typeof channel === "string") return channel.slice(0, 200);
  }
  return null;
}
