import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../../test/helpers/dovecot.ts";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type TestSmtp } from "../../test/helpers/smtp.ts";
import { fixturePayloads, hasFixtures } from "../channels/email/email.test-support.ts";
import { createConnectorRegistry } from "../channels/registry.ts";
import { createServices } from "../services/container.ts";
import { SecretBox } from "../services/secrets.ts";
import { buildApp } from "./app.ts";

describeEachEngine("channel setup, connection test and attachments", (ctx) => {
  let smtp: TestSmtp;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let admin: Record<string, string>;
  let agent: Record<string, string>;
  const created: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpServer();
    const database = ctx.database;
    const services = createServices(database);
    const connectors = createConnectorRegistry();
    connectors.registerFormats(services.normalizers);
    app = await buildApp({
      database,
      services,
      connectors,
      secrets: new SecretBox(Buffer.alloc(32, 9)),
      onChannelCreated: (c) => created.push(c.key),
    });
    admin = (await agentWithToken(database, "admin@northwind.example", { role: "admin" })).headers;
    agent = (await agentWithToken(database, "sam@northwind.example")).headers;
    if (hasFixtures)
      await services.ingest.ingest(
        fixturePayloads("email-care").map((f) => ({ source: "test", format: "email", payload: f.payload })),
      );
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  const body = (imapPort: number, smtpPassword = SMTP_PASSWORD, imapHost = "127.0.0.1") => ({
    kind: "email",
    name: "Northwind care",
    config: {
      address: "care@northwind.example",
      imap: { host: imapHost, port: imapPort, secure: false, user: "care" },
      smtp: { host: "127.0.0.1", port: smtp.port, secure: false, user: SMTP_USER },
    },
    secrets: { imapPassword: "imap-secret", smtpPassword },
  });

  it("sets up an email channel (admin only), encrypting secrets and never returning them", async () => {
    const port = await freePort();
    const denied = await app.inject({
      method: "POST",
      url: "/api/channels",
      headers: agent,
      payload: body(port),
    });
    expect(denied.statusCode).toBe(403);
    const invalid = await app.inject({
      method: "POST",
      url: "/api/channels",
      headers: admin,
      payload: { ...body(port), secrets: { imapPassword: "x" } },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.message).toContain("smtpPassword");

    const res = await app.inject({
      method: "POST",
      url: "/api/channels",
      headers: admin,
      payload: body(port),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ key: "email-northwind-care", kind: "email", hasSecrets: true });
    expect(res.body).not.toContain("imap-secret");
    expect(created).toEqual(["email-northwind-care"]);
    const [row] = await ctx.database.rows<{ secrets: string }>(
      sql`SELECT secrets FROM channels WHERE key = 'email-northwind-care'`,
    );
    expect(row!.secrets).toMatch(/^v1:/);
    expect(row!.secrets).not.toContain("secret");
    const list = await app.inject({ method: "GET", url: "/api/channels", headers: agent });
    expect(list.body).not.toContain("smtp-secret");
    const again = await app.inject({
      method: "POST",
      url: "/api/channels",
      headers: admin,
      payload: body(port),
    });
    expect(again.statusCode).toBe(409);
  });

  it("reports exactly which step failed, for IMAP and SMTP separately", async () => {
    const test = async (payload: ReturnType<typeof body>, key: string) => {
      const made = await app.inject({
        method: "POST",
        url: "/api/channels",
        headers: admin,
        payload: { ...payload, key },
      });
      return (
        await app.inject({ method: "POST", url: `/api/channels/${made.json().id}/test`, headers: admin })
      ).json();
    };
    // Nothing listens on the IMAP port; SMTP is fine.
    const refused = await test(body(await freePort()), "t-refused");
    expect(refused).toMatchObject({
      ok: false,
      checks: [
        { service: "imap", ok: false, step: "connect", message: expect.stringContaining("ECONNREFUSED") },
        { service: "smtp", ok: true },
      ],
    });
    // A host that does not resolve, and a wrong SMTP password.
    const wrong = await test(body(993, "wrong", "no-such-host.invalid"), "t-wrong");
    expect(wrong.checks).toMatchObject([
      { service: "imap", ok: false, step: "dns" },
      { service: "smtp", ok: false, step: "auth", message: expect.stringContaining("535") },
    ]);
  });

  it.skipIf(!hasFixtures)("serves a stored attachment for download", async () => {
    const [message] = await ctx.database.rows<{ id: string }>(sql`
      SELECT m.id FROM messages m JOIN attachments a ON a.message_id = m.id WHERE a.filename = 'screenshot.png'`);
    const res = await app.inject({
      method: "GET",
      url: `/api/messages/${message!.id}/attachments/0`,
      headers: agent,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
    expect(res.headers["content-disposition"]).toContain('filename="screenshot.png"');
    expect(res.rawPayload.subarray(1, 4).toString()).toBe("PNG");
    const missing = await app.inject({
      method: "GET",
      url: `/api/messages/${message!.id}/attachments/5`,
      headers: agent,
    });
    expect(missing.statusCode).toBe(404);
  });
});
