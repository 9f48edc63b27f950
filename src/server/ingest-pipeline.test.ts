import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { inbound } from "../../test/helpers/services.ts";
import { createServices } from "../services/container.ts";
import { buildApp } from "./app.ts";

describeEachEngine("POST /api/ingest through the real pipeline", (ctx) => {
  let app: FastifyInstance;
  let headers: Record<string, string>;
  beforeAll(async () => {
    app = await buildApp({ database: ctx.database, services: createServices(ctx.database) });
    ({ headers } = await agentWithToken(ctx.database, "ingest-e2e@example.com"));
  });
  afterAll(() => app?.close());

  it("stores valid messages once, dead-letters invalid ones, and shows them with analysis", async () => {
    const good = inbound({ channel: "api-e2e", text: "Thank you so much, you were wonderful!" });
    const bad = { ...inbound({ channel: "api-e2e" }), direction: "sideways" };

    const first = await app.inject({
      method: "POST",
      url: "/api/ingest",
      headers,
      payload: [good, bad, good],
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ messages: 1, duplicates: 1, deadLetters: 1 });
    expect(first.json().outcomes[1].reason).toContain("direction");

    const onlyBad = await app.inject({ method: "POST", url: "/api/ingest", headers, payload: bad });
    expect(onlyBad.statusCode).toBe(422);

    const conversationId = first.json().outcomes[0].conversationId as string;
    const detail = await app.inject({ method: "GET", url: `/api/conversations/${conversationId}`, headers });
    expect(detail.statusCode).toBe(200);
    const body = detail.json();
    const messages = body.messages ?? body.conversation?.messages;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ text: good.text, sentimentLabel: "positive" });
  });

  it("keeps a JSON null item raw and answers why, and dead-letters times from a broken clock", async () => {
    const good = inbound({ channel: "api-odd", text: "Where is my parcel?" });
    const year0 = { ...inbound({ channel: "api-odd" }), createdAt: "0000-01-01T00:00:00Z" };
    const late = { ...inbound({ channel: "api-odd" }), createdAt: "9999-12-31T23:59:59Z" };
    const edited = { ...inbound({ channel: "api-odd" }), editedAt: "1969-12-31T23:59:59Z" };
    const change = {
      channel: "api-odd",
      externalId: good.externalId,
      change: "delete",
      at: "0000-06-01T00:00:00Z",
    };
    const raw = async () =>
      (await ctx.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM raw_events`))[0]!.n;
    const before = await raw();

    const response = await app.inject({
      method: "POST",
      url: "/api/ingest",
      headers,
      payload: [null, good, year0, late, edited, change],
    });
    expect(response.statusCode, response.body).toBe(200);
    const reasons = response.json().outcomes.map((o: { reason?: string }) => o.reason ?? null);
    expect(reasons[0]).toBe("Invalid input: expected object, received null");
    expect(reasons[1]).toBeNull();
    expect(reasons[2]).toBe(
      "createdAt: 0000-01-01T00:00:00Z is not between 1970-01-01 and 2999-12-31 (UTC); a message's time outside that comes from a broken clock",
    );
    expect(reasons[3]).toMatch(/^createdAt: 9999-12-31T23:59:59Z is not between/);
    expect(reasons[4]).toMatch(/^editedAt: 1969-12-31T23:59:59Z is not between/);
    expect(reasons[5]).toMatch(/^at: 0000-06-01T00:00:00Z is not between/);
    expect(response.json()).toMatchObject({ messages: 1, deadLetters: 5 });
    // Every item, the null too, is kept as it came.
    expect(await raw()).toBe(before + 6);
    const kept = await ctx.database.rows<{ status: string }>(
      sql`SELECT status FROM raw_events WHERE payload::text = 'null'`,
    );
    expect(kept).toEqual([{ status: "dead" }]);
  });
});
