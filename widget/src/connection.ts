/**
 * The widget's line to the server: a WebSocket that says hello with the stored visitor token, keeps the
 * token the server returns (localStorage, per channel), reconnects with backoff, and re-sends messages
 * that were not acknowledged (the server stores each client id once).
 */
import type { ServerFrame } from "./types.ts";

export type LineState = "connecting" | "online" | "offline";

const storageKey = (channel: string) => `rapport-chat:${channel}`;

function readToken(channel: string): string | null {
  try {
    return localStorage.getItem(storageKey(channel));
  } catch {
    return null; // storage blocked: the visitor is new on every page
  }
}

/** A visitor who chatted before on this channel (their conversation may have news for them). */
export function hasToken(channel: string): boolean {
  return readToken(channel) !== null;
}

function writeToken(channel: string, token: string): void {
  try {
    localStorage.setItem(storageKey(channel), token);
  } catch {
    /* storage blocked */
  }
}

export class Line {
  private socket: WebSocket | null = null;
  private retry = 1000;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private ready = false;
  private readonly pending = new Map<string, string>();

  constructor(
    private readonly base: string,
    private readonly channel: string,
    private readonly onFrame: (frame: ServerFrame) => void,
    private readonly onState: (state: LineState) => void,
  ) {}

  connect(): void {
    this.stopped = false;
    this.onState("connecting");
    const socket = new WebSocket(
      `${this.base.replace(/^http/, "ws")}/api/widget/${encodeURIComponent(this.channel)}/ws`,
    );
    this.socket = socket;
    socket.onopen = () => {
      socket.send(
        JSON.stringify({
          type: "hello",
          token: readToken(this.channel),
          pageUrl: location.href.slice(0, 2000),
        }),
      );
    };
    socket.onmessage = (event) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.type === "welcome") {
        writeToken(this.channel, frame.token);
        this.ready = true;
        this.retry = 1000;
        this.onState("online");
        this.onFrame(frame);
        // What was written while the line was down goes out now, under the same ids.
        for (const [id, text] of this.pending) this.raw({ type: "message", id, text });
        return;
      }
      if (frame.type === "ack") this.pending.delete(frame.id);
      if (frame.type === "error" && frame.ref && frame.code !== "rate_limited")
        this.pending.delete(frame.ref);
      this.onFrame(frame);
    };
    socket.onclose = () => {
      this.ready = false;
      this.socket = null;
      if (this.stopped) return;
      this.onState("offline");
      this.timer = setTimeout(() => this.connect(), this.retry);
      this.retry = Math.min(this.retry * 2, 30_000);
    };
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close();
  }

  /** Sends a message now, or as soon as the line is back. */
  message(id: string, text: string): void {
    this.pending.set(id, text);
    if (this.ready) this.raw({ type: "message", id, text });
  }

  typing(typing: boolean): void {
    if (this.ready) this.raw({ type: "typing", typing });
  }

  contact(email: string, name: string | null): void {
    if (this.ready) this.raw({ type: "contact", email, name });
  }

  private raw(frame: unknown): void {
    this.socket?.send(JSON.stringify(frame));
  }
}

/** A message id the server accepts (8–64 of [A-Za-z0-9_-]). */
export function clientId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `m-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
