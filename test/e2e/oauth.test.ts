import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MastodonSimulator } from "../../src/channels/mastodon/mastodon.simulator.ts";
import { createConnectorRegistry } from "../../src/channels/registry.ts";
import { buildApp } from "../../src/server/app.ts";
import { AuthService } from "../../src/services/auth.service.ts";
import { createServices } from "../../src/services/container.ts";
import { SecretBox } from "../../src/services/secrets.ts";
import { type Database, openDatabase } from "../../src/store/db.ts";
import { browserSuiteSkips, ensureBuilt, launchChromium } from "../helpers/chromium.ts";

const skip = browserSuiteSkips("oauth");

const ADMIN = { email: "ines@northwind.example", password: "correct horse battery staple" };

describe.skipIf(skip)("connecting Mastodon with its sign-in, in Chromium", () => {
  let database: Database;
  let app: FastifyInstance;
  let simulator: MastodonSimulator;
  let browser: Browser;
  let page: Page;
  let base: string;
  const box = new SecretBox(Buffer.alloc(32, 9));

  beforeAll(async () => {
    ensureBuilt("web");
    simulator = await new MastodonSimulator().start();
    database = await openDatabase({ url: "memory://" });
    const services = createServices(database);
    const connectors = createConnectorRegistry();
    connectors.registerFormats(services.normalizers);
    app = await buildApp({ database, services, connectors, secrets: box });
    await new AuthService(database.db).createAgent({ ...ADMIN, name: "Inès Moreau", role: "admin" });
    await app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(base);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Settings", exact: true }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await simulator?.stop();
    await database?.close();
  });

  it("signs in on the instance, comes back with the channel set up, and its connection test passes", async () => {
    await page.goto(`${base}/settings/channels/new`);
    await page.getByRole("link", { name: /Mastodon/ }).click();
    const how = page.getByRole("group", { name: "How to connect" });
    await expect.poll(() => how.getByRole("radio", { name: /Sign in on Mastodon/ }).isChecked()).toBe(true);
    const form = page.getByRole("form", { name: /settings$/ });
    // Signing in needs no token field: the instance issues the token.
    expect(await form.getByLabel("Access token").count()).toBe(0);
    await form.getByRole("textbox", { name: "Name", exact: true }).fill("Northwind on Mastodon");
    await form.getByLabel("Instance").fill(simulator.url);
    await form.getByRole("button", { name: "Continue to sign in on Mastodon" }).click();

    // The simulator approves at once and sends the browser back to /api/channels/oauth/callback,
    // which creates the channel and lands on its settings page.
    await page.waitForURL(/\/settings\/channels\/[0-9a-f-]+\?created=1$/, { timeout: 30_000 });
    await page.getByRole("heading", { name: "Northwind on Mastodon" }).waitFor();
    expect(simulator.requests.some((r) => r.startsWith("POST /api/v1/apps"))).toBe(true);
    expect(simulator.requests.some((r) => r.startsWith("POST /oauth/token"))).toBe(true);

    const id = new URL(page.url()).pathname.split("/").at(-1)!;
    const [row] = await database.rows<{ kind: string; secrets: string; config: { instanceUrl: string } }>(
      sql`SELECT kind, secrets, config FROM channels WHERE id = ${id}`,
    );
    expect(row).toMatchObject({ kind: "mastodon", config: { instanceUrl: simulator.url } });
    const issued = box.open(row!.secrets).accessToken!;
    expect(simulator.tokens.has(issued)).toBe(true);

    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText("Everything works.").waitFor({ timeout: 30_000 });
  });
});
