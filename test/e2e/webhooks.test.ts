import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectorRegistry } from "../../src/channels/registry.ts";
import { signatureHeaders } from "../../src/core/signature.ts";
import { createWorker } from "../../src/jobs/index.ts";
import type { Worker } from "../../src/jobs/worker.ts";
import { buildApp } from "../../src/server/app.ts";
import { AuthService } from "../../src/services/auth.service.ts";
import { createServices } from "../../src/services/container.ts";
import { SecretBox } from "../../src/services/secrets.ts";
import { WebhookDispatcher } from "../../src/services/webhook.dispatcher.ts";
import { type Database, openDatabase } from "../../src/store/db.ts";
import { browserSuiteSkips, ensureBuilt, launchChromium, screenshotFolder } from "../helpers/chromium.ts";
import { type Receiver, startReceiver } from "../helpers/webhook-receiver.ts";

const shots = screenshotFolder();
const skip = browserSuiteSkips("webhooks");

const PASSWORD = "correct horse battery";
const HOSTILE = 'Parcel lost <img src=x onerror="alert(1)"> please help';

describe.skipIf(skip)("Settings → Webhooks in Chromium", () => {
  let database: Database;
  let app: FastifyInstance;
  let worker: Worker;
  let dispatcher: WebhookDispatcher;
  let receiver: Receiver;
  let browser: Browser;
  let page: Page;
  let token: string;
  let base: string;
  const dialogs: string[] = [];

  beforeAll(async () => {
    ensureBuilt("web");
    database = await openDatabase({ url: "memory://" });
    const services = createServices(database);
    const secrets = new SecretBox(Buffer.alloc(32, 8));
    const connectors = createConnectorRegistry();
    connectors.registerFormats(services.normalizers);
    app = await buildApp({ database, services, secrets, connectors });
    const auth = new AuthService(database.db);
    await auth.createAgent({ email: "ada@example.com", name: "Ada", password: PASSWORD, role: "admin" });
    token = (await auth.createToken({ name: "e2e", agentEmail: "ada@example.com" })).token;
    await app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    dispatcher = new WebhookDispatcher({ database, events: services.events, publicUrl: base });
    dispatcher.start();
    worker = createWorker(
      { database, events: services.events, connectors: createConnectorRegistry(), secrets },
      { pollIntervalMs: 200 },
    );
    await worker.start();
    receiver = await startReceiver();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await page.goto(base);
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Settings" }).waitFor();
    await page.goto(`${base}/settings`);
    await page.getByRole("heading", { name: "Webhooks" }).waitFor();
  });

  afterAll(async () => {
    await worker?.stop();
    await dispatcher?.stop();
    await browser?.close();
    await app?.close();
    await receiver?.close();
    await database?.close();
  });

  it("creates a webhook and shows its secret once", async () => {
    await page.getByLabel("Webhook name").fill("CRM sync");
    await page.getByLabel("Webhook URL").fill(`${receiver.url}/events`);
    await page.getByRole("checkbox", { name: /conversation\.resolved/ }).check();
    await page.getByRole("button", { name: "Add webhook" }).click();
    const secret = page.getByLabel("Signing secret");
    await secret.waitFor();
    receiver.secret = await secret.inputValue();
    expect(receiver.secret).toMatch(/^whsec_/);
    await page.getByRole("article", { name: "Webhook CRM sync" }).waitFor();
    expect(await page.getByRole("article", { name: "Webhook CRM sync" }).textContent()).toContain(
      "message.created, conversation.resolved",
    );
    await page.getByRole("button", { name: "I have saved it" }).click();
    expect(await page.getByLabel("Signing secret").count()).toBe(0);
  });

  it("sends a test event the receiver verifies", async () => {
    await page.getByRole("button", { name: "Send test event" }).click();
    await page.getByText(/Test event delivered: 200 in \d+ ms\./).waitFor();
    const got = await receiver.waitFor((r) => r.headers["x-rapport-event"] === "webhook.test");
    expect(got.verified).toBe(true);
  });

  it("shows deliveries in the log with their attempts and body, customer text as text", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/ingest",
      headers: { authorization: `Bearer ${token}` },
      payload: {
        channel: "shop-x",
        externalId: "e2e-1",
        direction: "in",
        author: { externalId: "lin", handle: "lin" },
        text: HOSTILE,
        createdAt: "2026-11-20T09:00:00Z",
      },
    });
    expect(response.statusCode).toBe(200);
    const delivered = await receiver.waitFor((r) => r.headers["x-rapport-event"] === "message.created");
    expect(delivered.verified).toBe(true);
    await page.getByRole("button", { name: "Deliveries" }).click();
    const log = page.getByRole("table", { name: "Deliveries of CRM sync" });
    await log.waitFor();
    await expect
      .poll(async () => log.getByText("message.created").count(), { timeout: 20_000, interval: 1000 })
      .toBe(1);
    const row = log.getByRole("row").filter({ hasText: "message.created" });
    await expect
      .poll(async () => row.textContent(), { timeout: 20_000, interval: 1000 })
      .toContain("succeeded");
    await row.getByRole("button", { name: "Details" }).click();
    await page.getByText(/Attempt 1 at .*: 200 in \d+ ms/).waitFor();
    await page.locator(".webhook-pre").filter({ hasText: "onerror" }).first().waitFor();
    expect(await page.locator(".webhook-log img").count()).toBe(0);
    // The sticky top bar and the toasts would be stitched into an element screenshot.
    const hide = await page.addStyleTag({ content: ".topbar, .toasts { display: none !important; }" });
    await page
      .getByRole("region", { name: "Webhooks" })
      .screenshot({ path: new URL("webhooks.png", shots).pathname });
    await hide.evaluate((style) => style.remove());
  });

  it("sets up a webhook channel, shows its signing secret once, and accepts messages signed with it", async () => {
    await page.goto(`${base}/settings/channels/new/webhook`);
    await page.getByRole("heading", { name: "Add a channel: Webhook (any platform)" }).waitFor();
    await page.getByRole("textbox", { name: "Name" }).fill("Forum bridge");
    await page.getByRole("textbox", { name: "Callback URL" }).fill(`${receiver.url}/replies`);
    await page.getByRole("textbox", { name: "Platform" }).fill("forum");
    await page.getByRole("button", { name: "Create channel" }).click();
    await page.getByRole("heading", { name: "Copy the secret now" }).waitFor();
    const secret = await page.getByLabel("signingSecret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole("link", { name: "I have saved it — continue" }).click();
    await page.getByRole("heading", { name: "Forum bridge" }).waitFor();
    const notes = page.getByRole("region", { name: "To finish the set-up" });
    const inbound = `${base}/api/webhooks/webhook-forum-bridge`;
    await notes.getByText(inbound).first().waitFor();
    expect(await page.content()).not.toContain(secret);

    const body = JSON.stringify({
      externalId: "forum-1",
      direction: "in",
      author: { externalId: "u-7", handle: "sam" },
      text: "Posted from the forum",
      createdAt: "2026-11-20T10:00:00Z",
    });
    const response = await fetch(inbound, {
      method: "POST",
      headers: { "content-type": "application/json", ...signatureHeaders(secret, body) },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ messages: 1 });

    // A leaked secret is rotated from the channel's page: the old one is refused at once.
    await page.getByRole("button", { name: "Rotate secret…" }).click();
    await page.getByRole("button", { name: "Rotate", exact: true }).click();
    const rotated = await page.getByLabel("signingSecret (shown this once)").inputValue();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    const second = JSON.stringify({ ...JSON.parse(body), externalId: "forum-2" });
    const post = (key: string) =>
      fetch(inbound, {
        method: "POST",
        headers: { "content-type": "application/json", ...signatureHeaders(key, second) },
        body: second,
      });
    expect((await post(secret)).status).toBe(401);
    expect((await post(rotated)).status).toBe(200);
    await page.goto(`${base}/settings`);
    await page.getByRole("heading", { name: "Webhooks" }).waitFor();
  });

  it("switches the webhook off and on, and redelivers from the log", async () => {
    const item = page.getByRole("article", { name: "Webhook CRM sync" });
    await item.getByRole("button", { name: "Switch off" }).click();
    await item.getByText("off", { exact: true }).waitFor();
    await item.getByRole("button", { name: "Switch on" }).click();
    await item.getByText("on", { exact: true }).waitFor();
    await item.getByRole("button", { name: "Deliveries" }).click();
    const before = receiver.received.length;
    await item
      .getByRole("row")
      .filter({ hasText: "message.created" })
      .first()
      .getByRole("button", { name: "Redeliver" })
      .click();
    await page.getByText("Queued for redelivery.").waitFor();
    await receiver.waitForCount(() => true, before + 1);
    expect(receiver.received.at(-1)!.verified).toBe(true);
    expect(dialogs).toEqual([]);
  });
});
