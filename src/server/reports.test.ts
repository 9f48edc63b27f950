import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { buildChannel, buildConversation, buildPerson } from "../../test/helpers/factories.ts";
import { agentWithToken, testApp } from "../../test/helpers/server.ts";

describeEachEngine("reports API", (ctx) => {
  let app: FastifyInstance;
  let headers: Record<string, string>;
  const get = (url: string, withAuth = true) =>
    app.inject({ method: "GET", url, ...(withAuth ? { headers } : {}) });

  beforeAll(async () => {
    const db = ctx.database.db;
    app = await testApp(ctx.database);
    headers = (await agentWithToken(ctx.database, "ada@example.com")).headers;
    const channel = await buildChannel(db, { key: "webchat", kind: "webchat", name: "Web chat" });
    const start = new Date("2026-03-02T09:00:00Z");
    for (const [audience, seconds] of [
      [10, 600],
      [50_000, 660],
    ] as const) {
      await buildConversation(db, {
        channelId: channel.id,
        personId: (await buildPerson(db)).id,
        status: "resolved",
        audienceSize: audience,
        firstInboundAt: start,
        firstHumanResponseAt: new Date(start.getTime() + seconds * 1000),
        firstSentiment: -0.4,
        lastSentiment: 0.3,
      });
    }
  });
  afterAll(async () => app?.close());

  it("requires authentication", async () => {
    expect((await get("/api/reports/fairness", false)).statusCode).toBe(401);
    expect((await get("/api/reports/happiness", false)).statusCode).toBe(401);
  });

  it("rejects bad bounds and unknown channels precisely", async () => {
    const badDate = await get("/api/reports/fairness?from=last-week");
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().error.message).toContain("querystring.from: must be an ISO date");
    const reversed = await get("/api/reports/happiness?from=2026-03-05&to=2026-03-01");
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().error.message).toBe("querystring.to: `from` must be earlier than `to`");
    const channel = await get("/api/reports/fairness?channel=nope");
    expect(channel.statusCode).toBe(404);
    expect(channel.json().error).toEqual({ code: "not_found", message: 'No channel has the key "nope".' });
  });

  it("reads bounds beyond the years PostgreSQL holds as its first and last instant", async () => {
    const wide = await get("/api/reports/fairness?from=0000-01-01&to=9999-12-31");
    expect(wide.statusCode, wide.body).toBe(200);
    expect(wide.json().range).toMatchObject({
      from: "0001-01-01T00:00:00.000Z",
      to: "9999-12-31T23:59:59.999Z",
    });
    expect(wide.json()).toMatchObject({ ratio: 1.1, fastest: "0-99" });
    const guard = await get("/api/reports/guard?from=0000-01-01T00:00:00Z&to=9999-12-31");
    expect(guard.statusCode, guard.body).toBe(200);
  });

  it("answers the fairness report", async () => {
    const response = await get("/api/reports/fairness?from=2026-03-02&to=2026-03-02&channel=webchat");
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report.range).toEqual({
      from: "2026-03-02T00:00:00.000Z",
      to: "2026-03-03T00:00:00.000Z",
      channel: "webchat",
    });
    expect(report).toMatchObject({ ratio: 1.1, fair: true, fastest: "0-99", slowest: "10000-99999" });
    expect(report.buckets).toHaveLength(6);
  });

  it("answers the happiness report", async () => {
    const response = await get("/api/reports/happiness");
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report.overall).toMatchObject({
      people: 2,
      answeredShare: 1,
      sentiment: { start: -0.4, end: 0.3, shift: 0.7, startedNegative: 2, recovered: 2, recoveredShare: 1 },
    });
    // Exactly 630 s and 654 s; read from the response-time histogram, within 5% (docs/reports.md).
    const { p50, p90 } = report.overall.firstResponseSeconds;
    expect(Math.abs(p50 - 630)).toBeLessThanOrEqual(0.05 * 630 + 0.5);
    expect(Math.abs(p90 - 654)).toBeLessThanOrEqual(0.05 * 654 + 0.5);
    expect(report.byChannel.map((c: { channel: { key: string } }) => c.channel.key)).toEqual(["webchat"]);
    expect(report.byWeek.map((w: { week: string }) => w.week)).toEqual(["2026-W10"]);
  });
});
