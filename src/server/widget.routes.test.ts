/**
 * The website chat's public API and WebSocket on both engines, over a real listening server, real
 * sockets (ws), the real ingest pipeline, outbox worker and SMTP server: config, tokens, origins,
 * validation and rate limits with precise errors, duplicates stored once, history on reconnect, replies
 * and typing both ways — also when the reply is sent by a worker in another "process" (its own services
 * and realtime bridge) — and the offline → email path.
 */
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type TestSmtp } from "../../test/helpers/smtp.ts";
import { createConnectorRegistry } from "../channels/registry.ts";
import { signVisitorToken } from "../channels/webchat/webchat.token.ts";
import { createWorker } from "../jobs/index.ts";
import type { Worker } from "../jobs/worker.ts";
import { AuthService } from "../services/auth.service.ts";
import { createServices, type Services } from "../services/container.ts";
import type { RapportEvent } from "../services/events.ts";
import { SecretBox } from "../services/secrets.ts";
import { webchatDirectory } from "../services/webchat.directory.ts";
import { type Database, openDatabase } from "../store/db.ts";
import { agents, businessHours, channels, slaPolicies } from "../store/schema.ts";
import { buildApp } from "./app.ts";
import { WIDGET_BUNDLE } from "./routes/widget.routes.ts";

const SITE = "https://shop.example";
const KEY = "webchat-shop";
const VISITOR_KEY = "visitor-key-".padEnd(43, "x");
const box = new SecretBox(Buffer.alloc(32, 3));

type Frame = Record<string, unknown> & { type: string };

/** A visitor's socket that collects frames and waits for the ones a test expects. */
class Visitor {
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

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describeEachEngine("the website chat", (ctx) => {
  let services: Services;
  let app: FastifyInstance;
  let worker: Worker;
  let smtp: TestSmtp;
  let base: string;
  let maria: Awaited<ReturnType<typeof agentWithToken>>;
  let channelId: string;
  const events: RapportEvent[] = [];

  const reply = async (conversationId: string, text: string) => {
    const res = await app.inject({
      method: "POST",
      url: `/api/conversations/${conversationId}/replies`,
      headers: maria.headers,
      payload: { text, acknowledgeWarnings: true },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().message.id as string;
  };
  const conversationOf = async (messageId: string) =>
    (
      await ctx.database.rows<{ id: string }>(
        sql`SELECT conversation_id AS id FROM messages WHERE id = ${messageId}`,
      )
    )[0]!.id;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    const db = ctx.database;
    services = createServices(db);
    const connectors = createConnectorRegistry({ webchat: webchatDirectory(db, box) });
    connectors.registerFormats(services.normalizers);
    await db.db.insert(channels).values({
      key: "email-care",
      kind: "email",
      platform: "email",
      name: "Northwind care",
      config: {
        address: "care@northwind.example",
        imap: { host: "127.0.0.1", port: 1, secure: false, user: "care", mailbox: "INBOX" },
        smtp: { host: "127.0.0.1", port: smtp.port, secure: false, user: SMTP_USER },
      },
      secrets: box.seal({ imapPassword: "unused", smtpPassword: SMTP_PASSWORD }),
    });
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
    channelId = channel!.id;
    maria = await agentWithToken(db, "maria@example.com");
    await db.db
      .update(agents)
      .set({ availability: "online", avatarUrl: "https://cdn.example/maria.jpg", name: "Maria Lopez" })
      .where(sql`${agents.id} = ${maria.agent.id}`);
    app = await buildApp({
      database: db,
      services,
      connectors,
      secrets: box,
      widget: {
        hub: { messages: { burst: 5, perSecond: 0.01 }, renewMs: 500, leaseMs: 2_000 },
        httpRateLimit: { config: 1000, token: 1000 },
      },
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    worker = createWorker({ database: db, events: services.events, connectors, secrets: box });
    await worker.start();
    services.events.subscribe((event) => events.push(event));
  });

  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    await smtp?.close();
  });

  describe("config", () => {
    it("shows the people on duty, hours and the honest response time, for allowed sites", async () => {
      const res = await app.inject({ url: `/api/widget/${KEY}/config`, headers: { origin: SITE } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers["access-control-allow-origin"]).toBe(SITE);
      expect(res.json()).toEqual({
        channel: { key: KEY, name: "Northwind" },
        greeting: "Hi! Ask us anything.",
        color: null,
        agents: [{ name: "Maria Lopez", avatarUrl: "https://cdn.example/maria.jpg" }],
        open: true,
        hours: null,
        online: true,
        response: { targetMinutes: 60, typicalMinutes: null, samples: 0 },
        maxText: 4000,
      });
    });

    it("says honestly when it is closed, when it opens, and the policy's target", async () => {
      const [closed] = await ctx.database.db
        .insert(channels)
        .values({
          key: "webchat-closed",
          kind: "webchat",
          platform: "webchat",
          name: "Night train",
          config: { allowedOrigins: [SITE] },
          secrets: box.seal({ visitorKey: VISITOR_KEY }),
        })
        .returning();
      // Open one hour a week, on a weekday three days from now (UTC): closed now.
      const day = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"][(new Date().getUTCDay() + 3) % 7]!;
      const [hours] = await ctx.database.db
        .insert(businessHours)
        .values({ name: "Rarely open", timezone: "UTC", schedule: { [day]: [["09:00", "10:00"]] } })
        .returning();
      await ctx.database.db.insert(slaPolicies).values({
        name: "Night train",
        channelId: closed!.id,
        firstResponseMinutes: 30,
        businessHoursId: hours!.id,
      });
      const res = await app.inject({ url: "/api/widget/webchat-closed/config", headers: { origin: SITE } });
      const body = res.json();
      expect(body).toMatchObject({
        open: false,
        online: false,
        hours: { timezone: "UTC" },
        response: { targetMinutes: 30, typicalMinutes: null },
      });
      const opens = new Date(body.hours.changesAt);
      expect(opens.getUTCHours()).toBe(9);
      expect(opens.getTime() - Date.now()).toBeGreaterThan(2 * 24 * 3600_000);
      expect(opens.getTime() - Date.now()).toBeLessThan(4 * 24 * 3600_000);
    });

    it("answers preflights, and refuses other sites and unknown channels precisely", async () => {
      const preflight = await app.inject({
        method: "OPTIONS",
        url: `/api/widget/${KEY}/token`,
        headers: { origin: SITE, "access-control-request-method": "POST" },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers["access-control-allow-methods"]).toBe("GET, POST");
      const other = await app.inject({
        url: `/api/widget/${KEY}/config`,
        headers: { origin: "https://evil.example" },
      });
      expect(other.statusCode).toBe(403);
      expect(other.json().error.message).toBe(
        `The site https://evil.example may not use the chat of channel "${KEY}": add it to the channel's allowedOrigins.`,
      );
      const unknown = await app.inject({ url: "/api/widget/nope/config" });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error.message).toBe('There is no website chat channel with the key "nope".');
      const notWebchat = await app.inject({ url: "/api/widget/email-care/config" });
      expect(notWebchat.statusCode).toBe(404);
      const badKey = await app.inject({ url: "/api/widget/%20bad/config" });
      expect(badKey.statusCode).toBe(400);
    });
  });

  it("is set up by an admin over the API, with a generated visitor key that is never shown", async () => {
    const auth = new AuthService(ctx.database.db);
    await auth.createAgent({
      email: "admin@example.com",
      name: "Ada Admin",
      password: "correct horse battery",
      role: "admin",
    });
    const { token } = await auth.createToken({ name: "setup", agentEmail: "admin@example.com" });
    const created = await app.inject({
      method: "POST",
      url: "/api/channels",
      headers: { authorization: `Bearer ${token}` },
      payload: {
        kind: "webchat",
        name: "Northwind Rail",
        config: { allowedOrigins: ["https://rail.example"] },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      key: "webchat-northwind-rail",
      hasSecrets: true,
      config: { allowedOrigins: ["https://rail.example"] },
    });
    // The key is generated and stored sealed; the API names it as set but never shows its value.
    expect(created.json().secretsSet).toEqual(["visitorKey"]);
    const [row] = await ctx.database.rows<{ secrets: string }>(
      sql`SELECT secrets FROM channels WHERE key = 'webchat-northwind-rail'`,
    );
    const visitorKey = box.open(row!.secrets).visitorKey!;
    expect(visitorKey.length).toBeGreaterThanOrEqual(32);
    expect(created.body).not.toContain(visitorKey);
    const config = await app.inject({
      url: "/api/widget/webchat-northwind-rail/config",
      headers: { origin: "https://rail.example" },
    });
    expect(config.statusCode, config.body).toBe(200);
    const bad = await app.inject({
      method: "POST",
      url: "/api/channels",
      headers: { authorization: `Bearer ${token}` },
      payload: { kind: "webchat", name: "Bad", config: { allowedOrigins: ["https://rail.example/path"] } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^config\.allowedOrigins\.0: must be an origin/);
  });

  it("serves the widget bundle and a demo page with the snippet", async () => {
    const demo = await app.inject({ url: `/widget-demo?channel=${KEY}` });
    expect(demo.statusCode).toBe(200);
    expect(demo.headers["content-type"]).toMatch(/^text\/html/);
    expect(demo.body).toContain(`<script src="/widget.js" data-channel="${KEY}" async></script>`);
    expect((await app.inject({ url: "/widget-demo?channel=nope" })).statusCode).toBe(404);
    const bundle = await app.inject({ url: "/widget.js" });
    if (existsSync(WIDGET_BUNDLE)) {
      expect(bundle.statusCode).toBe(200);
      expect(bundle.headers["content-type"]).toBe("application/javascript; charset=utf-8");
    } else {
      expect(bundle.json().error.message).toMatch(/npm run build:widget/);
    }
  });

  describe("tokens", () => {
    it("issues a visitor token, keeps a fresh one, renews an old one and refuses a forged one", async () => {
      const issued = await app.inject({ method: "POST", url: `/api/widget/${KEY}/token`, payload: {} });
      expect(issued.statusCode, issued.body).toBe(200);
      const { token, visitorId } = issued.json();
      expect(visitorId).toMatch(/^wv_/);
      const again = await app.inject({ method: "POST", url: `/api/widget/${KEY}/token`, payload: { token } });
      expect(again.json()).toEqual({ token, visitorId, renewed: false });
      const old = signVisitorToken(
        { visitorId, channelId, issuedAt: new Date(Date.now() - 3 * 24 * 3600_000) },
        VISITOR_KEY,
      );
      const renewed = await app.inject({
        method: "POST",
        url: `/api/widget/${KEY}/token`,
        payload: { token: old },
      });
      expect(renewed.json()).toMatchObject({ visitorId, renewed: true });
      expect(renewed.json().token).not.toBe(old);
      const forged = await app.inject({
        method: "POST",
        url: `/api/widget/${KEY}/token`,
        payload: { token: signVisitorToken({ visitorId, channelId, issuedAt: new Date() }, "another-key") },
      });
      expect(forged.statusCode).toBe(401);
      expect(forged.json().error.message).toBe("The visitor token's signature is not valid.");
    });
  });

  describe("the visitor's socket", () => {
    it("refuses the upgrade from a site that is not allowed, with the reason", async () => {
      await expect(Visitor.connect(base, { origin: "https://evil.example" })).rejects.toThrow(
        /^403 .*may not use the chat/,
      );
      await expect(Visitor.connect(base, { key: "nope" })).rejects.toThrow(/^404 /);
    });

    it("stores a message through the pipeline, once however often it is sent, and shows it to agents", async () => {
      const v = await Visitor.connect(base);
      const welcome = await v.hello();
      expect(welcome).toMatchObject({
        type: "welcome",
        visitorId: expect.stringMatching(/^wv_/),
        messages: [],
      });
      const ack = await v.say("msg-00000001", "Do the Ridge boots come in size 46?");
      expect(ack).toMatchObject({ type: "ack", id: "msg-00000001", duplicate: false });
      const again = await v.say("msg-00000001", "Do the Ridge boots come in size 46?");
      expect(again).toMatchObject({ type: "ack", messageId: ack.messageId, duplicate: true });
      const counts = await ctx.database.rows<{ n: number; raw: number }>(sql`
        SELECT (SELECT count(*)::int FROM messages WHERE text = 'Do the Ridge boots come in size 46?') AS n,
               (SELECT count(*)::int FROM raw_events WHERE format = 'webchat' AND source = 'widget') AS raw`);
      expect(counts[0]).toEqual({ n: 1, raw: 2 });
      const conversation = await app.inject({
        url: `/api/conversations/${await conversationOf(ack.messageId as string)}`,
        headers: maria.headers,
      });
      expect(conversation.json().messages[0]).toMatchObject({
        text: "Do the Ridge boots come in size 46?",
        direction: "in",
        visibility: "private",
        author: { kind: "identity", platform: "webchat", displayName: "Website visitor" },
      });
      await v.close();
    });

    it("answers malformed, unknown, oversized and early frames with precise errors", async () => {
      const v = await Visitor.connect(base);
      v.send({ type: "message", id: "msg-early-1", text: "Hi" });
      expect(await v.next((f) => f.type === "error")).toEqual({
        type: "error",
        code: "unauthorized",
        message: "Say hello first (with your visitor token).",
      });
      await v.hello();
      let from = v.frames.length;
      v.send("{not json");
      expect(await v.next((f) => f.type === "error", from)).toMatchObject({
        code: "bad_request",
        message: expect.stringMatching(/^The frame is not valid JSON: /),
      });
      from = v.frames.length;
      v.send({ type: "shout", text: "HELLO" });
      expect(await v.next((f) => f.type === "error", from)).toMatchObject({ code: "validation_failed" });
      expect(await v.say("msg-long-0001", "x".repeat(4001))).toEqual({
        type: "error",
        code: "validation_failed",
        message: "text: is longer than 4000 characters",
        ref: "msg-long-0001",
      });
      expect(await v.say("msg-empty-001", "   ")).toMatchObject({ message: "text: must not be empty" });
      from = v.frames.length;
      v.send({ type: "contact", email: "not an email" });
      expect(await v.next((f) => f.type === "error", from)).toMatchObject({
        code: "validation_failed",
        message: "email: must be an email address",
      });
      // Beyond 32 KB the socket is closed (1009) before anything is read.
      v.send({ type: "message", id: "msg-huge-0001", text: "x".repeat(40_000) });
      await v.next(() => v.closed !== null);
      expect(v.closed?.code).toBe(1009);
    });

    it("limits each visitor's messages with the time to wait", async () => {
      const v = await Visitor.connect(base);
      await v.hello();
      for (let i = 1; i <= 5; i++) expect((await v.say(`rate-000${i}`, `Message ${i}`)).type).toBe("ack");
      const limited = await v.say("rate-0006", "Message 6");
      expect(limited).toMatchObject({
        type: "error",
        code: "rate_limited",
        ref: "rate-0006",
        message: expect.stringMatching(/^Too many messages\. Wait \d+ seconds before sending more\.$/),
      });
      await v.close();
    });

    it("finds the conversation again after a reload, and gets agents' replies and typing live", async () => {
      const first = await Visitor.connect(base);
      const welcome = await first.hello();
      const ack = await first.say("reload-00001", "Is my order 48213 on its way?");
      await first.close();
      const conversationId = await conversationOf(ack.messageId as string);

      const v = await Visitor.connect(base);
      const back = await v.hello(welcome.token as string);
      expect(back).toMatchObject({ visitorId: welcome.visitorId, token: welcome.token });
      expect((back.messages as Array<{ text: string }>).map((m) => m.text)).toEqual([
        "Is my order 48213 on its way?",
      ]);
      const visitorTyping = events.length;
      v.send({ type: "typing", typing: true });
      await until(
        async () => events.slice(visitorTyping),
        (list) =>
          list.some((e) => e.type === "visitor.typing" && e.typing && e.conversationId === conversationId),
        "the visitor's typing event",
      );

      let from = v.frames.length;
      const presence = await app.inject({
        method: "PUT",
        url: `/api/conversations/${conversationId}/presence`,
        headers: maria.headers,
        payload: { activity: "replying" },
      });
      expect(presence.statusCode).toBe(200);
      expect(await v.next((f) => f.type === "typing", from)).toEqual({
        type: "typing",
        typing: true,
        agents: ["Maria Lopez"],
      });
      from = v.frames.length;
      const replyId = await reply(conversationId, "It left our warehouse this morning.");
      const pushed = await v.next((f) => f.type === "message", from);
      expect(pushed.message).toMatchObject({
        id: replyId,
        direction: "out",
        text: expect.stringContaining("It left our warehouse this morning."),
        agent: { name: "Maria Lopez", avatarUrl: "https://cdn.example/maria.jpg" },
      });
      const [sent] = await ctx.database.rows<{ delivery_status: string; external_id: string }>(
        sql`SELECT delivery_status, external_id FROM messages WHERE id = ${replyId}`,
      );
      expect(sent).toEqual({ delivery_status: "sent", external_id: `webchat:${replyId}` });
      expect(smtp.received).toHaveLength(0);
      await v.close();

      // The reply is in the history on the next visit.
      const later = await Visitor.connect(base);
      const history = (await later.hello(welcome.token as string)).messages as Array<{ direction: string }>;
      expect(history.map((m) => m.direction)).toEqual(["in", "out"]);
      await later.close();
    });

    it("shows agents the email and name a visitor leaves after writing", async () => {
      const v = await Visitor.connect(base);
      await v.hello();
      const ack = await v.say("contact-0001", "My train was cancelled, what now?");
      const conversationId = await conversationOf(ack.messageId as string);
      const before = events.length;
      const from = v.frames.length;
      v.send({ type: "contact", email: "grace@example.org", name: "Grace Hopper" });
      await v.next((f) => f.type === "contact", from);
      const res = await app.inject({ url: `/api/conversations/${conversationId}`, headers: maria.headers });
      expect(res.json().messages[0].author).toMatchObject({
        handle: "grace@example.org",
        displayName: "Grace Hopper",
      });
      expect(res.json().person?.displayName ?? res.json().conversation?.person?.displayName).toBe(
        "Grace Hopper",
      );
      expect(events.slice(before)).toContainEqual({ type: "conversation.updated", conversationId });
      await v.close();
    });

    it("starts afresh, saying why, when the stored token is not valid", async () => {
      const v = await Visitor.connect(base);
      const welcome = await v.hello("garbage.token");
      expect(welcome).toMatchObject({
        type: "welcome",
        reset: "The visitor token's signature is not valid.",
        messages: [],
      });
      await v.close();
    });
  });

  it("sends the reply by email when the visitor left their email and closed the page", async () => {
    const v = await Visitor.connect(base);
    await v.hello();
    const from = v.frames.length;
    v.send({ type: "contact", email: "ada@example.org", name: "Ada" });
    expect(await v.next((f) => f.type === "contact", from)).toEqual({
      type: "contact",
      email: "ada@example.org",
    });
    const ack = await v.say("offline-0001", "Nobody is here, so: can I return worn boots?");
    await v.close();
    const conversationId = await conversationOf(ack.messageId as string);
    // The lease ends with the last socket.
    await until(
      () =>
        ctx.database.rows<{ c: boolean }>(
          sql`SELECT COALESCE(connected_until > now(), false) AS c FROM webchat_visitors WHERE email = 'ada@example.org'`,
        ),
      (rows) => rows[0]?.c === false,
      "the visitor's lease to end",
    );
    await reply(conversationId, "Yes, within 30 days, even worn once outdoors.");
    const mail = await smtp.waitFor("Yes, within 30 days");
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : null).toBe("ada@example.org");
    expect(mail.subject).toBe("Re: Your chat with Northwind");
    expect(mail.text).toContain(`in the chat on ${SITE}/boots`);
  });

  it("delivers a reply sent by a worker in another process to the socket held here", async () => {
    // The other "process": its own connection, services, bridge and worker, like `rapport worker`.
    const otherDb: Database =
      ctx.engine === "postgres" ? await openDatabase({ url: ctx.url, poolSize: 2 }) : ctx.database;
    const other = createServices(otherDb);
    const otherConnectors = createConnectorRegistry({ webchat: webchatDirectory(otherDb, box) });
    otherConnectors.registerFormats(other.normalizers);
    await services.realtime.start();
    await other.realtime.start({ listen: false });
    await worker.stop();
    const otherWorker = createWorker({
      database: otherDb,
      events: other.events,
      connectors: otherConnectors,
      secrets: box,
    });
    try {
      await otherWorker.start();
      const v = await Visitor.connect(base);
      await v.hello();
      const ack = await v.say("remote-0001", "Does this reach you across processes?");
      const conversationId = await conversationOf(ack.messageId as string);
      const { messageId } = await other.replies.reply(
        conversationId,
        { id: maria.agent.id, name: "Maria Lopez", signature: null },
        "It does, through NOTIFY.",
        { acknowledgeWarnings: true },
      );
      const pushed = await v.next(
        (f) => f.type === "message" && (f.message as { id: string }).id === messageId,
      );
      expect(pushed.message).toMatchObject({ direction: "out", agent: { name: "Maria Lopez" } });
      await v.close();
    } finally {
      await otherWorker.stop();
      await other.realtime.stop();
      await services.realtime.stop();
      if (otherDb !== ctx.database) await otherDb.close();
      await worker.start();
    }
  });
});
