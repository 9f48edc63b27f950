import { eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { buildChannel, buildConversation, buildMessage } from "../../test/helpers/factories.ts";
import { agentWithToken, testApp } from "../../test/helpers/server.ts";
import { slaReport } from "../services/reports/sla.report.ts";
import { SlaService } from "../services/sla.service.ts";
import { IngestRepository } from "../store/ingest.repository.ts";
import { agents, slaPolicies, slaTargets } from "../store/schema.ts";

const t = (minutes: number) => new Date(Date.UTC(2026, 0, 5, 9, 0) + minutes * 60_000);

describeEachEngine("SLA API and report", (ctx) => {
  let app: FastifyInstance;
  let admin: Record<string, string>;
  let agent: Record<string, string>;
  let channelA: { id: string; key: string };
  let channelB: { id: string; key: string };
  let policyId: string;

  const call = (
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    headers = admin,
    payload?: unknown,
  ) => app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  beforeAll(async () => {
    const db = ctx.database.db;
    app = await testApp(ctx.database);
    const signedAdmin = await agentWithToken(ctx.database, "ada@example.com");
    await db.update(agents).set({ role: "admin" }).where(eq(agents.id, signedAdmin.agent.id));
    admin = signedAdmin.headers;
    agent = (await agentWithToken(ctx.database, "bo@example.com")).headers;
    channelA = await buildChannel(db, { key: "sla-a", name: "A" });
    channelB = await buildChannel(db, { key: "sla-b", name: "B" });
    const [policy] = await db
      .insert(slaPolicies)
      .values({ name: "Gold", channelId: channelA.id, firstResponseMinutes: 60 })
      .returning();
    policyId = policy!.id;

    // A known set of clocks, judged at t(1000).
    const a = await buildConversation(db, { channelId: channelA.id });
    const b = await buildConversation(db, { channelId: channelB.id });
    const target = (
      conversationId: string,
      channelId: string,
      policy: string | null,
      kind: "first_response" | "next_response" | "resolution",
      start: number,
      due: number,
      extra: { met?: number; paused?: number } = {},
    ) => ({
      conversationId,
      channelId,
      policyId: policy,
      kind,
      startedAt: t(start),
      dueAt: t(due),
      metAt: extra.met === undefined ? null : t(extra.met),
      pausedAt: extra.paused === undefined ? null : t(extra.paused),
    });
    await db.insert(slaTargets).values([
      target(a.id, channelA.id, policyId, "first_response", 0, 60, { met: 30 }), // met
      target(a.id, channelA.id, policyId, "first_response", 0, 60, { met: 90 }), // breached (late)
      target(a.id, channelA.id, policyId, "next_response", 900, 1100), // running
      target(a.id, channelA.id, policyId, "resolution", 0, 1010), // running, near
      target(b.id, channelB.id, null, "first_response", 0, 500), // breached (overdue)
      target(b.id, channelB.id, null, "resolution", 0, 2000, { paused: 800 }), // running, paused
      target(b.id, channelB.id, null, "resolution", 0, 700, { paused: 800 }), // breached before the pause
      target(b.id, channelB.id, null, "first_response", -5000, -4000, { met: -4100 }), // met, long ago
    ]);
  });

  afterAll(async () => {
    await app?.close();
  });

  describe("report", () => {
    it("counts met, breached, near, paused and running by policy, channel and kind", async () => {
      const report = await slaReport(ctx.database, { from: t(-100), now: t(1000) });
      expect(report.totals).toEqual({ met: 1, breached: 3, running: 3, near: 1, paused: 1, metRate: 0.25 });
      const byChannel = Object.fromEntries(
        report.byChannel.map(({ key, channelId: _, name: __, ...c }) => [key, c]),
      );
      expect(byChannel).toEqual({
        "sla-a": { met: 1, breached: 1, running: 2, near: 1, paused: 0, metRate: 0.5 },
        "sla-b": { met: 0, breached: 2, running: 1, near: 0, paused: 1, metRate: 0 },
      });
      expect(report.byPolicy.map((p) => [p.policyId, p.name, p.met, p.breached, p.running])).toEqual([
        [policyId, "Gold", 1, 1, 2],
        [null, "Default", 0, 2, 1],
      ]);
      expect(
        report.byKind.map((k) => [k.kind, k.met, k.breached, k.running, k.near, k.paused, k.metRate]),
      ).toEqual([
        ["first_response", 1, 2, 0, 0, 0, 0.3333],
        ["next_response", 0, 0, 1, 0, 0, null],
        ["resolution", 0, 1, 2, 1, 1, 0],
      ]);
    });

    it("filters by time window and channel", async () => {
      const all = await slaReport(ctx.database, { now: t(1000) });
      expect(all.totals.met).toBe(2);
      const b = await slaReport(ctx.database, { channel: "sla-b", to: t(0), now: t(1000) });
      expect(b.channel?.key).toBe("sla-b");
      expect(b.totals).toMatchObject({ met: 1, breached: 0, running: 0 });
    });

    it("answers over HTTP for any agent", async () => {
      const response = await call("GET", `/api/reports/sla?channel=${channelA.id}&from=2026-01-01`, agent);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().totals.met).toBe(1);
      expect((await call("GET", "/api/reports/sla?channel=nope", agent)).statusCode).toBe(404);
      expect((await call("GET", "/api/reports/sla?from=2026-02-01&to=2026-01-01", agent)).statusCode).toBe(
        400,
      );
      expect((await call("GET", "/api/reports/sla?from=yesterday", agent)).statusCode).toBe(400);
      // Year 0000 is a valid ISO date PostgreSQL has no instant for: read as its first one.
      const always = await call("GET", `/api/reports/sla?channel=${channelA.id}&from=0000-01-01`, agent);
      expect(always.statusCode, always.body).toBe(200);
      expect(always.json().totals.met).toBe(1);
    });
  });

  describe("configuration", () => {
    const week = { mon: [["09:00", "17:00"]], fri: [["09:00", "12:00"]] };

    it("is for admins only", async () => {
      expect((await call("GET", "/api/sla/policies", agent)).statusCode).toBe(403);
      expect((await call("POST", "/api/sla/business-hours", agent, { name: "x" })).statusCode).toBe(403);
      expect((await call("GET", "/api/sla/policies", {})).statusCode).toBe(401);
    });

    it("creates, changes and deletes business hours, rejecting bad schedules", async () => {
      const created = await call("POST", "/api/sla/business-hours", admin, {
        name: "Berlin office",
        timezone: "Europe/Berlin",
        schedule: week,
        holidays: ["2026-12-25"],
      });
      expect(created.statusCode, created.body).toBe(201);
      const id = created.json().id as string;
      const bad = async (body: object) =>
        (
          await call("POST", "/api/sla/business-hours", admin, {
            name: "Bad",
            timezone: "UTC",
            schedule: week,
            ...body,
          })
        ).statusCode;
      expect(await bad({ timezone: "Mars/Base" })).toBe(400);
      expect(await bad({ schedule: { mon: [["17:00", "09:00"]] } })).toBe(400);
      expect(await bad({ schedule: { mon: [["9:00", "17:00"]] } })).toBe(400);
      expect(await bad({ schedule: { monday: [["09:00", "17:00"]] } })).toBe(400);
      expect(await bad({ schedule: {} })).toBe(400);
      expect(await bad({ holidays: ["2026-02-30"] })).toBe(400);
      expect(await bad({ name: "Berlin office" })).toBe(409);

      const patched = await call("PATCH", `/api/sla/business-hours/${id}`, admin, {
        holidays: ["2026-12-24"],
      });
      expect(patched.json()).toMatchObject({ holidays: ["2026-12-24"], timezone: "Europe/Berlin" });
      expect((await call("PATCH", `/api/sla/business-hours/${id}`, admin, {})).json().error.message).toBe(
        "body: nothing to change",
      );
      const list = await call("GET", "/api/sla/business-hours");
      expect(list.json().items.map((h: { name: string }) => h.name)).toContain("Berlin office");
      expect((await call("DELETE", `/api/sla/business-hours/${id}`)).statusCode).toBe(204);
      expect((await call("GET", `/api/sla/business-hours/${id}`)).statusCode).toBe(404);
    });

    it("creates, changes and deletes policies, rejecting bad references and minutes", async () => {
      const hours = (
        await call("POST", "/api/sla/business-hours", admin, {
          name: "NY",
          timezone: "America/New_York",
          schedule: week,
        })
      ).json();
      const created = await call("POST", "/api/sla/policies", admin, {
        name: "Urgent email",
        channelId: channelB.id,
        urgency: "high",
        firstResponseMinutes: 30,
        resolutionMinutes: 480,
        businessHoursId: hours.id,
        position: 5,
      });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toMatchObject({ nextResponseMinutes: null, enabled: true, intent: null });
      const id = created.json().id as string;
      const post = async (body: object) =>
        (await call("POST", "/api/sla/policies", admin, { name: "X", firstResponseMinutes: 10, ...body }))
          .statusCode;
      expect(await post({ firstResponseMinutes: 0 })).toBe(400);
      expect(await post({ firstResponseMinutes: 1.5 })).toBe(400);
      expect(await post({ urgency: "extreme" })).toBe(400);
      expect(await post({ businessHoursId: "00000000-0000-4000-8000-000000000000" })).toBe(400);
      expect(await post({ channelId: "00000000-0000-4000-8000-000000000000" })).toBe(400);

      const patched = await call("PATCH", `/api/sla/policies/${id}`, admin, {
        enabled: false,
        intent: "complaint",
      });
      expect(patched.json()).toMatchObject({ enabled: false, intent: "complaint", firstResponseMinutes: 30 });
      expect((await call("PATCH", `/api/sla/policies/${id}`, admin, { bogus: 1 })).statusCode).toBe(400);
      const empty = await call("PATCH", `/api/sla/policies/${id}`, admin, {});
      expect(empty.statusCode).toBe(400);
      expect(empty.json().error.message).toBe("body: nothing to change");
      expect(
        (await call("GET", "/api/sla/policies")).json().items.map((p: { id: string }) => p.id),
      ).toContain(id);
      expect((await call("DELETE", `/api/sla/policies/${id}`)).statusCode).toBe(204);
      expect((await call("DELETE", `/api/sla/policies/${id}`)).statusCode).toBe(404);
    });
  });

  it("shows a conversation's SLA state in the inbox", async () => {
    const db = ctx.database.db;
    const c = await buildConversation(db, { channelId: channelA.id });
    const now = new Date();
    await buildMessage(db, {
      conversationId: c.id,
      channelId: channelA.id,
      createdAt: new Date(now.getTime() - 50 * 60_000),
    });
    await db.transaction(async (tx) => {
      await new IngestRepository(ctx.database).refreshConversations(tx, [c.id], []);
      await new SlaService(ctx.database).apply(tx, [c.id]);
    });
    const detail = await call("GET", `/api/conversations/${c.id}`, agent);
    expect(detail.statusCode, detail.body).toBe(200);
    expect(detail.json().sla).toMatchObject({ policyId, state: "near" });
    const list = await call("GET", "/api/conversations?channel=sla-a", agent);
    expect(list.json().items.find((i: { id: string }) => i.id === c.id).sla.dueAt).toBe(
      detail.json().sla.dueAt,
    );
  });
});
