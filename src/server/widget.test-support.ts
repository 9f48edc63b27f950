/**
 * What the website chat's route tests share (widget.*.test.ts): a real listening server with the real
 * ingest pipeline, outbox worker and SMTP server on one engine, and a visitor's WebSocket that collects
 * frames and waits for the ones a test expects.
 */
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect } from "vitest";
import WebSocket from "ws";
import type { EngineContext } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { sendOnlyEmailChannel, startSmtpServer, type TestSmtp } from "../../test/helpers/smtp.ts";
import { createConnectorRegistry } from "../channels/registry.ts";
import { createWorker } from "../jobs/index.ts";
import type { Worker } from "../jobs/worker.ts";
import { createServices, type Services } from "../services/container.ts";
import type { RapportEvent } from "../services/events.ts";
import { SecretBox } from "../services/secrets.ts";
import { webchatDirectory } from "../services/webchat.directory.ts";
import { agents, channels } from "../store/schema.ts";
import { buildApp } from "./app.ts";

export const SITE = "https://shop.example";
export const KEY = "webchat-shop";
export const VISITOR_KEY = "visitor-key-".padEnd(43, "x");
export const box = new SecretBox(Buffer.alloc(32, 3));

export type Frame = Record<string, unknown> & { type: string };

/** A visitor's socket that collects frames and waits for the ones a test expects. */
export class Visitor {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const w of this.waiters) w();
    });
    socket.on("close", (code, reason) => {
      this.closed = { code, reason: String(reason) };
      for (const w of this.waiters) w();
    });
  }

  static connect(base: string, options: { origin?: string; key?: string } = {}): Promise<Visitor> {
    const socket = new WebSocket(`${base.replace("http", "ws")}/api/widget/${options.key ?? KEY}/ws`, {
      headers: { origin: options.origin ?? SITE },
    });
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve(new Visitor(socket)));
      socket.once("unexpected-response", (_request, response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => {
          body += chunk;
        });
        response.on("end", () => reject(new Error(`${response.statusCode} ${body}`)));
      });
      socket.once("error", reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The first frame (from `from` on) matching `match`; waits up to 10 s. */
  async next(match: (frame: Frame) => boolean, from = 0, timeoutMs = 10_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`No matching frame; got ${JSON.stringify(this.frames.slice(from)).slice(0, 800)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  async hello(token?: string): Promise<Frame> {
    const from = this.frames.length;
    this.send({ type: "hello", token: token ?? null, pageUrl: `${SITE}/boots` });
    return this.next((f) => f.type === "welcome" || f.type === "error", from);
  }

  async say(id: string, text: string): Promise<Frame> {
    const from = this.frames.length;
    this.send({ type: "message", id, text });
    return this.next((f) => (f.type === "ack" && f.id === id) || (f.type === "error" && f.ref === id), from);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.socket.close();
    await this.next(() => this.closed !== null, 0).catch(() => {});
  }
}

export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** The running chat of one suite; its fields are set in `beforeAll`. */
export interface WidgetChat {
  services: Services;
  app: FastifyInstance;
  worker: Worker;
  smtp: TestSmtp;
  base: string;
  maria: Awaited<ReturnType<typeof agentWithToken>>;
  channelId: string;
  /** Every event the services published, in order. */
  events: RapportEvent[];
  /** Maria replies in the conversation; returns the reply's message id. */
  reply: (conversationId: string, text: string) => Promise<string>;
  conversationOf: (messageId: string) => Promise<string>;
}

/**
 * Starts SMTP, an email channel, the webchat channel `KEY` for `SITE`, Maria (online), the app on a
 * port and the worker before the suite's tests, and stops them after.
 */
export function useWidgetChat(ctx: EngineContext): WidgetChat {
  const chat = { events: [] as RapportEvent[] } as WidgetChat;
  chat.reply = async (conversationId, text) => {
    const res = await chat.app.inject({
      method: "POST",
      url: `/api/conversations/${conversationId}/replies`,
      headers: chat.maria.headers,
      payload: { text, acknowledgeWarnings: true },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().message.id as string;
  };
  chat.conversationOf = async (messageId) =>
    (
      await ctx.database.rows<{ id: string }>(
        sql`SELECT conversation_id AS id FROM messages WHERE id = ${messageId}`,
      )
    )[0]!.id;

  beforeAll(async () => {
    chat.smtp = await startSmtpServer();
    const db = ctx.database;
    const services = createServices(db);
    chat.services = services;
    const connectors = createConnectorRegistry({ webchat: webchatDirectory(db, box) });
    connectors.registerFormats(services.normalizers);
    await db.db.insert(channels).values(sendOnlyEmailChannel(chat.smtp, box));
    const [channel] = await db.db
      .insert(channels)
      .values({
        key: KEY,
        kind: "webchat",
        platform: "webchat",
        name: "Northwind",
        config: { allowedOrigins: [SITE], emailChannel: "email-care", greeting: "Hi! Ask us anything." },
        secrets: box.seal({ visitorKey: VISITOR_KEY }),
      })
      .returning();
    chat.channelId = channel!.id;
    chat.maria = await agentWithToken(db, "maria@example.com");
    await db.db
      .update(agents)
      .set({ availability: "online", avatarUrl: "https://cdn.example/maria.jpg", name: "Maria Lopez" })
      .where(sql`${agents.id} = ${chat.maria.agent.id}`);
    chat.app = await buildApp({
      database: db,
      services,
      connectors,
      secrets: box,
      widget: {
        hub: { messages: { burst: 5, perSecond: 0.01 }, renewMs: 500, leaseMs: 2_000 },
        httpRateLimit: { config: 1000, token: 1000 },
      },
    });
    await chat.app.listen({ port: 0, host: "127.0.0.1" });
    chat.base = `http://127.0.0.1:${(chat.app.server.address() as AddressInfo).port}`;
    chat.worker = createWorker({ database: db, events: services.events, connectors, secrets: box });
    await chat.worker.start();
    services.events.subscribe((event) => chat.events.push(event));
  });

  afterAll(async () => {
    await chat.worker?.stop();
    await chat.app?.close();
    await chat.smtp?.close();
  });
  return chat;
}
