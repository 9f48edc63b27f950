/**
 * The website chat's public config (people on duty, hours, the honest response time), CORS and precise
 * refusals, set-up by an admin over the API, and the widget bundle and demo page, on both engines.
 */
import { existsSync } from "node:fs";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { businessHours, channels, slaPolicies } from "../store/schema.ts";
import { WIDGET_BUNDLE } from "./routes/widget.routes.ts";
import { box, KEY, SITE, useWidgetChat, VISITOR_KEY } from "./widget.test-support.ts";

describeEachEngine("the website chat", (ctx) => {
  const chat = useWidgetChat(ctx);

  describe("config", () => {
    it("shows the people on duty, hours and the honest response time, for allowed sites", async () => {
      const res = await chat.app.inject({ url: `/api/widget/${KEY}/config`, headers: { origin: SITE } });
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
      const res = await chat.app.inject({
        url: "/api/widget/webchat-closed/config",
        headers: { origin: SITE },
      });
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
      const preflight = await chat.app.inject({
        method: "OPTIONS",
        url: `/api/widget/${KEY}/token`,
        headers: { origin: SITE, "access-control-request-method": "POST" },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers["access-control-allow-methods"]).toBe("GET, POST");
      const other = await chat.app.inject({
        url: `/api/widget/${KEY}/config`,
        headers: { origin: "https://evil.example" },
      });
      expect(other.statusCode).toBe(403);
      expect(other.json().error.message).toBe(
        `The site https://evil.example may not use the chat of channel "${KEY}": add it to the channel's allowedOrigins.`,
      );
      const unknown = await chat.app.inject({ url: "/api/widget/nope/config" });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error.message).toBe('There is no website chat channel with the key "nope".');
      const notWebchat = await chat.app.inject({ url: "/api/widget/email-care/config" });
      expect(notWebchat.statusCode).toBe(404);
      const badKey = await chat.app.inject({ url: "/api/widget/%20bad/config" });
      expect(badKey.statusCode).toBe(400);
    });
  });

  it("is set up by an admin over the API, with a generated visitor key that is never shown", async () => {
    const { headers } = await agentWithToken(ctx.database, "admin@example.com", {
      role: "admin",
      name: "Ada Admin",
    });
    const created = await chat.app.inject({
      method: "POST",
      url: "/api/channels",
      headers,
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
    const config = await chat.app.inject({
      url: "/api/widget/webchat-northwind-rail/config",
      headers: { origin: "https://rail.example" },
    });
    expect(config.statusCode, config.body).toBe(200);
    const bad = await chat.app.inject({
      method: "POST",
      url: "/api/channels",
      headers,
      payload: { kind: "webchat", name: "Bad", config: { allowedOrigins: ["https://rail.example/path"] } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^config\.allowedOrigins\.0: must be an origin/);
  });

  it("serves the widget bundle and a demo page with the snippet", async () => {
    const demo = await chat.app.inject({ url: `/widget-demo?channel=${KEY}` });
    expect(demo.statusCode).toBe(200);
    expect(demo.headers["content-type"]).toMatch(/^text\/html/);
    expect(demo.body).toContain(`<script src="/widget.js" data-channel="${KEY}" async></script>`);
    expect((await chat.app.inject({ url: "/widget-demo?channel=nope" })).statusCode).toBe(404);
    const bundle = await chat.app.inject({ url: "/widget.js" });
    if (existsSync(WIDGET_BUNDLE)) {
      expect(bundle.statusCode).toBe(200);
      expect(bundle.headers["content-type"]).toBe("application/javascript; charset=utf-8");
    } else {
      expect(bundle.json().error.message).toMatch(/npm run build:widget/);
    }
  });
});
