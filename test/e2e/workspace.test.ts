import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectorRegistry } from "../../src/channels/registry.ts";
import { createWorker } from "../../src/jobs/index.ts";
import type { Worker } from "../../src/jobs/worker.ts";
import { buildApp } from "../../src/server/app.ts";
import { AuthService } from "../../src/services/auth.service.ts";
import { createServices } from "../../src/services/container.ts";
import { type DemoSeed, seedDemoWorkspace } from "../../src/services/demo.service.ts";
import { type Database, openDatabase } from "../../src/store/db.ts";
import { browserSuiteSkips, ensureBuilt, launchChromium, screenshotFolder } from "../helpers/chromium.ts";

// Screenshots for docs/workspace.md are refreshed only on request (RAPPORT_SCREENSHOTS=1), so an
// ordinary test run leaves the working tree clean.
const shots = screenshotFolder();
const skip = browserSuiteSkips("workspace");

describe.skipIf(skip)("the agent workspace in Chromium", () => {
  let database: Database;
  let app: FastifyInstance;
  let worker: Worker | undefined;
  let seed: DemoSeed;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];

  /** Does the server answer this route (anything but 404)? For the [server: …] tests. */
  const routeExists = async (method: string, url: string) =>
    (await app.inject({ method: method as "GET", url, payload: method === "GET" ? undefined : {} }))
      .statusCode !== 404;

  async function signIn(p: Page, email = seed.adminEmail, password = seed.adminPassword) {
    await p.goto(base);
    await p.getByLabel("Email").fill(email);
    await p.getByLabel("Password").fill(password);
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.locator(".item").first().waitFor();
  }

  /** Screenshots without the transient toasts. */
  async function shoot(p: Page, name: string, fullPage = false) {
    const dismiss = p.getByRole("button", { name: "Dismiss" });
    for (let i = 0; i < 5 && (await dismiss.count()) > 0; i++) {
      await dismiss
        .first()
        .click({ timeout: 1000 })
        .catch(() => {}); // toasts also leave by themselves
    }
    // A full page is captured from the top, or the sticky bar is drawn where the page was scrolled to.
    if (fullPage) await p.evaluate("window.scrollTo(0, 0)");
    await p.screenshot({ path: new URL(name, shots).pathname, fullPage });
  }

  async function conversationWith(fragment: string): Promise<string> {
    const rows = await database.rows<{ id: string }>(
      sql`SELECT conversation_id AS id FROM messages WHERE strpos(text, ${fragment}) > 0 LIMIT 1`,
    );
    expect(rows, `a demo message containing ${fragment}`).toHaveLength(1);
    return rows[0]!.id;
  }

  beforeAll(async () => {
    ensureBuilt("web");
    database = await openDatabase({ url: "memory://" });
    const services = createServices(database);
    app = await buildApp({ database, services });
    seed = (await seedDemoWorkspace({
      database,
      auth: new AuthService(database.db),
      ingest: services.ingest,
    }))!;
    await app.listen({ port: 0, host: "127.0.0.1" });
    // The send worker, as `rapport serve` runs it; channels of kind "test" send through the test connector.
    worker = createWorker({ database, events: services.events, connectors: createConnectorRegistry() });
    await worker.start();
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await browser?.close();
    await app?.close();
    await database?.close();
  });

  it("signs in and shows the fair queue with its reasons", async () => {
    await page.goto(base);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await page.getByLabel("Email").fill(seed.adminEmail);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    await page.getByLabel("Password").fill(seed.adminPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".item").first().waitFor();
    expect(await page.locator(".item").count()).toBeGreaterThan(5);
    expect(await page.locator(".why").first().textContent()).toMatch(/Why here:/);
    await shoot(page, "queue.png");
  });

  it("opens a conversation with its thread, status actions and person panel", async () => {
    await page.locator(".item a").first().click();
    await page.waitForURL(/\/c\/[0-9a-f-]{36}/);
    await page.locator(".message").first().waitFor();
    await page.locator(".person h2").waitFor();
    for (const name of ["Resolve", "Waiting", "Spam"]) {
      expect(await page.getByRole("button", { name, exact: true }).count()).toBe(1);
    }
    expect(await page.getByLabel("Reply", { exact: true }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "Send" }).count()).toBe(1);
    await shoot(page, "conversation.png");
  });

  it("shows customers' HTML as text and never runs it", async () => {
    for (const fragment of ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]) {
      const id = await conversationWith(fragment);
      await page.goto(`${base}/c/${id}`);
      await page.getByText(fragment, { exact: false }).first().waitFor();
    }
    const id = await conversationWith("<iframe");
    await page.goto(`${base}/c/${id}`);
    await page.locator(".message").first().waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator(".thread img, .thread script, .thread iframe").count()).toBe(0);
    await page.goto(`${base}/c/${await conversationWith("<script>")}`);
    await page.getByText("<script>", { exact: false }).first().waitFor();
    expect(dialogs).toEqual([]);
  });

  it("previews an attached photo and says why a file was not kept", async () => {
    // A real 1×1 PNG, and a file named by a URL the worker refuses to fetch (a loopback address).
    const png =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    const summary = await createServices(database).ingest.ingest([
      {
        source: "api",
        format: "canonical",
        payload: {
          channel: "demo-mastodon",
          externalId: "e2e-photo",
          direction: "in",
          author: { externalId: "e2e-photo-person", displayName: "Noor Haddad" },
          text: "This is how my parcel arrived",
          createdAt: new Date().toISOString(),
          attachments: [
            { filename: "parcel.png", contentType: "image/png", size: 70, contentBase64: png },
            { filename: "video.mp4", contentType: "video/mp4", size: 0, url: "http://127.0.0.1:9/video.mp4" },
          ],
        },
      },
    ]);
    const { conversationId } = summary.outcomes[0] as { conversationId: string };
    await expect
      .poll(
        async () =>
          (await database.rows(sql`SELECT 1 FROM attachments WHERE fetch_error IS NOT NULL`)).length,
      )
      .toBe(1);
    await page.goto(`${base}/c/${conversationId}`);
    const preview = page.getByRole("img", { name: "parcel.png" });
    await preview.waitFor();
    await expect
      .poll(() => preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(1);
    await page.getByText(/video\/mp4 · not kept: refused: 127\.0\.0\.1, a private address/).waitFor();
    expect(await page.getByRole("link", { name: "open on the platform" }).getAttribute("href")).toBe(
      "http://127.0.0.1:9/video.mp4",
    );
  });

  it("moves with j/k and opens with Enter", async () => {
    await page.goto(base);
    await page.locator(".item").first().waitFor();
    const ids = await page
      .locator(".item a")
      .evaluateAll((links) => links.slice(0, 3).map((a) => (a as unknown as { pathname: string }).pathname));
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    await page.keyboard.press("k");
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === ids[1]);
    // With a conversation open, j walks to the next one.
    await page.keyboard.press("j");
    await page.waitForURL((url) => url.pathname === ids[2]);
    await page.keyboard.press("?");
    await page.getByRole("dialog").getByText("Keyboard shortcuts").waitFor();
    await page.keyboard.press("Escape");
    await page.keyboard.press("/");
    expect(await page.evaluate("document.activeElement && document.activeElement.id")).toBe("search");
  });

  it("resolves with e and assigns with a", async () => {
    await page.locator(".message").first().waitFor();
    await page.locator("body").click({ position: { x: 5, y: 300 } });
    await page.keyboard.press("a");
    await page.getByText("Assigned to you.").waitFor();
    await page.keyboard.press("e");
    await page.getByText("Marked resolved.").waitFor();
    await page.getByRole("button", { name: "Reopen" }).waitFor();
  });

  it("shows a person across platforms", async () => {
    await page.locator(".conversation-title h1 a").click();
    await page.waitForURL(/\/people\//);
    await page.getByRole("heading", { name: "Identities" }).waitFor();
    await page.getByRole("heading", { name: /Conversations/ }).waitFor();
    await page.waitForTimeout(300);
    await shoot(page, "person.png");
  });

  it("labels a conversation and keeps notes on a person", async () => {
    const id = await conversationWith("<script>");
    await page.goto(`${base}/c/${id}`);
    await page.getByLabel("Add a label").fill("broken page");
    await page.getByLabel("Add a label").press("Enter");
    await page.getByRole("button", { name: "Remove label broken page" }).waitFor();
    const [labelled] = await database.rows<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
      WHERE cl.conversation_id = ${id} AND l.name = 'broken page'`);
    expect(labelled!.n).toBe(1);
    await page.getByRole("button", { name: "Remove label broken page" }).click();
    await page.getByRole("button", { name: "Remove label broken page" }).waitFor({ state: "detached" });
    const panel = page.locator(".person").first();
    await panel.getByRole("button", { name: "Edit notes and tags" }).click();
    await panel.getByLabel("Notes").fill("Pasted an error page; prefers the web chat.");
    await panel.getByLabel("Tags (comma-separated)").fill("web, patient");
    await panel.getByRole("button", { name: "Save notes" }).click();
    await panel.getByText("Pasted an error page; prefers the web chat.").waitFor();
    await panel.locator(".chip", { hasText: "patient" }).waitFor();
  });

  it("corrects a message's analysis with c, shows who corrected it, and takes it back", async () => {
    const [one] = await database.rows<{ id: string; message_id: string }>(sql`
      SELECT m.conversation_id AS id, m.id AS message_id FROM messages m
      WHERE m.direction = 'in' AND m.visibility <> 'note' AND m.sentiment_label = 'neutral'
        AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.conversation_id = m.conversation_id
          AND o.direction = 'in' AND o.id <> m.id)
      LIMIT 1`);
    expect(one, "a demo conversation with one neutral message from a person").toBeTruthy();
    await page.goto(`${base}/c/${one!.id}`);
    await page.locator(".message.inbound").first().waitFor();
    // Keys are commands when no field has the focus (a click on the page could open a list item).
    await page.evaluate("document.activeElement && document.activeElement.blur()");
    await page.keyboard.press("c");
    const form = page.getByRole("form", { name: "Correct the analysis" });
    await form.waitFor();
    await form.getByLabel("Sentiment").selectOption("negative");
    await form.getByLabel("complaint").check();
    await form.getByRole("button", { name: "Save" }).click();
    await page.getByText("Analysis corrected.").waitFor();
    const chip = page.locator(".message.inbound .chip", { hasText: "negative ✎" });
    await chip.waitFor();
    expect(await chip.getAttribute("title")).toBe("Corrected by Alex Admin; the analyzer said neutral");
    await page.locator(".message.inbound .chip", { hasText: "complaint ✎" }).waitFor();
    const stored = await database.rows<{ field: string; human: unknown }>(
      sql`SELECT field, human FROM analysis_corrections WHERE message_id = ${one!.message_id} ORDER BY field`,
    );
    expect(stored.map((r) => r.field)).toEqual(["intent", "sentiment"]);

    await page.getByRole("button", { name: "Correct", exact: true }).click();
    await page.getByRole("button", { name: "Use the analyzer's sentiment (neutral)" }).click();
    await page.getByText("Back to the analyzer's label.").waitFor();
    await page.locator(".message.inbound .chip", { hasText: /^neutral$/ }).waitFor();
    expect(
      await database.rows(
        sql`SELECT 1 FROM analysis_corrections WHERE message_id = ${one!.message_id} AND field = 'sentiment'`,
      ),
    ).toEqual([]);
  });

  it("says on the urgent chip why the analyzer found a message urgent", async () => {
    const [urgent] = await database.rows<{ id: string; reasons: string[] }>(sql`
      SELECT m.conversation_id AS id, ARRAY(SELECT jsonb_array_elements_text(m.analysis->'urgency'->'reasons')) AS reasons
      FROM messages m
      WHERE m.direction = 'in' AND m.urgency = 'high' AND jsonb_array_length(m.analysis->'urgency'->'reasons') > 0
        AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.conversation_id = m.conversation_id
          AND o.direction = 'in' AND o.id <> m.id)
      LIMIT 1`);
    expect(urgent, "a demo message the analyzer found urgent").toBeTruthy();
    await page.goto(`${base}/c/${urgent!.id}`);
    const chip = page.locator(".message.inbound .chip", { hasText: /^urgent$/ });
    await chip.waitFor();
    expect(await chip.getAttribute("title")).toBe(`Why: ${urgent!.reasons.join("; ")}`);
  });

  it("suggests merging one person's two records, merges them, and undoes it", async () => {
    const [pair] = await database.rows<{ id: string; other: string; name: string }>(sql`
      SELECT a.id, b.id AS other, a.display_name AS name FROM people a JOIN people b
        ON lower(a.display_name) = lower(b.display_name) AND a.id < b.id
      WHERE a.display_name LIKE '% %' AND a.merged_into_id IS NULL AND b.merged_into_id IS NULL LIMIT 1`);
    expect(pair, "the demo has someone on two platforms under one name").toBeTruthy();
    await page.goto(`${base}/people/${pair!.id}`);
    const section = page.getByRole("region", { name: "Possibly the same person" });
    await section.getByRole("button", { name: "Merge into this person" }).first().click();
    await section.getByRole("button", { name: "Undo merge" }).waitFor();
    const [merged] = await database.rows<{ merged_into_id: string | null }>(
      sql`SELECT merged_into_id FROM people WHERE id = ${pair!.other}`,
    );
    expect(merged!.merged_into_id).toBe(pair!.id);
    await shoot(page, "merge.png");
    await section.getByRole("button", { name: "Undo merge" }).click();
    await page.getByText("Merge undone.").waitFor();
    const [undone] = await database.rows<{ merged_into_id: string | null }>(
      sql`SELECT merged_into_id FROM people WHERE id = ${pair!.other}`,
    );
    expect(undone!.merged_into_id).toBeNull();
  });

  it("lets an admin set guard rules, routing and saved replies in Settings", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Authenticity guard" }).waitFor();
    await page.getByLabel("Guard rule promo code").selectOption("block");
    await page.getByText("Guard rule saved.").waitFor();
    const [setting] = await database.rows<{ value: Record<string, string> }>(
      sql`SELECT value FROM settings WHERE key = 'guard.rules'`,
    );
    expect(setting!.value.promo_code).toBe("block");
    await page.getByLabel("Saved reply title").fill("Refund on its way");
    await page
      .getByLabel("Saved reply text")
      .fill("Hi {{person.firstName}}, your refund is on its way. {{agent.name}}");
    await page.getByRole("button", { name: "Add saved reply" }).click();
    await page.getByText("Refund on its way").waitFor();
    await shoot(page, "settings.png", true);
    // Back to the defaults for the tests that follow.
    await page.getByLabel("Guard rule promo code").selectOption("warn");
    await expect
      .poll(async () => {
        const [row] = await database.rows<{ value: Record<string, string> }>(
          sql`SELECT value FROM settings WHERE key = 'guard.rules'`,
        );
        return row?.value.promo_code;
      })
      .toBe("warn");
  });

  it("draws the happiness and fairness reports", async () => {
    await page.getByRole("link", { name: "Happiness" }).click();
    await page.locator(".stat").first().waitFor();
    await page.locator(".uplot").first().waitFor();
    // The intent an agent corrected above, read again by the analyzer (which still says otherwise).
    const check = page.getByRole("region", { name: "The analysis, checked by agents" });
    const intent = check.getByRole("row", { name: /^intent/ });
    await intent.waitFor();
    expect((await intent.locator("td").allTextContents()).slice(0, 2)).toEqual(["1", "0%"]);
    await shoot(page, "happiness.png", true);
    await page.getByRole("link", { name: "Fairness" }).click();
    await page.locator(".verdict").waitFor();
    await page.locator(".uplot").first().waitFor();
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export CSV" }).click();
    expect((await download).suggestedFilename()).toBe("rapport-fairness.csv");
    await shoot(page, "fairness.png", true);
  });

  it("works on a phone-sized screen", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const p = await phone.newPage();
    await signIn(p);
    await p.locator(".item a").first().click();
    await p.locator(".message").first().waitFor();
    expect(await p.locator(".list-pane").isVisible()).toBe(false);
    await shoot(p, "phone.png");
    await phone.close();
  });

  // ---- [server: replies, guard, realtime] — written against docs/api.md's contract -----------------

  it("[server: replies] sends a reply through the outbox and a test connector", async (ctx) => {
    const id = await conversationWith("<script>");
    if (!(await routeExists("POST", `/api/conversations/${id}/replies`))) ctx.skip();
    await database.db.execute(
      sql`UPDATE channels SET kind = 'test' WHERE id = (SELECT channel_id FROM conversations WHERE id = ${id})`,
    );
    await page.goto(`${base}/c/${id}`);
    const text = `Hi — thanks for the screenshot, our booking page is back now. ${Date.now()}`;
    await page.getByLabel("Reply", { exact: true }).fill(text);
    await page.getByRole("button", { name: "Send" }).click();
    const sent = page.locator(".message.outbound", { hasText: text });
    await sent.waitFor();
    // Pending at first, then "sent" once the worker has delivered it — shown live, without a reload.
    await sent.locator(".chip", { hasText: /^sent$/ }).waitFor({ timeout: 15_000 });
  });

  it("[server: guard] warns about a promo code before sending", async (ctx) => {
    if (!(await routeExists("POST", "/api/guard/review"))) ctx.skip();
    await page.getByLabel("Reply", { exact: true }).fill("Sorry about that! Use code SAVE20 at checkout.");
    await page.locator(".findings").waitFor();
    await page.getByRole("button", { name: "Send" }).click();
    await page
      .getByRole("button", { name: "Send anyway" })
      .or(page.getByText("The guard blocks"))
      .first()
      .waitFor();
    await shoot(page, "guard.png");
    await page.getByLabel("Reply", { exact: true }).fill("");
  });

  it("[server: realtime] a second browser sees new conversations and messages live", async (ctx) => {
    if (!(await routeExists("GET", "/api/events"))) ctx.skip();
    // A second agent in a second browser.
    const password = "correct horse battery staple";
    await new AuthService(database.db).createAgent({
      email: "sam@example.com",
      name: "Sam Second",
      password,
    });
    const second = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await second.newPage();
    await signIn(p, "sam@example.com", password);
    // "All" lists the newest activity first, so a new conversation appears at the top.
    await p.goto(`${base}/?view=all`);
    await p.getByText("Live", { exact: true }).waitFor();
    const marker = `Live test ${Date.now()}: my train was cancelled, what now?`;
    const token = await new AuthService(database.db).createToken({ name: "e2e" });
    const ingested = await app.inject({
      method: "POST",
      url: "/api/ingest",
      headers: { authorization: `Bearer ${token.token}` },
      payload: {
        channel: "webchat",
        externalId: `live-${Date.now()}`,
        direction: "in",
        author: { externalId: "live-person", displayName: "Live Person" },
        text: marker,
        createdAt: new Date().toISOString(),
      },
    });
    expect(ingested.statusCode).toBe(200);
    await p.getByText(marker).first().waitFor({ timeout: 10_000 });

    // Both on one conversation: each sees the other there; the admin's note reaches Sam live.
    const id = await conversationWith("<script>");
    await p.goto(`${base}/c/${id}`);
    await page.goto(`${base}/c/${id}`);
    await page.getByText("Sam Second is viewing").waitFor({ timeout: 15_000 });
    const note = `Checking the payment logs for this one ${Date.now()}`;
    await page.getByRole("tab", { name: "Private note" }).click();
    await page.getByLabel("Note", { exact: true }).fill(note);
    await page.getByRole("button", { name: "Add note" }).click();
    await p.locator(".message.note", { hasText: note }).waitFor({ timeout: 10_000 });
    await second.close();
  });
});
