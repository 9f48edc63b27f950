import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { ImapFlow } from "imapflow";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChannelPollers } from "../../src/channels/pollers.ts";
import { createConnectorRegistry } from "../../src/channels/registry.ts";
import { buildApp } from "../../src/server/app.ts";
import { AuthService } from "../../src/services/auth.service.ts";
import { createServices } from "../../src/services/container.ts";
import { SecretBox } from "../../src/services/secrets.ts";
import { type Database, openDatabase } from "../../src/store/db.ts";
import { browserSuiteSkips, ensureBuilt, launchChromium, screenshotFolder } from "../helpers/chromium.ts";
import {
  dovecotAvailable,
  dovecotMissingReason,
  IMAP_PASSWORD,
  IMAP_USER,
  startDovecot,
  type TestImap,
} from "../helpers/dovecot.ts";
import { sampleConnector } from "../helpers/sample.connector.ts";
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type TestSmtp } from "../helpers/smtp.ts";

const shots = screenshotFolder();
const skip = browserSuiteSkips("channels", dovecotAvailable ? null : dovecotMissingReason);

const ADMIN = { email: "ines@northwind.example", password: "correct horse battery staple" };
const PDF = Buffer.from("%PDF-1.4\n% invoice 48213\n%%EOF\n");

describe.skipIf(skip)("channel set-up and email in Chromium", () => {
  let database: Database;
  let app: FastifyInstance;
  let pollers: ChannelPollers;
  let imap: TestImap;
  let smtp: TestSmtp;
  let tracker: Server;
  let trackerHits = 0;
  let base: string;
  let browser: Browser;
  let page: Page;
  let channelId: string;
  const dialogs: string[] = [];

  /** Screenshots for docs/workspace.md, without the transient toasts. */
  async function shoot(name: string, fullPage = true) {
    const dismiss = page.getByRole("button", { name: "Dismiss" });
    for (let i = 0; i < 5 && (await dismiss.count()) > 0; i++) {
      await dismiss
        .first()
        .click({ timeout: 1000 })
        .catch(() => {}); // toasts also leave by themselves
    }
    await page.screenshot({ path: new URL(name, shots).pathname, fullPage });
  }

  async function deliver(raw: Buffer) {
    const client = new ImapFlow({
      host: "127.0.0.1",
      port: imap.port,
      secure: false,
      auth: { user: IMAP_USER, pass: IMAP_PASSWORD },
      logger: false,
    });
    await client.connect();
    await client.append("INBOX", raw);
    await client.logout();
  }

  async function messageRow(externalId: string) {
    const [row] = await database.rows<{ id: string; conversation_id: string }>(
      sql`SELECT id, conversation_id FROM messages WHERE external_id = ${externalId}`,
    );
    return row;
  }

  beforeAll(async () => {
    ensureBuilt("web");
    [imap, smtp, database] = await Promise.all([
      startDovecot(),
      startSmtpServer(),
      openDatabase({ url: "memory://" }),
    ]);
    tracker = createServer((_req, res) => {
      trackerHits++;
      res.writeHead(200, { "content-type": "image/gif" }).end(Buffer.from("R0lGODlhAQABAAAAACw=", "base64"));
    });
    await new Promise<void>((resolve) => tracker.listen(0, "127.0.0.1", resolve));
    const services = createServices(database);
    // Email, and a kind only the tests know: the web app must draw both from their schemas alone.
    const connectors = createConnectorRegistry().register(sampleConnector());
    connectors.registerFormats(services.normalizers);
    const secrets = new SecretBox(Buffer.alloc(32, 5));
    pollers = new ChannelPollers({
      database,
      ingest: services.ingest,
      connectors,
      secrets,
      log: { info() {}, warn() {} },
    });
    // Wired as `rapport serve` wires them.
    app = await buildApp({
      database,
      services,
      connectors,
      secrets,
      onChannelCreated: (row) => pollers.startChannel(row),
      onChannelChanged: (row) => void pollers.restartChannel(row),
      onChannelDeleted: (id) => void pollers.stopChannel(id),
    });
    await new AuthService(database.db).createAgent({ ...ADMIN, name: "Inès Moreau", role: "admin" });
    await app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    page = await context.newPage();
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(base);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Settings", exact: true }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await pollers?.stop();
    await app?.close();
    await new Promise((resolve) => tracker?.close(resolve));
    await Promise.all([imap?.stop(), smtp?.close()]);
    await database?.close();
  });

  it("adds an email channel through the generated form and tests its connection", async () => {
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    const channelsCard = page.locator("section", { has: page.getByRole("heading", { name: "Channels" }) });
    await channelsCard.getByText("No channels yet.").waitFor();
    await page.getByRole("link", { name: "Add channel" }).click();
    await page.getByRole("heading", { name: "Add a channel" }).waitFor();
    await page.getByRole("link", { name: /Email \(IMAP \+ SMTP\)/ }).click();

    const form = page.getByRole("form", { name: "Email (IMAP + SMTP) settings" });
    await form.getByRole("textbox", { name: "Name", exact: true }).fill("Northwind care");
    const incoming = form.getByRole("group", { name: "Incoming mail (IMAP)" });
    await incoming.getByLabel("Server").fill("127.0.0.1");
    await incoming.getByLabel("Port").fill(String(imap.port));
    await incoming.getByLabel("User name").fill(IMAP_USER);
    expect(await incoming.getByLabel("Folder").inputValue()).toBe("INBOX");
    const outgoing = form.getByRole("group", { name: "Outgoing mail (SMTP)" });
    await outgoing.getByLabel("Server").fill("127.0.0.1");
    await outgoing.getByLabel("Port").fill(String(smtp.port));
    await outgoing.getByLabel("User name").fill(SMTP_USER);
    const secretsGroup = form.getByRole("group", { name: "Secrets" });
    await secretsGroup.getByLabel("IMAP password").fill(IMAP_PASSWORD);
    await secretsGroup.getByLabel("SMTP password").fill(SMTP_PASSWORD);
    expect(await secretsGroup.getByLabel("IMAP password").getAttribute("type")).toBe("password");

    // The support address is left out: the server's error appears beside its field.
    await form.getByRole("button", { name: "Create channel" }).click();
    const address = form.getByLabel("Support address");
    await form.locator("#field-config-address-error").waitFor();
    expect(await address.getAttribute("aria-invalid")).toBe("true");
    expect(await address.getAttribute("aria-describedby")).toContain("field-config-address-error");
    await form.getByText("One thing needs fixing").waitFor();
    await shoot("channel-form.png");

    await address.fill("care@northwind.example");
    await form.getByRole("button", { name: "Create channel" }).click();
    await page.waitForURL(/\/settings\/channels\/[0-9a-f-]{36}\?created=1/);
    channelId = /channels\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.getByRole("heading", { name: "Northwind care" }).waitFor();

    // The poller started with the channel: health turns to "Last checked …".
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByRole("region", { name: "Health" }).textContent();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toMatch(/Last checked/);

    await page.getByRole("button", { name: "Test connection" }).click();
    const results = page.getByRole("list", { name: "Connection test results" });
    await page.getByText("Everything works.").waitFor({ timeout: 30_000 });
    expect(await results.getByRole("listitem").allTextContents()).toEqual([
      expect.stringMatching(/IMAP works.*Signed in to 127\.0\.0\.1/),
      expect.stringMatching(/SMTP works.*Signed in to 127\.0\.0\.1/),
    ]);
    await shoot("channel.png");
  });

  it("shows an email's attachment, and its HTML formatted in a sandboxed frame only on request", async () => {
    await deliver(
      await new MailComposer({
        from: "Ada Lovelace <ada@example.org>",
        to: "care@northwind.example",
        subject: "Invoice 48213 charges me twice",
        messageId: "<invoice-48213@example.org>",
        text: "Hello, the invoice charges me twice. The invoice is attached.",
        html: `<p>Hello, the invoice charges me <b>twice</b>.</p><script>alert("mail script")</script><p><img src="http://127.0.0.1:${(tracker.address() as AddressInfo).port}/pixel.gif" alt="tracker"></p>`,
        attachments: [{ filename: "invoice-48213.pdf", content: PDF, contentType: "application/pdf" }],
      })
        .compile()
        .build(),
    );
    await deliver(
      await new MailComposer({
        from: "Ada Lovelace <ada@example.org>",
        to: "care@northwind.example",
        subject: "Re: Invoice 48213 charges me twice",
        messageId: "<away-48213@example.org>",
        inReplyTo: "<invoice-48213@example.org>",
        headers: { "Auto-Submitted": "auto-replied" },
        text: "I am away until Monday.",
      })
        .compile()
        .build(),
    );
    await expect.poll(() => messageRow("<away-48213@example.org>"), { timeout: 30_000 }).toBeTruthy();
    const mail = (await messageRow("<invoice-48213@example.org>"))!;

    await page.goto(`${base}/c/${mail.conversation_id}`);
    await page.locator(".subject", { hasText: "Invoice 48213 charges me twice" }).waitFor();
    const link = page.getByRole("link", { name: "invoice-48213.pdf" });
    expect(await link.getAttribute("href")).toBe(`/api/messages/${mail.id}/attachments/0`);
    await page.getByText(/application\/pdf · \d+ B/).waitFor();
    const download = await page.request.get(`${base}/api/messages/${mail.id}/attachments/0`);
    expect(download.status()).toBe(200);
    expect(Buffer.from(await download.body()).equals(PDF)).toBe(true);
    await page.getByText("automated: automatic reply").waitFor();

    // Plain text by default: no frame, nothing fetched.
    await page.getByText("the invoice charges me twice", { exact: false }).first().waitFor();
    expect(await page.locator("iframe").count()).toBe(0);
    await page.getByRole("button", { name: "Show formatted" }).click();
    const frame = page.locator("iframe.email-frame");
    await frame.waitFor();
    expect(await frame.getAttribute("sandbox")).toBe("allow-popups allow-popups-to-escape-sandbox");
    await page.frameLocator("iframe.email-frame").locator("b", { hasText: "twice" }).waitFor();
    await page.waitForTimeout(500);
    expect(trackerHits).toBe(0);
    await shoot("email-formatted.png", false);

    await page.getByRole("button", { name: "Load images" }).click();
    await expect.poll(() => trackerHits, { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByRole("button", { name: "Show plain text" }).click();
    await frame.waitFor({ state: "detached" });
    expect(dialogs).toEqual([]);
  });

  it("reports a wrong password at the auth step, in the test and in the poller's health", async () => {
    await page.goto(`${base}/settings/channels/${channelId}`);
    const form = page.getByRole("form", { name: "Email (IMAP + SMTP) settings" });
    const password = form.getByRole("group", { name: "Secrets" }).getByLabel("IMAP password");
    expect(await password.getAttribute("placeholder")).toBe("Set — leave empty to keep it");
    await password.fill("not-the-password");
    await form.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Settings saved.").waitFor();

    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("The connection test failed.").waitFor({ timeout: 60_000 });
    const items = await page
      .getByRole("list", { name: "Connection test results" })
      .getByRole("listitem")
      .allTextContents();
    expect(items[0]).toMatch(/IMAP failed at the auth step.*IMAP auth failed/);
    expect(items[1]).toMatch(/SMTP works/);

    // The poller restarted with the new password: the banner names the service, the step and the time.
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByRole("region", { name: "Health" }).textContent();
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toMatch(/IMAP: auth failed at \d/);
    await shoot("channel-health.png");

    // Paused: no longer polled, and the list says so.
    await page.getByRole("button", { name: "Pause channel" }).click();
    await page.getByRole("button", { name: "Resume channel" }).waitFor();
    await expect.poll(() => pollers.isRunning(channelId)).toBe(false);
    await page.getByRole("link", { name: "← Settings" }).click();
    const row = page.getByRole("row", { name: /Northwind care/ });
    await row.getByText("Paused: not polled").waitFor();
    await shoot("channels.png", false);
  });

  it("draws any kind's form from its schema, and offers its notes to copy", async () => {
    await page.getByRole("link", { name: "Add channel" }).click();
    await page.getByRole("link", { name: /Sample \(tests only\)/ }).click();
    const form = page.getByRole("form", { name: "Sample (tests only) settings" });
    await form.getByRole("textbox", { name: "Name", exact: true }).fill("Sample hooks");
    await form.getByLabel("Endpoint").fill("https://hooks.example/in");
    await form.getByRole("combobox", { name: "Mode" }).selectOption("push");
    await form.getByLabel("Tags").fill("vip\nurgent\n");
    expect(await form.getByRole("spinbutton", { name: "Retries" }).inputValue()).toBe("3");
    await form.getByRole("checkbox", { name: "Signed requests" }).check();
    await form.getByLabel("Token").fill("short");
    await form.getByRole("button", { name: "Create channel" }).click();
    // The server's rule (at least 8 characters) appears beside the secret.
    await form.locator("#field-secrets-token-error").waitFor();
    await form.getByLabel("Token").fill("sample-token-1");
    await form.getByRole("button", { name: "Create channel" }).click();
    await page.getByRole("heading", { name: "Sample hooks" }).waitFor();

    const [row] = await database.rows<{ config: unknown }>(
      sql`SELECT config FROM channels WHERE kind = 'sample'`,
    );
    expect(row!.config).toEqual({
      endpoint: "https://hooks.example/in",
      mode: "push",
      tags: ["vip", "urgent"],
      retries: 3,
      signed: true,
    });
    const notes = page.getByRole("region", { name: "To finish the set-up" });
    const url = `${base}/api/webhooks/sample/sample-sample-hooks`;
    expect(await notes.locator("pre").textContent()).toBe(url);
    await notes.getByRole("button", { name: "Copy Webhook URL" }).click();
    await notes.getByRole("button", { name: "Copied Webhook URL" }).waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(url);
    await page.getByText("Nothing polls this channel").waitFor();
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("Everything works.").waitFor();

    // Set up by mistake, with no conversations: it can be deleted, after being asked.
    await page.getByRole("button", { name: "Delete channel…" }).click();
    await page.getByRole("button", { name: "Keep it" }).click();
    await page.getByRole("button", { name: "Delete channel…" }).click();
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByRole("heading", { name: "Settings", exact: true }).waitFor();
    await expect
      .poll(async () => (await database.rows(sql`SELECT id FROM channels WHERE kind = 'sample'`)).length)
      .toBe(0);
  });
});
