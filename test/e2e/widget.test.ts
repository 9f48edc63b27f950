import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectorRegistry } from "../../src/channels/registry.ts";
import { createWorker } from "../../src/jobs/index.ts";
import type { Worker } from "../../src/jobs/worker.ts";
import { buildApp } from "../../src/server/app.ts";
import { AuthService } from "../../src/services/auth.service.ts";
import { createServices } from "../../src/services/container.ts";
import { DEMO_WEBCHAT_KEY, type DemoSeed, seedDemoWorkspace } from "../../src/services/demo.service.ts";
import { SecretBox } from "../../src/services/secrets.ts";
import { webchatDirectory } from "../../src/services/webchat.directory.ts";
import { type Database, openDatabase } from "../../src/store/db.ts";
import { channels } from "../../src/store/schema.ts";
import { browserSuiteSkips, ensureBuilt, launchChromium, screenshotFolder } from "../helpers/chromium.ts";
import { sendOnlyEmailChannel, startSmtpServer, type TestSmtp } from "../helpers/smtp.ts";

const shots = screenshotFolder();
const skip = browserSuiteSkips("widget");

/** A customer's site on its own origin, with page styles that would break a naive widget. */
function customerSite(rapport: string): Promise<Server> {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Northwind Rail &amp; Travel</title>
<style>
  * { font-family: "Comic Sans MS", cursive !important; line-height: 3 !important; }
  button { background: hotpink !important; border: 6px dashed lime !important; padding: 30px !important; }
  ol, ul, li, p { margin: 40px !important; color: red !important; }
  div { display: block; opacity: 0.9; }
</style></head>
<body><h1>Timetables</h1><p>Trains every 30 minutes between Harbour and Northgate.</p>
<script src="${rapport}/widget.js" data-channel="${DEMO_WEBCHAT_KEY}" async></script>
</body></html>`;
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(page);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe.skipIf(skip)("the website chat in Chromium", () => {
  let database: Database;
  let app: FastifyInstance;
  let worker: Worker;
  let smtp: TestSmtp;
  let site: Server;
  let seed: DemoSeed;
  let base: string;
  let siteUrl: string;
  let browser: Browser;
  let agentPage: Page;

  async function conversationWith(text: string): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const rows = await database.rows<{ id: string }>(
        sql`SELECT conversation_id AS id FROM messages WHERE text = ${text} LIMIT 1`,
      );
      if (rows[0]) return rows[0].id;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`No stored message "${text}"`);
  }

  beforeAll(async () => {
    ensureBuilt("web", "widget");
    smtp = await startSmtpServer();
    const box = new SecretBox(Buffer.alloc(32, 5));
    database = await openDatabase({ url: "memory://" });
    const services = createServices(database);
    const connectors = createConnectorRegistry({ demo: true, webchat: webchatDirectory(database, box) });
    connectors.registerFormats(services.normalizers);
    seed = (await seedDemoWorkspace(
      { database, auth: new AuthService(database.db), ingest: services.ingest, secrets: box },
      { conversations: 20 },
    ))!;
    app = await buildApp({ database, services, connectors, secrets: box });
    await app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    // The customer's site is another origin (localhost ≠ 127.0.0.1), allowed by the channel.
    site = await customerSite(base);
    siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;
    await database.db.insert(channels).values(sendOnlyEmailChannel(smtp, box));
    await database.db.execute(sql`
      UPDATE channels SET config = ${JSON.stringify({
        allowedOrigins: [siteUrl],
        greeting: "Hi! Ask us about orders, sizes and returns.",
        emailChannel: "email-care",
      })}::jsonb WHERE key = ${DEMO_WEBCHAT_KEY}`);
    worker = createWorker({ database, events: services.events, connectors, secrets: box });
    await worker.start();
    browser = await launchChromium();
    const agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    agentPage = await agentContext.newPage();
    await agentPage.goto(base);
    await agentPage.getByLabel("Email").fill(seed.adminEmail);
    await agentPage.getByLabel("Password").fill(seed.adminPassword);
    await agentPage.getByRole("button", { name: "Sign in" }).click();
    await agentPage.locator(".item").first().waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.close();
    await new Promise((resolve) => site?.close(resolve));
    await smtp?.close();
    await database?.close();
  });

  it("carries a visitor's message to the agent and the reply back, live, with typing both ways", async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const visitor = await context.newPage();
    await visitor.goto(siteUrl);
    const launcher = visitor.getByRole("button", { name: /^Chat with Northwind Rail & Travel/ });
    await launcher.waitFor();
    // Page CSS cannot reach into the shadow root: the launcher keeps its own colour and size.
    const look = await launcher.evaluate((el) => {
      const s = (
        globalThis as unknown as {
          getComputedStyle(e: unknown): { backgroundColor: string; width: string; fontFamily: string };
        }
      ).getComputedStyle(el);
      return { background: s.backgroundColor, width: s.width, font: s.fontFamily };
    });
    expect(look).toEqual({
      background: "rgb(49, 95, 214)",
      width: "56px",
      font: expect.not.stringMatching(/Comic/),
    });
    await launcher.click();
    const panel = visitor.getByRole("dialog", { name: "Chat with Northwind Rail & Travel" });
    await panel.waitFor();
    // The real people on duty (the demo's three online agents), never a bot persona; and honest timing.
    await panel.getByText(/ and 1 other are here$/).waitFor();
    await panel.getByText("We aim to reply within 1 hour").waitFor();
    // Focus moved into the composer; it is labelled.
    const input = visitor.getByLabel("Your message");
    await expect.poll(() => input.evaluate((el) => el === el.getRootNode().activeElement)).toBe(true);

    const first = "Hi! Can I bring my bike on the 8:15 to Northgate?";
    await input.fill(first);
    await input.press("Enter");
    await panel.locator(".msg.mine", { hasText: first }).waitFor();
    await panel.getByText(/sending…/).waitFor({ state: "detached" });

    // The agent opens the conversation; from now on everything arrives without a reload.
    const id = await conversationWith(first);
    await agentPage.goto(`${base}/c/${id}`);
    await agentPage.locator(".message", { hasText: first }).waitFor();

    await input.pressSequentially("And a dog", { delay: 20 });
    await agentPage.getByText("The visitor is typing…").waitFor({ timeout: 15_000 });
    await input.press("Enter");
    await agentPage.locator(".message", { hasText: "And a dog" }).waitFor({ timeout: 15_000 });

    const reply = agentPage.getByLabel("Reply", { exact: true });
    await reply.fill("Yes — bikes and dogs ride free on that train.");
    await panel.getByText("Alex Admin is typing…").waitFor({ timeout: 15_000 });
    await agentPage.getByRole("button", { name: "Send" }).click();
    const answer = panel.locator(".msg.out", { hasText: "bikes and dogs ride free" });
    await answer.waitFor({ timeout: 15_000 });
    expect(await answer.locator(".author").textContent()).toContain("Alex Admin");
    // Announced to screen readers through the polite live region.
    await panel.locator('[aria-live="polite"][aria-atomic="true"]', { hasText: "Alex Admin:" }).waitFor();
    await visitor.screenshot({ path: new URL("widget.png", shots).pathname });

    // Escape closes the panel and gives focus back to the launcher.
    await visitor.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    await expect.poll(() => launcher.evaluate((el) => el === el.getRootNode().activeElement)).toBe(true);

    // After a reload the visitor finds the conversation again (signed token in localStorage).
    await visitor.reload();
    // Keyboard only: Tab to the launcher, Enter opens the chat.
    for (let i = 0; i < 10; i++) {
      await visitor.keyboard.press("Tab");
      if (await launcher.evaluate((el) => el === el.getRootNode().activeElement)) break;
    }
    await visitor.keyboard.press("Enter");
    await panel.locator(".msg.out", { hasText: "bikes and dogs ride free" }).waitFor();
    expect(await panel.locator(".msg.mine").count()).toBe(2);
    await context.close();
  });

  it("asks for an email when nobody is on duty and sends the reply there after the visitor left", async () => {
    await database.db.execute(sql`UPDATE agents SET availability = 'offline'`);
    // The widget's status is cached for 5 s on the server.
    await new Promise((r) => setTimeout(r, 5500));
    const context = await browser.newContext();
    const visitor = await context.newPage();
    await visitor.goto(siteUrl);
    await visitor.getByRole("button", { name: /^Chat with Northwind Rail & Travel/ }).click();
    const panel = visitor.getByRole("dialog", { name: "Chat with Northwind Rail & Travel" });
    await panel.getByText("No one is online right now").waitFor();
    await visitor.getByLabel("Your email").fill("ada@example.org");
    await visitor.getByLabel("Your name (optional)").fill("Ada");
    await visitor.getByRole("button", { name: "Save email" }).click();
    await panel.getByText("We will answer at ada@example.org if you are not here then.").waitFor();
    const text = "Can I get a refund for a ticket I did not use?";
    await visitor.getByLabel("Your message").fill(text);
    await visitor.getByLabel("Your message").press("Enter");
    await panel.getByText(/sending…/).waitFor({ state: "detached" });
    await visitor.screenshot({ path: new URL("widget-offline.png", shots).pathname });
    const id = await conversationWith(text);
    await context.close();
    // The socket's lease ends when the page closes.
    await expect
      .poll(
        async () =>
          (
            await database.rows<{ c: boolean }>(
              sql`SELECT COALESCE(connected_until > now(), false) AS c FROM webchat_visitors WHERE email = 'ada@example.org'`,
            )
          )[0]?.c,
        { timeout: 15_000 },
      )
      .toBe(false);

    await agentPage.goto(`${base}/c/${id}`);
    await agentPage.locator(".message", { hasText: text }).waitFor();
    const answer = "Yes, unused tickets are refunded in full within 30 days.";
    await agentPage.getByLabel("Reply", { exact: true }).fill(answer);
    await agentPage.getByRole("button", { name: "Send" }).click();
    const mail = await smtp.waitFor(answer);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : null).toBe("ada@example.org");
    expect(mail.from?.value[0]).toMatchObject({
      name: "Alex Admin at Northwind",
      address: "care@northwind.example",
    });
    expect(mail.text).toContain(`in the chat on ${siteUrl}/`);
  });
});
