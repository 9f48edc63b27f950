/**
 * The streaming API over WebSocket (`ws`): one connection to `/api/v1/streaming?stream=user` (mentions
 * and other notifications, edits, deletions), also subscribed to `direct` (conversation events for DMs).
 * The token goes in the Authorization header, never in the URL. A ping every `pingMs` detects a dead
 * connection (no pong in time → terminated), so a silently dropped stream is noticed and resumed.
 */
import WebSocket from "ws";

export interface StreamFrame {
  stream?: string[] | string;
  event: string;
  payload?: string;
}

export interface StreamOptions {
  /** The streaming server's base (ws:// or wss://, from the instance's configuration.urls.streaming). */
  streamingUrl: string;
  accessToken: string;
  signal: AbortSignal;
  onFrame(frame: StreamFrame): void;
  /** Called once the connection is open and subscribed. */
  onOpen(): void;
  pingMs?: number;
  /** How long the connection may take to open (default 15 s). */
  openTimeoutMs?: number;
}

/** Why a stream ended: refused (an HTTP status, e.g. 401), failed to connect, or closed/dropped after opening. */
export class StreamClosed extends Error {
  constructor(
    message: string,
    readonly opened: boolean,
    readonly httpStatus: number | null = null,
  ) {
    super(message);
    this.name = "StreamClosed";
  }
}

/** Streams until the connection ends (rejects with StreamClosed) or the signal aborts (resolves). */
export function runStream(options: StreamOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) return resolve();
    const url = new URL("/api/v1/streaming", options.streamingUrl.replace(/^http/, "ws"));
    url.searchParams.set("stream", "user");
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${options.accessToken}` },
      handshakeTimeout: options.openTimeoutMs ?? 15_000,
    });
    let opened = false;
    let alive = true;
    let settled = false;
    let pinger: NodeJS.Timeout | undefined;
    const finish = (error: StreamClosed | null) => {
      if (settled) return;
      settled = true;
      clearInterval(pinger);
      options.signal.removeEventListener("abort", abort);
      ws.removeAllListeners();
      ws.on("error", () => {});
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
      if (error) reject(error);
      else resolve();
    };
    const abort = () => finish(null);
    options.signal.addEventListener("abort", abort);

    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      res.on("end", () => {
        let words = body.trim().slice(0, 200);
        try {
          words = (JSON.parse(body) as { error?: string }).error ?? words;
        } catch {}
        finish(
          new StreamClosed(
            `the streaming API answered ${res.statusCode}${words ? `: ${words}` : ""}`,
            false,
            res.statusCode ?? null,
          ),
        );
      });
      res.on("error", () =>
        finish(
          new StreamClosed(`the streaming API answered ${res.statusCode}`, false, res.statusCode ?? null),
        ),
      );
    });
    ws.on("open", () => {
      opened = true;
      ws.send(JSON.stringify({ type: "subscribe", stream: "direct" }));
      pinger = setInterval(() => {
        if (!alive) return finish(new StreamClosed("the stream stopped answering pings", true));
        alive = false;
        ws.ping();
      }, options.pingMs ?? 30_000);
      options.onOpen();
    });
    ws.on("pong", () => {
      alive = true;
    });
    ws.on("message", (data) => {
      alive = true;
      let frame: StreamFrame;
      try {
        frame = JSON.parse(String(data)) as StreamFrame;
      } catch {
        return; // not an event (the server only sends JSON events; anything else is noise)
      }
      if (frame && typeof frame.event === "string") options.onFrame(frame);
    });
    ws.on("close", (code, reason) =>
      finish(
        new StreamClosed(
          `the stream closed (${code}${reason.length ? ` ${reason.toString()}` : ""})`,
          opened,
        ),
      ),
    );
    ws.on("error", (error: Error & { code?: string }) =>
      finish(
        new StreamClosed(
          `the stream failed: ${[error.code, error.message].filter(Boolean).join(": ")}`,
          opened,
        ),
      ),
    );
  });
}
