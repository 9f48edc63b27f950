/**
 * The in-process event bus. Services publish after their transaction commits, so a listener never sees
 * an event for data that was rolled back. (Cross-process delivery over LISTEN/NOTIFY builds on this.)
 *
 * Outbound webhooks must not lose an event when a process dies between the commit and recording the
 * deliveries, so publishers first `stage` their events inside the transaction (a row in `event_journal`,
 * only while this process runs a webhook dispatcher and a webhook is enabled) and hand the row's id to
 * `publish`; the dispatcher deletes the row when it records the deliveries, and recovers rows left behind.
 */
import { EventEmitter } from "node:events";
import type { Db } from "../store/db.ts";

export type RapportEvent =
  | { type: "message.created"; messageId: string; conversationId: string; direction: "in" | "out" }
  | { type: "message.updated"; messageId: string; conversationId: string }
  | { type: "conversation.created"; conversationId: string }
  | { type: "presence.changed"; conversationId: string }
  /** A website visitor started or stopped typing (the chat widget); not stored. */
  | { type: "visitor.typing"; conversationId: string; typing: boolean }
  | {
      type: "conversation.updated";
      conversationId: string;
      /** Set when the status changed (resolved, reopened, …): outbound webhooks announce it. */
      status?: { from: string; to: string };
    };

/** Where staged events go (the webhook dispatcher's journal); returns the row id, or null if none written. */
export type EventStager = (tx: Db, events: RapportEvent[]) => Promise<number | null>;

export class EventBus {
  private readonly emitter = new EventEmitter();
  private stager: EventStager | undefined;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Set by the webhook dispatcher while it runs; without one, `stage` writes nothing. */
  setStager(stager: EventStager | undefined): void {
    this.stager = stager;
  }

  /** Inside the transaction that produced the events: journals them for outbound webhooks. */
  async stage(tx: Db, events: RapportEvent[]): Promise<number | null> {
    if (!this.stager || events.length === 0) return null;
    return this.stager(tx, events);
  }

  /** After commit. `journal` is what `stage` returned for these events. */
  publish(events: RapportEvent[], journal: number | null = null): void {
    for (const event of events) this.emitter.emit("event", event, journal);
  }

  subscribe(listener: (event: RapportEvent, journal: number | null) => void): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }
}
