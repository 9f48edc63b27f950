import { asc, eq, inArray } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { buildAgent, buildChannel, buildConversation, buildMessage } from "../../test/helpers/factories.ts";
import { IngestRepository } from "../store/ingest.repository.ts";
import { businessHours, conversations, slaPolicies, slaTargets } from "../store/schema.ts";
import { SlaService } from "./sla.service.ts";

const t = (minutes: number) => new Date(Date.UTC(2026, 0, 5, 9, 0) + minutes * 60_000);

describeEachEngine("SlaService", (ctx) => {
  let clock = t(0);
  let sla: SlaService;
  let channelId: string;
  let otherChannelId: string;
  let agentId: string;
  let emailPolicyId: string;
  let complaintPolicyId: string;

  /** A conversation with messages [minutes, direction, extra], its timeline refreshed, then SLA applied. */
  const converse = async (
    messages: Array<[number, "in" | "out", { intent?: string[]; urgency?: "low" | "normal" | "high" }?]>,
    channel = channelId,
  ) => {
    const db = ctx.database.db;
    const conversation = await buildConversation(db, { channelId: channel });
    await addMessages(conversation.id, messages, channel);
    return conversation.id;
  };
  const addMessages = async (
    conversationId: string,
    messages: Array<[number, "in" | "out", { intent?: string[]; urgency?: "low" | "normal" | "high" }?]>,
    channel = channelId,
  ) => {
    const db = ctx.database.db;
    for (const [minutes, direction, extra] of messages) {
      await buildMessage(db, {
        conversationId,
        channelId: channel,
        direction,
        createdAt: t(minutes),
        authorAgentId: direction === "out" ? agentId : null,
        ...extra,
      });
    }
    await db.transaction((tx) =>
      new IngestRepository(ctx.database).refreshConversations(tx, [conversationId], [conversationId]),
    );
  };
  const apply = (ids: string[]) => ctx.database.db.transaction((tx) => sla.apply(tx, ids));
  const targetsOf = (id: string) =>
    ctx.database.db
      .select()
      .from(slaTargets)
      .where(eq(slaTargets.conversationId, id))
      .orderBy(asc(slaTargets.kind), asc(slaTargets.startedAt));
  const conversationOf = async (id: string) =>
    (await ctx.database.db.select().from(conversations).where(eq(conversations.id, id)))[0]!;

  beforeAll(async () => {
    const db = ctx.database.db;
    sla = new SlaService(ctx.database, { now: () => clock });
    channelId = (await buildChannel(db, { kind: "email" })).id;
    otherChannelId = (await buildChannel(db)).id;
    agentId = (await buildAgent(db)).id;
    const [hours] = await db
      .insert(businessHours)
      .values({ name: "office", timezone: "UTC", schedule: { mon: [["09:00", "17:00"]] }, holidays: [] })
      .returning();
    const [complaint] = await db
      .insert(slaPolicies)
      .values({
        name: "Complaints",
        intent: "complaint",
        firstResponseMinutes: 15,
        nextResponseMinutes: 15,
        resolutionMinutes: 120,
        position: 0,
      })
      .returning();
    complaintPolicyId = complaint!.id;
    const [email] = await db
      .insert(slaPolicies)
      .values({
        name: "Email",
        channelId,
        firstResponseMinutes: 120,
        nextResponseMinutes: 60,
        resolutionMinutes: 480,
        businessHoursId: hours!.id,
        position: 1,
      })
      .returning();
    emailPolicyId = email!.id;
  });

  it("keeps first response, next response and resolution targets and writes dues back", async () => {
    clock = t(200);
    const id = await converse([
      [0, "in"],
      [30, "out"],
      [100, "in"],
    ]);
    await apply([id]);
    const targets = await targetsOf(id);
    expect(targets.map((x) => [x.kind, x.startedAt, x.dueAt, x.metAt, x.policyId])).toEqual([
      ["first_response", t(0), t(120), t(30), emailPolicyId],
      ["next_response", t(100), t(160), null, emailPolicyId],
      ["resolution", t(0), t(480), null, emailPolicyId],
    ]);
    const c = await conversationOf(id);
    expect(c).toMatchObject({
      slaPolicyId: emailPolicyId,
      firstResponseDueAt: t(120),
      nextResponseDueAt: t(160),
      resolutionDueAt: t(480),
      slaDueAt: t(160),
    });
  });

  it("matches by intent before channel, and uses the default policy when nothing matches", async () => {
    const complaint = await converse([[0, "in", { intent: ["complaint", "question"] }]]);
    const other = await converse([[0, "in"]], otherChannelId);
    await apply([complaint, other]);
    expect(await conversationOf(complaint)).toMatchObject({
      slaPolicyId: complaintPolicyId,
      slaDueAt: t(15),
    });
    expect(await conversationOf(other)).toMatchObject({
      slaPolicyId: null,
      slaDueAt: t(60),
      resolutionDueAt: t(1440),
    });
  });

  it("is idempotent", async () => {
    const id = await converse([
      [0, "in"],
      [10, "out"],
      [20, "in"],
      [25, "out"],
      [40, "in"],
    ]);
    await apply([id]);
    const before = { targets: await targetsOf(id), conversation: await conversationOf(id) };
    await apply([id, id]);
    expect({ targets: await targetsOf(id), conversation: await conversationOf(id) }).toEqual(before);
    expect(before.targets).toHaveLength(4);
  });

  it("is right whatever order the messages arrive in", async () => {
    const late = await converse([[100, "in"]]);
    await apply([late]);
    await addMessages(late, [[30, "out"]]);
    await apply([late]);
    await addMessages(late, [[0, "in"]]);
    await apply([late]);
    const fresh = await converse([
      [0, "in"],
      [30, "out"],
      [100, "in"],
    ]);
    await apply([fresh]);
    const shape = async (id: string) =>
      (await targetsOf(id)).map((x) => [x.kind, x.startedAt, x.dueAt, x.metAt, x.pausedMinutes]);
    expect(await shape(late)).toEqual(await shape(fresh));
    const [a, b] = [await conversationOf(late), await conversationOf(fresh)];
    expect([a.slaDueAt, a.firstResponseDueAt, a.resolutionDueAt]).toEqual([
      b.slaDueAt,
      b.firstResponseDueAt,
      b.resolutionDueAt,
    ]);
  });

  it("pauses while waiting on the customer and resumes with the dues pushed out", async () => {
    const id = await converse([[0, "in"]], otherChannelId);
    await apply([id]);
    const db = ctx.database.db;
    await db.transaction(async (tx) => {
      await tx.update(conversations).set({ status: "waiting" }).where(eq(conversations.id, id));
      await sla.onStatusChange(tx, id, "open", "waiting", t(20));
    });
    expect((await conversationOf(id)).slaPausedAt).toEqual(t(20));
    expect((await targetsOf(id)).every((x) => x.pausedAt?.getTime() === t(20).getTime())).toBe(true);
    // The lifecycle may call before updating the status column: same result.
    await db.transaction(async (tx) => {
      await sla.onStatusChange(tx, id, "waiting", "open", t(50));
      await tx.update(conversations).set({ status: "open" }).where(eq(conversations.id, id));
    });
    const targets = await targetsOf(id);
    expect(targets.map((x) => [x.kind, x.dueAt, x.pausedAt, x.pausedMinutes])).toEqual([
      ["first_response", t(90), null, 30],
      ["resolution", t(1470), null, 30],
    ]);
    expect(await conversationOf(id)).toMatchObject({ slaPausedAt: null, slaDueAt: t(90) });
    await apply([id]);
    expect((await targetsOf(id)).map((x) => x.dueAt)).toEqual([t(90), t(1470)]);
  });

  it("meets the resolution clock on resolve and starts a new one on reopen", async () => {
    const id = await converse(
      [
        [0, "in"],
        [10, "out"],
      ],
      otherChannelId,
    );
    await apply([id]);
    const db = ctx.database.db;
    await db.transaction(async (tx) => {
      await tx
        .update(conversations)
        .set({ status: "resolved", resolvedAt: t(60) })
        .where(eq(conversations.id, id));
      await sla.onStatusChange(tx, id, "open", "resolved", t(60));
    });
    expect((await targetsOf(id)).find((x) => x.kind === "resolution")!.metAt).toEqual(t(60));
    // A new inbound message reopens it (the ingest pipeline sets the status back to open).
    await addMessages(id, [[300, "in"]], otherChannelId);
    expect((await conversationOf(id)).status).toBe("open");
    await apply([id]);
    const resolution = (await targetsOf(id)).filter((x) => x.kind === "resolution");
    expect(resolution.map((x) => [x.startedAt, x.metAt])).toEqual([
      [t(0), t(60)],
      [t(300), null],
    ]);
    expect(await conversationOf(id)).toMatchObject({ slaDueAt: t(540), resolutionDueAt: t(1740) });
  });

  it("removes the clocks of spam", async () => {
    const id = await converse([[0, "in"]]);
    await apply([id]);
    await ctx.database.db.transaction((tx) => sla.onStatusChange(tx, id, "open", "spam", t(5)));
    expect(await targetsOf(id)).toEqual([]);
    expect((await conversationOf(id)).slaDueAt).toBeNull();
  });

  it("handles a batch in a few statements", async () => {
    const db = ctx.database.db;
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await converse([[i, "in"]], otherChannelId));
    const started = performance.now();
    await apply(ids);
    expect(performance.now() - started).toBeLessThan(1500);
    const rows = await db.select().from(slaTargets).where(inArray(slaTargets.conversationId, ids));
    expect(rows).toHaveLength(80);
  });
});
