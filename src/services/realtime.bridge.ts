/**
 * Realtime across processes: events published on this process's bus are forwarded through PostgreSQL
 * NOTIFY (channel `rapport_events`), and events other processes forwarded arrive through LISTEN. So a
 * browser connected to any `rapport serve` process sees what any other server or worker did. On PGlite
 * (one process) the same path works; a process drops its own notifications by their origin id.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Database } from "../store/db.ts";
import type { EventBus, RapportEvent } from "./events.ts";

export const EVENTS_CHANNEL = "rapport_events";
/** NOTIFY payloads must stay under 8000 bytes; events are packed into chunks below this. */
const MAX_PAYLOAD = 7000;

export class RealtimeBridge {
  readonly origin = randomBytes(6).toString("hex");
  private readonly remote = new EventEmitter();
  private stopForwarding: (() => void) | undefined;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly database: Database,
    private readonly events: EventBus,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.remote.setMaxListeners(0);
  }

  /**
   * Forwards local events to other processes and, unless `listen` is false (a worker has no browsers),
   * receives theirs.
   */
  async start(options: { listen?: boolean } = {}): Promise<void> {
    if (this.stopForwarding) return;
    this.stopForwarding = this.events.subscribe((event) => this.forward(event));
    if (options.listen === false) return;
    this.unlisten = await this.database.listen(EVENTS_CHANNEL, (payload) => this.receive(payload));
  }

  async stop(): Promise<void> {
    this.stopForwarding?.();
    this.stopForwarding = undefined;
    await this.unlisten?.();
    this.unlisten = undefined;
  }

  /** Every event, local and (once started) from other processes. */
  subscribe(listener: (event: RapportEvent) => void): () => void {
    const off = this.events.subscribe(listener);
    this.remote.on("event", listener);
    return () => {
      off();
      this.remote.off("event", listener);
    };
  }

  private pending: RapportEvent[] = [];
  private scheduled = false;

  private forward(event: RapportEvent): void {
    // Events published together (an ingest batch) go out in as few notifications as fit.
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      const events = this.pending;
      this.pending = [];
      for (const chunk of chunks(events, this.origin)) {
        this.database.notify(EVENTS_CHANNEL, chunk).catch(this.onError);
      }
    });
  }

  private receive(payload: string): void {
    try {
      const message = JSON.parse(payload) as { origin: string; events: RapportEvent[] };
      if (message.origin === this.origin) return;
      for (const event of message.events) this.remote.emit("event", event);
    } catch (error) {
      this.onError(error);
    }
  }
}

function* chunks(events: RapportEvent[], origin: string): Generator<string> {
  const head = `{"origin":"${origin}","events":[`;
  let parts: string[] = [];
  let size = head.length + 2;
  for (const event of events) {
    const text = JSON.stringify(event);
    if (parts.length > 0 && size + text.length + 1 > MAX_PAYLOAD) {
      yield `${head}${parts.join(",")}]}`;
      parts = [];
      size = head.length + 2;
    }
    parts.push(text);
    size += text.length + 1;
  }
  if (parts.length > 0) yield `${head}${parts.join(",")}]}`;
}
