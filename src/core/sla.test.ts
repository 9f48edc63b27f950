import { describe, expect, it } from "vitest";
import {
  conversationSlaState,
  DEFAULT_POLICY,
  highestUrgency,
  isNear,
  matchPolicy,
  type PlannedTarget,
  planTargets,
  type SlaFacts,
  type SlaPolicy,
  type StoredTarget,
  type TimelineMessage,
  targetChanged,
  targetState,
} from "./sla.ts";

const policy = (overrides: Partial<SlaPolicy>): SlaPolicy => ({
  ...DEFAULT_POLICY,
  id: "p",
  name: "p",
  position: 0,
  ...overrides,
});
const t = (minutes: number) => new Date(Date.UTC(2026, 0, 5, 9, 0) + minutes * 60_000);
const msg = (minutes: number, direction: "in" | "out", human = direction === "out"): TimelineMessage => ({
  at: t(minutes),
  direction,
  human,
});
const facts = (overrides: Partial<SlaFacts> = {}): SlaFacts => ({
  status: "open",
  firstInboundAt: t(0),
  firstHumanResponseAt: null,
  resolvedAt: null,
  slaPausedAt: null,
  ...overrides,
});
/** What the store would hold after saving a plan. */
const store = (targets: PlannedTarget[]): StoredTarget[] =>
  targets.map((p, i) => ({ ...p, id: p.id ?? i + 1 }));

describe("policy matching", () => {
  const email = policy({ id: "email", channelId: "c-email", position: 2 });
  const complaints = policy({ id: "complaints", intent: "complaint", position: 1 });
  const urgent = policy({ id: "urgent", urgency: "high", position: 0, enabled: true });
  const disabled = policy({ id: "off", position: -1, enabled: false });
  const all = [email, complaints, urgent, disabled];

  it("takes the first enabled policy by position whose channel, intent and urgency match", () => {
    expect(matchPolicy(all, { channelId: "c-email", intents: [], urgency: "high" }).id).toBe("urgent");
    expect(matchPolicy(all, { channelId: "c-email", intents: ["complaint"], urgency: "normal" }).id).toBe(
      "complaints",
    );
    expect(matchPolicy(all, { channelId: "c-email", intents: ["question"], urgency: null }).id).toBe("email");
  });

  it("falls back to the built-in default", () => {
    expect(matchPolicy(all, { channelId: "c-x", intents: ["praise"], urgency: "low" })).toBe(DEFAULT_POLICY);
    expect(DEFAULT_POLICY).toMatchObject({
      firstResponseMinutes: 60,
      nextResponseMinutes: 240,
      resolutionMinutes: 1440,
      businessHours: null,
    });
  });

  it("reads a conversation's urgency as its highest", () => {
    expect(highestUrgency(["low", null, "high", "normal"])).toBe("high");
    expect(highestUrgency([null, undefined])).toBeNull();
  });
});

describe("planTargets", () => {
  const p = policy({ firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 600 });
  const now = t(1000);

  it("keeps a first response, one next response per later wait, and a resolution clock", () => {
    const timeline = [
      msg(0, "in"),
      msg(45, "out"),
      msg(100, "in"),
      msg(105, "in"),
      msg(150, "out"),
      msg(200, "in"),
    ];
    const plan = planTargets({
      facts: facts({ firstHumanResponseAt: t(45) }),
      timeline,
      policy: p,
      existing: [],
      now,
    });
    const view = plan.targets.map((x) => [x.kind, x.startedAt, x.dueAt, x.metAt]);
    expect(view).toEqual([
      ["resolution", t(0), t(600), null],
      ["first_response", t(0), t(60), t(45)],
      ["next_response", t(100), t(130), t(150)],
      ["next_response", t(200), t(230), null],
    ]);
    expect(plan.slaDueAt).toEqual(t(230));
    expect(plan.nextResponseDueAt).toEqual(t(230));
    expect(plan.firstResponseDueAt).toEqual(t(60));
    expect(plan.policyId).toBe("p");
  });

  it("is idempotent: planning from its own result changes nothing", () => {
    const timeline = [msg(0, "in"), msg(45, "out"), msg(100, "in")];
    const f = facts({ firstHumanResponseAt: t(45) });
    const first = planTargets({ facts: f, timeline, policy: p, existing: [], now });
    const stored = store(first.targets);
    const again = planTargets({ facts: f, timeline, policy: p, existing: stored, now });
    expect(again.targets.every((x) => x.id !== undefined)).toBe(true);
    expect(again.targets.filter((x) => targetChanged(x, stored.find((s) => s.id === x.id)!))).toEqual([]);
  });

  it("has no clocks for spam or before the person wrote", () => {
    expect(
      planTargets({ facts: facts({ status: "spam" }), timeline: [], policy: p, existing: [], now }).targets,
    ).toEqual([]);
    expect(
      planTargets({ facts: facts({ firstInboundAt: null }), timeline: [], policy: p, existing: [], now })
        .slaDueAt,
    ).toBeNull();
  });

  it("pauses while waiting on the customer and pushes the dues out by the paused time on resume", () => {
    const timeline = [msg(0, "in")];
    const running = planTargets({ facts: facts(), timeline, policy: p, existing: [], now: t(10) });
    const paused = planTargets({
      facts: facts({ status: "waiting" }),
      timeline,
      policy: p,
      existing: store(running.targets),
      now: t(20),
      change: { from: "open", to: "waiting", at: t(20) },
    });
    expect(paused.slaPausedAt).toEqual(t(20));
    expect(paused.targets.every((x) => x.pausedAt?.getTime() === t(20).getTime())).toBe(true);
    expect(targetState(paused.targets[1]!, t(500))).toBe("paused");
    const resumed = planTargets({
      facts: facts({ status: "open", slaPausedAt: t(20) }),
      timeline,
      policy: p,
      existing: store(paused.targets),
      now: t(50),
      change: { from: "waiting", to: "open", at: t(50) },
    });
    expect(resumed.slaPausedAt).toBeNull();
    const first = resumed.targets.find((x) => x.kind === "first_response")!;
    expect(first).toMatchObject({ pausedAt: null, pausedMinutes: 30, dueAt: t(90) });
    expect(resumed.slaDueAt).toEqual(t(90));
    expect(resumed.resolutionDueAt).toEqual(t(630));
  });

  it("resumes at the inbound message that reopened a waiting conversation", () => {
    const existing = store(
      planTargets({
        facts: facts({ status: "waiting" }),
        timeline: [msg(0, "in")],
        policy: p,
        existing: [],
        now: t(20),
      }).targets,
    );
    const plan = planTargets({
      facts: facts({ status: "open", slaPausedAt: t(20) }),
      timeline: [msg(0, "in"), msg(80, "in")],
      policy: p,
      existing,
      now,
    });
    expect(plan.targets.find((x) => x.kind === "first_response")!.dueAt).toEqual(t(120));
  });

  it("does not let a pause hide a breach that already happened", () => {
    const existing = store(
      planTargets({
        facts: facts({ status: "waiting" }),
        timeline: [msg(0, "in")],
        policy: p,
        existing: [],
        now: t(90),
      }).targets,
    );
    const first = existing.find((x) => x.kind === "first_response")!;
    expect(targetState(first, t(95))).toBe("breached");
    const plan = planTargets({
      facts: facts({ slaPausedAt: t(90) }),
      timeline: [msg(0, "in")],
      policy: p,
      existing,
      now: t(200),
      change: { from: "waiting", to: "open", at: t(200) },
    });
    expect(plan.targets.find((x) => x.kind === "first_response")!.dueAt).toEqual(t(60));
  });

  it("meets the resolution clock on resolve and starts a new one on reopen", () => {
    const timeline = [msg(0, "in"), msg(10, "out")];
    const f = facts({ firstHumanResponseAt: t(10) });
    const resolved = planTargets({
      facts: { ...f, status: "resolved" },
      timeline,
      policy: p,
      existing: [],
      now: t(700),
      change: { from: "open", to: "resolved", at: t(700) },
    });
    const res1 = resolved.targets.filter((x) => x.kind === "resolution");
    expect(res1.map((x) => [x.startedAt, x.metAt])).toEqual([[t(0), t(700)]]);
    expect(targetState(res1[0]!, now)).toBe("breached");
    expect(resolved.slaDueAt).toBeNull();

    const reopened = planTargets({
      facts: { ...f, status: "open", resolvedAt: t(700) },
      timeline: [...timeline, msg(800, "in")],
      policy: p,
      existing: store(resolved.targets),
      now: t(900),
    });
    expect(
      reopened.targets.filter((x) => x.kind === "resolution").map((x) => [x.startedAt, x.metAt]),
    ).toEqual([
      [t(0), t(700)],
      [t(800), null],
    ]);
    expect(reopened.resolutionDueAt).toEqual(t(1400));
    expect(reopened.slaDueAt).toEqual(t(830));
  });

  it("ends a pending reply clock when the conversation is resolved without a reply", () => {
    const plan = planTargets({
      facts: facts({ status: "resolved", resolvedAt: t(30) }),
      timeline: [msg(0, "in")],
      policy: p,
      existing: [],
      now,
    });
    expect(plan.targets.find((x) => x.kind === "first_response")!.metAt).toEqual(t(30));
    expect(plan.slaDueAt).toBeNull();
  });

  it("keeps a met target's due time when the policy changes later", () => {
    const f = facts({ firstHumanResponseAt: t(45) });
    const timeline = [msg(0, "in"), msg(45, "out"), msg(100, "in")];
    const before = store(planTargets({ facts: f, timeline, policy: p, existing: [], now }).targets);
    const strict = policy({
      id: "strict",
      firstResponseMinutes: 15,
      nextResponseMinutes: 10,
      resolutionMinutes: 600,
    });
    const after = planTargets({ facts: f, timeline, policy: strict, existing: before, now });
    const first = after.targets.find((x) => x.kind === "first_response")!;
    expect([first.dueAt, first.policyId]).toEqual([t(60), "p"]);
    const next = after.targets.find((x) => x.kind === "next_response")!;
    expect([next.dueAt, next.policyId]).toEqual([t(110), "strict"]);
  });

  it("counts business hours from the policy's schedule", () => {
    const office = policy({
      firstResponseMinutes: 60,
      businessHours: { timezone: "UTC", schedule: { mon: [["09:00", "10:00"]] }, holidays: [] },
    });
    // Monday 2026-01-05 09:30 + 60 business minutes: 30 on Monday, 30 the next Monday.
    const plan = planTargets({
      facts: facts({ firstInboundAt: t(30) }),
      timeline: [msg(30, "in")],
      policy: office,
      existing: [],
      now,
    });
    expect(plan.firstResponseDueAt).toEqual(new Date("2026-01-12T09:30:00Z"));
  });
});

describe("states", () => {
  it("is near when less than max(20% of the span, 15 minutes) remains", () => {
    expect(isNear(t(0), t(60), t(44))).toBe(false);
    expect(isNear(t(0), t(60), t(46))).toBe(true);
    expect(isNear(t(0), t(1000), t(790))).toBe(false);
    expect(isNear(t(0), t(1000), t(810))).toBe(true);
    expect(isNear(t(0), t(60), t(61))).toBe(false);
  });

  it("reads a conversation's state from its columns", () => {
    const base = {
      status: "open" as const,
      firstInboundAt: t(0),
      waitingSince: t(0),
      firstResponseDueAt: t(60),
      resolutionDueAt: t(1440),
      slaDueAt: t(60),
      slaPausedAt: null,
      resolvedAt: null,
    };
    expect(conversationSlaState(base, t(10))).toBe("ok");
    expect(conversationSlaState(base, t(50))).toBe("near");
    expect(conversationSlaState(base, t(61))).toBe("breached");
    expect(conversationSlaState({ ...base, slaPausedAt: t(30) }, t(100))).toBe("paused");
    expect(
      conversationSlaState({ ...base, status: "resolved", slaDueAt: null, resolvedAt: t(100) }, t(2000)),
    ).toBe("met");
    expect(conversationSlaState({ ...base, firstResponseDueAt: null }, t(10))).toBeNull();
  });
});
