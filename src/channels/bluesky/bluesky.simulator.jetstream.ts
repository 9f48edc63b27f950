/**
 * The Bluesky simulator's Jetstream (`/subscribe`): live events filtered by `wantedCollections` and
 * `wantedDids`, `cursor` replay from the buffer of every event, and stream faults (duplicated and
 * reordered events, dropped connections).
 */
import type { WebSocket } from "ws";
import type { JetstreamEvent } from "./bluesky.inbound.ts";

interface Subscriber {
  ws: WebSocket;
  collections: string[];
  dids: string[];
}

export class SimJetstream {
  private readonly sockets = new Set<Subscriber>();
  /** Every event, in emission order (the replay buffer). */
  readonly events: JetstreamEvent[] = [];
  /** Faults applied to live events: send each twice, or swap each pair. */
  readonly faults = { duplicate: false, reorder: false };
  private held: JetstreamEvent | null = null;

  emit(event: JetstreamEvent): void {
    this.events.push(event);
    if (this.faults.reorder) {
      if (!this.held) {
        this.held = event;
        return;
      }
      const first = this.held;
      this.held = null;
      this.broadcast(event);
      this.broadcast(first);
      return;
    }
    this.broadcast(event);
  }

  /** Sends a held (reordered) event now. */
  flush(): void {
    if (this.held) this.broadcast(this.held);
    this.held = null;
  }

  /** Closes every open connection. */
  drop(): void {
    for (const s of this.sockets) s.ws.terminate();
    this.sockets.clear();
  }

  get open(): number {
    return this.sockets.size;
  }

  /** A new connection: replays from `cursor` (microseconds) if given, then follows live events. */
  subscribe(ws: WebSocket, url: URL): void {
    const sub = {
      ws,
      collections: url.searchParams.getAll("wantedCollections"),
      dids: url.searchParams.getAll("wantedDids"),
    };
    const cursor = Number(url.searchParams.get("cursor") ?? "");
    if (Number.isFinite(cursor) && cursor > 0) {
      for (const e of this.events) if (e.time_us >= cursor && this.wanted(sub, e)) ws.send(JSON.stringify(e));
    }
    this.sockets.add(sub);
    ws.on("close", () => this.sockets.delete(sub));
    ws.on("error", () => this.sockets.delete(sub));
  }

  private broadcast(event: JetstreamEvent): void {
    for (const s of this.sockets) {
      if (!this.wanted(s, event)) continue;
      const data = JSON.stringify(event);
      s.ws.send(data);
      if (this.faults.duplicate) s.ws.send(data);
    }
  }

  private wanted(s: { collections: string[]; dids: string[] }, e: JetstreamEvent): boolean {
    if (s.dids.length && !s.dids.includes(e.did)) return false;
    if (e.kind !== "commit") return true;
    return s.collections.length === 0 || s.collections.includes(e.commit!.collection);
  }
}
