/**
 * Channel settings over the API, on both engines: the kinds and their JSON Schema forms, reading a
 * channel without its secrets, replacing one secret, precise validation errors, pausing and resuming
 * (the poller stops and starts), deleting only without conversations, and the health the real email
 * poller records — against a closed port, and against a real dovecot with a wrong password.
 */
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  dovecotAvailable,
  dovecotMissingReason,
  freePort,
  IMAP_PASSWORD,
  IMAP_USER,
  startDovecot,
  type TestImap,
} from "../../test/helpers/dovecot.ts";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { sampleConnector } from "../../test/helpers/sample.connector.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type TestSmtp } from "../../test/helpers/smtp.ts";
import { payloadOf, rawMail } from "../channels/email/email.test-support.ts";
import { ChannelPollers } from "../channels/pollers.ts";
import { createConnectorRegistry } from "../channels/registry.ts";
import { createServices, type Services } from "../services/container.ts";
import { SecretBox } from "../services/secrets.ts";
import { buildApp } from "./app.ts";

if (!dovecotAvailable) console.warn(`channel health against dovecot: ${dovecotMissingReason}`);

describeEachEngine("channel settings", (ctx) => {
  let app: FastifyInstance;
  let smtp: TestSmtp;
  let imap: TestImap | undefined;
  let pollers: ChannelPollers;
  let services: Services;
  let admin: Record<string, string>;
  let agent: Record<string, string>;
  const box = new SecretBox(Buffer.alloc(32, 7));

  beforeAll(async () => {
    [smtp, imap] = await Promise.all([
      startSmtpServer(),
      dovecotAvailable ? startDovecot() : Promise.resolve(undefined),
    ]);
    services = createServices(ctx.database);
    const connectors = createConnectorRegistry().register(sampleConnector());
    connectors.registerFormats(services.normalizers);
    pollers = new ChannelPollers({
      database: ctx.database,
      ingest: services.ingest,
      connectors,
      secrets: box,
      log: { info() {}, warn() {} },
    });
    app = await buildApp({
      database: ctx.database,
      services,
      connectors,
      secrets: box,
      publicUrl: "https://care.northwind.example",
      onChannelCreated: (row) => pollers.startChannel(row),
      onChannelChanged: (row) => void pollers.restartChannel(row),
      onChannelDeleted: (id) => void pollers.stopChannel(id),
    });
    admin = (await agentWithToken(ctx.database, "admin@northwind.example")).headers;
    await ctx.database.rows(sql`UPDATE agents SET role = 'admin' WHERE email = 'admin@northwind.example'`);
    agent = (await agentWithToken(ctx.database, "sam@northwind.example")).headers;
  });
  afterAll(async () => {
    await pollers?.stop();
    await app?.close();
    await Promise.all([smtp?.close(), imap?.stop()]);
  });

  const emailChannel = (name: string, imapPort: number, imapPassword = "imap-secret") => ({
    kind: "email",
    name,
    config: {
      address: "care@northwind.example",
      imap: { host: "127.0.0.1", port: imapPort, secure: false, user: IMAP_USER },
      smtp: { host: "127.0.0.1", port: smtp.port, secure: false, user: SMTP_USER },
      pollSeconds: 5,
    },
    secrets: { imapPassword, smtpPassword: SMTP_PASSWORD },
  });
  const create = async (payload: ReturnType<typeof emailChannel>) => {
    const res = await app.inject({ method: "POST", url: "/api/channels", headers: admin, payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; key: string };
  };
  const get = async (id: string) =>
    (await app.inject({ method: "GET", url: `/api/channels/${id}`, headers: admin })).json();
  const storedSecrets = async (id: string) => {
    const [row] = await ctx.database.rows<{ secrets: string }>(
      sql`SELECT secrets FROM channels WHERE id = ${id}`,
    );
    return box.open(row!.secrets);
  };

  it("lists the kinds that can be set up, with their forms as JSON Schema (admins only)", async () => {
    expect((await app.inject({ method: "GET", url: "/api/channel-kinds", headers: agent })).statusCode).toBe(
      403,
    );
    const res = await app.inject({ method: "GET", url: "/api/channel-kinds", headers: admin });
    expect(res.statusCode).toBe(200);
    const kinds = res.json().items as Array<{ kind: string; [k: string]: unknown }>;
    // Only connectors with `setup`: not the demo or test kinds.
    expect(kinds.map((k) => k.kind)).toContain("email");
    expect(kinds.map((k) => k.kind)).not.toContain("test");
    const email = kinds.find((k) => k.kind === "email")!;
    expect(email).toMatchObject({
      label: "Email (IMAP + SMTP)",
      polls: true,
      capabilities: { privateMessages: true, attachments: true },
      config: {
        type: "object",
        required: ["address", "imap", "smtp"],
        properties: {
          address: { type: "string", format: "email", title: "Support address" },
          imap: {
            type: "object",
            title: "Incoming mail (IMAP)",
            properties: {
              port: { type: "integer", minimum: 1, maximum: 65535, title: "Port" },
              secure: { type: "boolean" },
              mailbox: { default: "INBOX" },
            },
          },
        },
      },
      secrets: {
        type: "object",
        required: ["imapPassword", "smtpPassword"],
        properties: { imapPassword: { type: "string", title: "IMAP password" } },
      },
    });
  });

  it("sets up any kind from its schemas alone, with its notes built on the public URL", async () => {
    const kinds = (await app.inject({ method: "GET", url: "/api/channel-kinds", headers: admin })).json();
    expect(kinds.items.find((k: { kind: string }) => k.kind === "sample")).toMatchObject({
      label: "Sample (tests only)",
      polls: false,
      config: { properties: { mode: { enum: ["push", "pull"] }, retries: { default: 3 } } },
    });
    const res = await app.inject({
      method: "POST",
      url: "/api/channels",
      headers: admin,
      payload: {
        kind: "sample",
        name: "Sample hooks",
        config: { endpoint: "https://hooks.example/in", mode: "push", signed: true },
        secrets: { token: "sample-token-1" },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      key: "sample-sample-hooks",
      config: { retries: 3, signed: true },
      secretsSet: ["token"],
      health: { status: "inactive" },
      notes: [
        {
          label: "Webhook URL",
          value: "https://care.northwind.example/api/webhooks/sample/sample-sample-hooks",
          code: true,
        },
        { label: "Mode", value: "Messages are pushed to the URL above." },
      ],
    });
    expect(res.body).not.toContain("sample-token-1");
    const id = res.json().id;
    const tested = await app.inject({ method: "POST", url: `/api/channels/${id}/test`, headers: admin });
    expect(tested.json()).toEqual({
      ok: true,
      checks: [{ service: "sample", ok: true, message: "Would listen at https://hooks.example/in." }],
    });
    // The whole config is replaced and validated; the token is kept.
    const patched = await app.inject({
      method: "PATCH",
      url: `/api/channels/${id}`,
      headers: admin,
      payload: {
        config: { endpoint: "https://hooks.example/in", mode: "pull", signed: false, tags: ["vip"] },
      },
    });
    expect(patched.json()).toMatchObject({
      config: { mode: "pull", tags: ["vip"], retries: 3 },
      secretsSet: ["token"],
    });
    const failing = await app.inject({ method: "POST", url: `/api/channels/${id}/test`, headers: admin });
    expect(failing.json().checks[0]).toMatchObject({ ok: false, step: "mode" });
  });

  it("answers precise 400s naming each wrong field", async () => {
    const bad = emailChannel("Broken", 993);
    const res = await app.inject({
      method: "POST",
      url: "/api/channels",
      headers: admin,
      payload: {
        ...bad,
        config: { ...bad.config, address: "not an address", imap: { ...bad.config.imap, port: 0 } },
        secrets: { imapPassword: "x" },
      },
    });
    expect(res.statusCode).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe("validation_failed");
    const fields = (error.details.issues as Array<{ field: string }>).map((i) => i.field);
    expect(fields).toEqual(
      expect.arrayContaining(["config.address", "config.imap.port", "secrets.smtpPassword"]),
    );
    expect(error.message).toContain("config.imap.port");

    const unknownKind = await app.inject({
      method: "POST",
      url: "/api/channels",
      headers: admin,
      payload: { ...bad, kind: "carrier-pigeon" },
    });
    expect(unknownKind.statusCode).toBe(400);
    expect(unknownKind.json().error.message).toContain("carrier-pigeon");

    const { id } = await create(emailChannel("Validation target", 993));
    const patch = (payload: Record<string, unknown>) =>
      app.inject({ method: "PATCH", url: `/api/channels/${id}`, headers: admin, payload });
    expect((await patch({})).statusCode).toBe(400);
    expect((await patch({ colour: "red" })).statusCode).toBe(400);
    const wrongConfig = await patch({ config: { ...bad.config, smtp: { ...bad.config.smtp, port: "25" } } });
    expect(wrongConfig.statusCode).toBe(400);
    expect(wrongConfig.json().error.details.issues).toEqual([
      expect.objectContaining({ field: "config.smtp.port" }),
    ]);
    const emptySecret = await patch({ secrets: { smtpPassword: "" } });
    expect(emptySecret.statusCode).toBe(400);
    expect(emptySecret.json().error.details.issues[0].field).toBe("secrets.smtpPassword");
    const removeRequired = await patch({ secrets: { imapPassword: null } });
    expect(removeRequired.json().error.details.issues[0].field).toBe("secrets.imapPassword");
    // Nothing was changed by the refused requests.
    expect(await storedSecrets(id)).toEqual({ imapPassword: "imap-secret", smtpPassword: SMTP_PASSWORD });

    // A channel created by ingest (no settings yet) cannot be tested: the 400 names what is missing.
    await services.ingest.ingest([
      { source: "test", format: "email", payload: payloadOf("imported-mail", rawMail({})) },
    ]);
    const [imported] = await ctx.database.rows<{ id: string }>(
      sql`SELECT id FROM channels WHERE key = 'imported-mail'`,
    );
    const untested = await app.inject({
      method: "POST",
      url: `/api/channels/${imported!.id}/test`,
      headers: admin,
    });
    expect(untested.statusCode).toBe(400);
    expect(untested.json().error.details.issues.map((i: { field: string }) => i.field)).toContain(
      "config.address",
    );

    for (const [method, url, status] of [
      ["GET", "/api/channels/not-a-uuid", 400],
      ["GET", "/api/channels/00000000-0000-4000-8000-000000000000", 404],
      ["PATCH", "/api/channels/00000000-0000-4000-8000-000000000000", 404],
      ["POST", "/api/channels/00000000-0000-4000-8000-000000000000/pause", 404],
    ] as const) {
      const r = await app.inject({
        method,
        url,
        headers: admin,
        ...(method === "PATCH" ? { payload: { name: "x" } } : {}),
      });
      expect(r.statusCode, `${method} ${url}`).toBe(status);
    }
  });

  it("shows a channel without its secrets, renames it and replaces one secret", async () => {
    const { id } = await create(emailChannel("Northwind care", await freePort()));
    expect((await app.inject({ method: "GET", url: `/api/channels/${id}`, headers: agent })).statusCode).toBe(
      403,
    );
    const res = await app.inject({ method: "GET", url: `/api/channels/${id}`, headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      kind: "email",
      name: "Northwind care",
      canSetUp: true,
      secretsSet: ["imapPassword", "smtpPassword"],
      secretsError: null,
      paused: false,
      config: { imap: { mailbox: "INBOX" } },
      notes: [],
    });
    expect(res.body).not.toContain("imap-secret");
    expect(res.body).not.toContain(SMTP_PASSWORD);

    const patched = await app.inject({
      method: "PATCH",
      url: `/api/channels/${id}`,
      headers: admin,
      payload: { name: "Northwind support", secrets: { smtpPassword: "rotated-smtp-password" } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      name: "Northwind support",
      secretsSet: ["imapPassword", "smtpPassword"],
    });
    expect(patched.body).not.toContain("rotated-smtp-password");
    expect(await storedSecrets(id)).toEqual({
      imapPassword: "imap-secret",
      smtpPassword: "rotated-smtp-password",
    });

    const list = await app.inject({ method: "GET", url: "/api/channels", headers: agent });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toMatch(/imap-secret|rotated-smtp-password|v1:/);
    expect(list.json().items.find((c: { id: string }) => c.id === id)).toMatchObject({
      name: "Northwind support",
      kind: "email",
      canSetUp: true,
      hasSecrets: true,
      paused: false,
    });
    // The audit trail names the secrets that changed, never their values.
    const audit = await ctx.database.rows<{ action: string; data: unknown }>(
      sql`SELECT action, data FROM audit_events WHERE subject_id = ${id} ORDER BY id`,
    );
    expect(audit.map((a) => a.action)).toEqual(["channel.created", "channel.updated"]);
    expect(audit[1]!.data).toEqual({ name: "Northwind support", secrets: ["smtpPassword"] });
    expect(JSON.stringify(audit)).not.toContain("rotated");
  });

  it("records the poller's failures as health, pauses (not polled, and says so) and resumes", async () => {
    const { id } = await create(emailChannel("Closed port", await freePort()));
    expect(pollers.isRunning(id)).toBe(true);
    // Nothing listens on the IMAP port: the poller records the failed step with its time.
    await expect
      .poll(async () => (await get(id)).health, { timeout: 45_000, interval: 200 })
      .toMatchObject({
        status: "error",
        lastError: { service: "imap", step: "connect", message: expect.stringContaining("ECONNREFUSED") },
        lastErrorAt: expect.any(String),
      });

    const paused = await app.inject({ method: "POST", url: `/api/channels/${id}/pause`, headers: admin });
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({
      paused: true,
      pausedAt: expect.any(String),
      health: { status: "paused" },
    });
    await expect.poll(() => pollers.isRunning(id)).toBe(false);
    // A sync (what other processes do every 30 s) keeps it stopped.
    await pollers.sync();
    expect(pollers.isRunning(id)).toBe(false);
    const listed = (await app.inject({ method: "GET", url: "/api/channels", headers: agent })).json();
    expect(listed.items.find((c: { id: string }) => c.id === id)).toMatchObject({
      paused: true,
      health: { status: "paused" },
    });

    const resumed = await app.inject({ method: "POST", url: `/api/channels/${id}/resume`, headers: admin });
    expect(resumed.json()).toMatchObject({ paused: false, pausedAt: null });
    await expect.poll(() => pollers.isRunning(id)).toBe(true);
    await app.inject({ method: "POST", url: `/api/channels/${id}/pause`, headers: admin });
  });

  it.skipIf(!dovecotAvailable)(
    "records a successful poll, and the auth step failing after the password is changed",
    async () => {
      const { id } = await create(emailChannel("Dovecot inbox", imap!.port, IMAP_PASSWORD));
      await expect
        .poll(async () => (await get(id)).health, { timeout: 45_000, interval: 200 })
        .toMatchObject({ status: "ok", lastOkAt: expect.any(String), lastError: null });
      const patched = await app.inject({
        method: "PATCH",
        url: `/api/channels/${id}`,
        headers: admin,
        payload: { secrets: { imapPassword: "not-the-password" } },
      });
      expect(patched.statusCode).toBe(200);
      // The poller restarted with the new password, and dovecot refuses it.
      await expect
        .poll(async () => (await get(id)).health, { timeout: 45_000, interval: 200 })
        .toMatchObject({
          status: "error",
          lastOkAt: expect.any(String),
          lastError: { service: "imap", step: "auth", message: expect.stringContaining("IMAP auth failed") },
        });
      const tested = await app.inject({ method: "POST", url: `/api/channels/${id}/test`, headers: admin });
      expect(tested.json().checks[0]).toMatchObject({ service: "imap", ok: false, step: "auth" });

      await app.inject({
        method: "PATCH",
        url: `/api/channels/${id}`,
        headers: admin,
        payload: { secrets: { imapPassword: IMAP_PASSWORD } },
      });
      await expect
        .poll(async () => (await get(id)).health.status, { timeout: 45_000, interval: 200 })
        .toBe("ok");
      await app.inject({ method: "POST", url: `/api/channels/${id}/pause`, headers: admin });
    },
  );

  it("deletes a channel only while it has no conversations", async () => {
    const empty = await create(emailChannel("Set up by mistake", await freePort()));
    await app.inject({ method: "POST", url: `/api/channels/${empty.id}/pause`, headers: admin });
    const gone = await app.inject({ method: "DELETE", url: `/api/channels/${empty.id}`, headers: admin });
    expect(gone.statusCode).toBe(204);
    expect(
      (await app.inject({ method: "GET", url: `/api/channels/${empty.id}`, headers: admin })).statusCode,
    ).toBe(404);

    const used = await create(emailChannel("In use", await freePort()));
    await app.inject({ method: "POST", url: `/api/channels/${used.id}/pause`, headers: admin });
    const summary = await services.ingest.ingest([
      {
        source: "test",
        format: "email",
        payload: payloadOf(used.key, rawMail({ messageId: "<keep-me@example.org>" })),
      },
    ]);
    expect(summary.messages).toBe(1);
    const refused = await app.inject({ method: "DELETE", url: `/api/channels/${used.id}`, headers: admin });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain("pause it instead");
    const [kept] = await ctx.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM conversations WHERE channel_id = ${used.id}`,
    );
    expect(kept!.n).toBe(1);
    expect(
      (await app.inject({ method: "DELETE", url: `/api/channels/${used.id}`, headers: agent })).statusCode,
    ).toBe(403);
  });
});
