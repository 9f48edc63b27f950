/**
 * The in-process event bus. Services publish after their transaction commits, so a listener never sees
 * an event for data that was rolled back. (Cross-process delivery over LISTEN/NOTIFY builds on this.)
 */
import { EventEmitter } from "node:events";

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

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(events: RapportEvent[]): void {
    for (const event of events) this.emitter.emit("event", event);
  }

  subscribe(listener: (event: RapportEvent) => void): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }
}
