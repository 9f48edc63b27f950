import { sql } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { createConnectorRegistry } from "../channels/registry.ts";
import { realMessages, signedRequest } from "../channels/webhook/webhook.test-support.ts";
import { createServices } from "../services/container.ts";
import { SecretBox } from "../services/secrets.ts";
import { buildApp } from "./app.ts";

let n = 0;
/** Real customer tweets when the shared data is there, small factory messages otherwise. */
const message = (overrides: Record<string, unknown> = {}) => {
  n++;
  const real = realMessages(1, 40 + n)[0];
  return {
    ...(real ?? {
      externalId: `f-${n}`,
      direction: "in",
      author: { externalId: `u-${n}`, handle: `person${n}` },
      text: "Still waiting for my refund.",
      createdAt: "2026-11-20T09:00:00Z",
    }),
    ...overrides,
  };
};

describeEachEngine("inbound webhook channel", (ctx) => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let admin: Record<string, string>;
  let secret: string;
  let channelId: string;
  const KEY = "forum-bridge";

  beforeAll(async () => {
    const services = createServices(ctx.database);
    const connectors = createConnectorRegistry();
    connectors.registerFormats(services.normalizers);
    app = await buildApp({
      database: ctx.database,
      services,
      connectors,
      secrets: new SecretBox(Buffer.alloc(32, 3)),
    });
    admin = (await agentWithToken(ctx.database, "admin@example.com", { role: "admin", name: "Admin" }))
      .headers;
    const created = await app.inject({
      method: "POST",
      url: "/api/channels",
      headers: admin,
      payload: { kind: "webhook", name: "Forum bridge", key: KEY, config: { platform: "forum" } },
    });
    expect(created.statusCode, created.body).toBe(201);
    secret = created.json().generatedSecrets.signingSecret;
    channelId = created.json().id;
    expect(secret).toMatch(/^whsec_/);
    return () => app.close();
  });

  const post = (
    body: unknown,
    options: { secret?: string; key?: string; now?: Date; headers?: object } = {},
  ) => {
    const signed = signedRequest(options.secret ?? secret, body, options.now);
    return app.inject({
      method: "POST",
      url: `/api/webhooks/${options.key ?? KEY}`,
      headers: { ...signed.headers, ...options.headers },
      payload: signed.payload,
    });
  };
  const stored = async (externalId: string) =>
    ctx.database.rows<{ n: number; platform: string | null; key: string }>(sql`
      SELECT count(*)::int AS n, min(i.platform) AS platform, min(c.key) AS key FROM messages m
      JOIN channels c ON c.id = m.channel_id LEFT JOIN identities i ON i.id = m.author_identity_id
      WHERE m.external_id = ${externalId}`);

  it("never shows the secret again: the channel list and the channel have none", async () => {
    const list = await app.inject({ method: "GET", url: "/api/channels", headers: admin });
    expect(list.body).not.toContain(secret);
    const [row] = await ctx.database.rows<{ secrets: string; platform: string }>(
      sql`SELECT secrets, platform FROM channels WHERE key = ${KEY}`,
    );
    expect(row!.secrets).not.toContain(secret.slice(6));
    expect(row!.platform).toBe("forum");
  });

  it("stores a signed message on this channel (channel filled in), raw first, and answers quickly", async () => {
    const m = message();
    const started = performance.now();
    const response = await post(m);
    const ms = performance.now() - started;
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ messages: 1, duplicates: 0, deadLetters: 0 });
    expect(response.json().outcomes[0]).toMatchObject({ status: "stored" });
    const [row] = await stored(m.externalId as string);
    expect(row).toEqual({ n: 1, platform: "forum", key: KEY });
    const [raw] = await ctx.database.rows<{ format: string; status: string; payload: unknown }>(sql`
      SELECT format, status, payload FROM raw_events WHERE source = ${`webhook:${KEY}`}
      ORDER BY id DESC LIMIT 1`);
    expect(raw).toMatchObject({ format: "webhook", status: "processed" });
    expect(typeof raw!.payload === "string" ? JSON.parse(raw!.payload) : raw!.payload).toEqual({
      ...m,
      channel: KEY,
    });
    // Generous bound for a loaded machine; typically a few tens of milliseconds.
    expect(ms).toBeLessThan(5_000);
  });

  it("accepts an array, any content type, and the channel named explicitly", async () => {
    const items = [message({ channel: KEY }), message()];
    const response = await post(items, { headers: { "content-type": "text/plain" } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ messages: 2 });
  });

  it("takes the longest channel key a channel may have (200 characters) in its path", async () => {
    const key = `k${"e".repeat(199)}`;
    const created = await app.inject({
      method: "POST",
      url: "/api/channels",
      headers: admin,
      payload: { kind: "webhook", name: "Long key", key, config: { platform: "forum" } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const response = await post(message(), { key, secret: created.json().generatedSecrets.signingSecret });
    expect(response.statusCode, response.body).toBe(200);
    // Longer than any key: refused in the one error format, not Fastify's own.
    const tooLong = await post(message(), { key: "x".repeat(300) });
    expect(tooLong.statusCode).toBe(414);
    expect(tooLong.json()).toEqual({
      error: { code: "uri_too_long", message: "A part of the path is longer than 256 characters." },
    });
  });

  it("stores a message sent twice (a replay within the window, or a retry) once", async () => {
    const m = message();
    const signed = signedRequest(secret, m);
    const send = () =>
      app.inject({
        method: "POST",
        url: `/api/webhooks/${KEY}`,
        headers: signed.headers,
        payload: signed.payload,
      });
    expect((await send()).json()).toMatchObject({ messages: 1 });
    const again = await send();
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ messages: 0, duplicates: 1 });
    expect((await stored(m.externalId as string))[0]!.n).toBe(1);
  });

  it("refuses bad signatures, a tampered body, and stale or future timestamps with precise 401s", async () => {
    const m = message();
    const wrong = await post(m, { secret: `${secret}-not-it` });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toMatchObject({
      code: "unauthorized",
      details: { reason: "signature_mismatch" },
    });

    const signed = signedRequest(secret, m);
    const tampered = await app.inject({
      method: "POST",
      url: `/api/webhooks/${KEY}`,
      headers: signed.headers,
      payload: signed.payload.replace(/"text":"/, '"text":"(edited) '),
    });
    expect(tampered.json().error.details.reason).toBe("signature_mismatch");

    const stale = await post(m, { now: new Date(Date.now() - 10 * 60_000) });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error.details.reason).toBe("stale_timestamp");
    expect(stale.json().error.message).toMatch(/\d+ s old; at most 300 s/);
    const future = await post(m, { now: new Date(Date.now() + 10 * 60_000) });
    expect(future.json().error.details.reason).toBe("stale_timestamp");

    const unsigned = await app.inject({
      method: "POST",
      url: `/api/webhooks/${KEY}`,
      headers: { "content-type": "application/json" },
      payload: JSON.stringify(m),
    });
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().error.details.reason).toBe("missing_timestamp");
    expect((await stored(m.externalId as string))[0]!.n).toBe(0);
  });

  it("answers 400 for bad JSON, 422 with the reason for a malformed message (kept as a dead letter)", async () => {
    const bad = await post('{"externalId": "x", ');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/not valid JSON/);
    const scalar = await post("42");
    expect(scalar.statusCode).toBe(400);
    const empty = await post([]);
    expect(empty.statusCode).toBe(400);

    const malformed = await post({ externalId: "no-author", text: "hi", createdAt: "2026-11-20T09:00:00Z" });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json().error.message).toMatch(/item 0: .*direction.*author/);
    const [dead] = await ctx.database.rows<{ reason: string }>(sql`
      SELECT d.reason FROM dead_letters d JOIN raw_events r ON r.id = d.raw_event_id
      WHERE r.source = ${`webhook:${KEY}`} ORDER BY d.id DESC LIMIT 1`);
    expect(dead!.reason).toMatch(/author/);

    const mixed = await post([message(), { externalId: "half" }]);
    expect(mixed.statusCode).toBe(200);
    expect(mixed.json()).toMatchObject({ messages: 1, deadLetters: 1 });
  });

  it("refuses messages for another channel, unknown keys and non-webhook channels", async () => {
    const m = message({ channel: "support-email" });
    const other = await post(m);
    expect(other.statusCode).toBe(403);
    expect(other.json().error.message).toMatch(/accepts messages for "forum-bridge" only/);
    await ctx.database.db.execute(
      sql`INSERT INTO channels (key, kind, platform, name) VALUES ('plain-import', 'import', 'plain-import', 'x')`,
    );
    for (const key of ["nope", "plain-import"]) {
      const response = await post(message(), { key });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.message).toMatch(/No webhook channel has the key/);
    }
  });

  it("refuses an oversized body with 413 and more than 1000 messages with 413", async () => {
    const huge = await post(message({ text: "a".repeat(6 * 1024 * 1024) }));
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe("payload_too_large");
    const many = await post(Array.from({ length: 1001 }, () => ({ externalId: "x" })));
    expect(many.statusCode).toBe(413);
  });

  it("rotates the secret: the old one stops working at once, the new one is shown once", async () => {
    const rotated = await app.inject({
      method: "POST",
      url: `/api/channels/${channelId}/rotate-secret`,
      headers: admin,
      payload: {},
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const next = rotated.json().generatedSecrets.signingSecret as string;
    expect(next).not.toBe(secret);
    expect((await post(message())).statusCode).toBe(401);
    expect((await post(message(), { secret: next })).statusCode).toBe(200);
    secret = next;
  });

  it("keeps accepting while the channel is paused: pausing stops polling, never loses what is pushed", async () => {
    const paused = await app.inject({
      method: "POST",
      url: `/api/channels/${channelId}/pause`,
      headers: admin,
    });
    expect(paused.statusCode, paused.body).toBe(200);
    const m = message();
    expect((await post(m)).statusCode).toBe(200);
    expect((await stored(m.externalId as string))[0]!.n).toBe(1);
    await app.inject({ method: "POST", url: `/api/channels/${channelId}/resume`, headers: admin });
  });

  it("rate-limits a sender per channel with 429s, and the retry after the window is stored once", async () => {
    const services = createServices(ctx.database);
    const connectors = createConnectorRegistry();
    connectors.registerFormats(services.normalizers);
    const limited = await buildApp({
      database: ctx.database,
      services,
      connectors,
      secrets: new SecretBox(Buffer.alloc(32, 3)),
      webhookRateLimit: { max: 2, timeWindow: 1000 },
    });
    try {
      const send = (body: unknown, key = KEY) => {
        const signed = signedRequest(secret, body);
        return limited.inject({
          method: "POST",
          url: `/api/webhooks/${key}`,
          // Its own sender: the limits count in the database, where the other tests' posts count too.
          remoteAddress: "203.0.113.30",
          headers: signed.headers,
          payload: signed.payload,
        });
      };
      const m = message();
      expect((await send(message())).statusCode).toBe(200);
      expect((await send(message())).statusCode).toBe(200);
      const refused = await send(m);
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error.code).toBe("rate_limited");
      expect((await stored(m.externalId as string))[0]!.n).toBe(0);
      // Another channel key from the same sender has its own budget (here: an unknown key, 404 not 429).
      expect((await send(message(), "no-such-channel")).statusCode).toBe(404);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await send(m)).statusCode).toBe(200);
      expect((await send(m)).statusCode).toBe(200);
      expect((await stored(m.externalId as string))[0]!.n).toBe(1);
    } finally {
      await limited.close();
    }
  });
});
