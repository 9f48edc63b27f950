/**
 * A real HTTP receiver for webhook tests (node:http): records every request and verifies its signature
 * the way docs/channels/webhooks.md tells receivers to — independently of Rapport's own code.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  /** The signature matched the receiver's secret and the timestamp was within 5 minutes. */
  verified: boolean;
  at: number;
}

export interface Answer {
  status: number;
  body?: unknown;
}

/** The documented verification: HMAC-SHA256(secret, timestamp + "." + body), hex, constant-time. */
export function verifyRequest(headers: IncomingHttpHeaders, body: string, secret: string): boolean {
  const timestamp = String(headers["x-rapport-timestamp"] ?? "");
  const signature = String(headers["x-rapport-signature"] ?? "");
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
  return signature
    .split(/[\s,]+/)
    .some((s) => s.length === expected.length && timingSafeEqual(Buffer.from(s), Buffer.from(expected)));
}

export interface Receiver {
  url: string;
  received: Received[];
  /** The secret requests are verified with (set it once known). */
  secret: string;
  /** What to answer; default 200 `{"ok":true}`. */
  respond: (request: Received) => Answer | Promise<Answer>;
  /** Resolves with the first request (including past ones) matching `predicate`. */
  waitFor(predicate: (r: Received) => boolean, timeoutMs?: number): Promise<Received>;
  /** Resolves once `count` requests match. */
  waitForCount(predicate: (r: Received) => boolean, count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(secret = ""): Promise<Receiver> {
  const waiters = new Set<() => void>();
  const receiver: Receiver = {
    url: "",
    received: [],
    secret,
    respond: () => ({ status: 200, body: { ok: true } }),
    async waitFor(predicate, timeoutMs = 20_000) {
      const [first] = await receiver.waitForCount(predicate, 1, timeoutMs);
      return first!;
    },
    waitForCount(predicate, count, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = receiver.received.filter(predicate);
          if (matching.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(matching);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `the receiver got ${receiver.received.filter(predicate).length} of ${count} matching requests within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const entry: Received = {
        path: request.url ?? "/",
        headers: request.headers,
        body,
        json,
        verified: verifyRequest(request.headers, body, receiver.secret),
        at: Date.now(),
      };
      receiver.received.push(entry);
      const answer = await receiver.respond(entry);
      response.writeHead(answer.status, { "content-type": "application/json" });
      response.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
      for (const waiter of [...waiters]) waiter();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
