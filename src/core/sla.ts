/**
 * SLA rules, pure: which policy applies to a conversation, which clocks (targets) ran on it, when each is
 * due, and whether a clock is met, breached, near its breach, running or paused. The store keeps the
 * targets; this module decides what they must be, so recomputing from the same facts changes nothing.
 */
import { addBusinessMinutes, type BusinessHoursSchedule, businessMinutesBetween } from "./business-hours.ts";

export type SlaKind = "first_response" | "next_response" | "resolution";
export type ConversationStatus = "open" | "waiting" | "resolved" | "spam";
export type SlaState = "ok" | "near" | "breached" | "met" | "paused";

export interface SlaPolicy {
  /** Null for the built-in default policy. */
  id: string | null;
  name: string;
  channelId: string | null;
  intent: string | null;
  urgency: string | null;
  firstResponseMinutes: number;
  nextResponseMinutes: number | null;
  resolutionMinutes: number | null;
  /** Null: the clock runs around the clock. */
  businessHours: BusinessHoursSchedule | null;
  position: number;
  enabled: boolean;
}

/**
 * Applies when no configured policy matches: a human answers within an hour, every later reply within
 * four hours, and the conversation is resolved within a day, around the clock.
 */
export const DEFAULT_POLICY: SlaPolicy = {
  id: null,
  name: "Default",
  channelId: null,
  intent: null,
  urgency: null,
  firstResponseMinutes: 60,
  nextResponseMinutes: 240,
  resolutionMinutes: 1440,
  businessHours: null,
  position: Number.MAX_SAFE_INTEGER,
  enabled: true,
};

/** A clock is near its breach when less than this share of its span remains… */
export const NEAR_FRACTION = 0.2;
/** …or less than this many minutes, whichever is larger. */
export const NEAR_MIN_MINUTES = 15;

const URGENCY_RANK: Record<string, number> = { low: 0, normal: 1, high: 2 };

/** A conversation's urgency: the highest urgency among its inbound messages. */
export function highestUrgency(urgencies: Iterable<string | null | undefined>): string | null {
  let best: string | null = null;
  for (const u of urgencies) {
    if (u == null || !(u in URGENCY_RANK)) continue;
    if (best === null || URGENCY_RANK[u]! > URGENCY_RANK[best]!) best = u;
  }
  return best;
}

export interface PolicySubject {
  channelId: string;
  /** Every intent of the conversation's inbound messages. */
  intents: readonly string[];
  urgency: string | null;
}

/** The first enabled policy by position whose channel, intent and urgency match (null = any); else the default. */
export function matchPolicy(policies: readonly SlaPolicy[], subject: PolicySubject): SlaPolicy {
  const ordered = [...policies].sort((a, b) => a.position - b.position);
  return (
    ordered.find(
      (p) =>
        p.enabled &&
        (p.channelId === null || p.channelId === subject.channelId) &&
        (p.intent === null || subject.intents.includes(p.intent)) &&
        (p.urgency === null || p.urgency === subject.urgency),
    ) ?? DEFAULT_POLICY
  );
}

/** A non-note message, in time order. */
export interface TimelineMessage {
  at: Date;
  direction: "in" | "out";
  /** Written by an agent (counts as a human response). */
  human: boolean;
}

export interface StoredTarget {
  id: number;
  kind: SlaKind;
  policyId: string | null;
  startedAt: Date;
  dueAt: Date;
  metAt: Date | null;
  pausedAt: Date | null;
  /** Business minutes this clock spent paused (already added to its due time). */
  pausedMinutes: number;
}

export interface PlannedTarget {
  /** The stored row this plan updates; absent for a new target. */
  id?: number;
  kind: SlaKind;
  policyId: string | null;
  startedAt: Date;
  dueAt: Date;
  metAt: Date | null;
  pausedAt: Date | null;
  pausedMinutes: number;
}

export interface SlaFacts {
  status: ConversationStatus;
  firstInboundAt: Date | null;
  firstHumanResponseAt: Date | null;
  resolvedAt: Date | null;
  slaPausedAt: Date | null;
}

/** A status change being applied now (from the lifecycle), and when it happened. */
export interface StatusChange {
  from: ConversationStatus;
  to: ConversationStatus;
  at: Date;
}

export interface SlaPlan {
  targets: PlannedTarget[];
  policyId: string | null;
  slaPausedAt: Date | null;
  firstResponseDueAt: Date | null;
  nextResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  /** The due time of the reply the person is waiting for (null when no reply is awaited). */
  slaDueAt: Date | null;
}

const EMPTY_PLAN: SlaPlan = {
  targets: [],
  policyId: null,
  slaPausedAt: null,
  firstResponseDueAt: null,
  nextResponseDueAt: null,
  resolutionDueAt: null,
  slaDueAt: null,
};

const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);
const later = (a: Date, b: Date) => (a.getTime() >= b.getTime() ? a : b);

function minutesFor(policy: SlaPolicy, kind: SlaKind): number | null {
  if (kind === "first_response") return policy.firstResponseMinutes;
  if (kind === "next_response") return policy.nextResponseMinutes;
  return policy.resolutionMinutes;
}

/** The hours a stored target's clock used: its policy's when still known, else the current policy's. */
export type HoursOf = (policyId: string | null) => BusinessHoursSchedule | null;

/**
 * Every SLA target a conversation must have, from its messages, its status and the targets stored so far
 * (which carry what messages cannot tell: pauses and resolution episodes). Deterministic: planning again
 * from the result yields the same targets.
 */
export function planTargets(input: {
  facts: SlaFacts;
  timeline: readonly TimelineMessage[];
  policy: SlaPolicy;
  existing: readonly StoredTarget[];
  now: Date;
  hoursOf?: HoursOf;
  change?: StatusChange;
}): SlaPlan {
  const { facts, timeline, policy, now, change } = input;
  const firstIn = facts.firstInboundAt;
  if (facts.status === "spam" || firstIn === null) return EMPTY_PLAN;
  const hoursOf: HoursOf = input.hoursOf ?? (() => policy.businessHours);
  const existing = input.existing.map((t) => ({ ...t }));

  // 1. Resume paused clocks when the conversation no longer waits on the customer: at the status change,
  //    else at the first inbound message since the pause (the one that reopened it), else now.
  let pausedAt = facts.slaPausedAt;
  if (pausedAt && facts.status !== "waiting") {
    const since = pausedAt.getTime();
    const resumeAt =
      change?.from === "waiting"
        ? change.at
        : (timeline.find((m) => m.direction === "in" && m.at.getTime() >= since)?.at ?? now);
    for (const t of existing) {
      if (t.pausedAt === null || t.metAt !== null) continue;
      // A clock already breached when paused stays breached: pausing must not hide a breach.
      if (t.dueAt.getTime() > t.pausedAt.getTime() && resumeAt.getTime() > t.pausedAt.getTime()) {
        t.pausedMinutes += Math.round(businessMinutesBetween(t.pausedAt, resumeAt, hoursOf(t.policyId)));
      }
      t.pausedAt = null;
    }
    pausedAt = null;
  }
  if (facts.status === "waiting" && pausedAt === null) pausedAt = change?.at ?? now;
  for (const t of existing) if (t.metAt !== null) t.pausedAt = null;

  const targets: PlannedTarget[] = [];
  const due = (
    kind: SlaKind,
    startedAt: Date,
    paused: number,
    stored?: StoredTarget,
    metAt?: Date | null,
  ) => {
    // A target met before this plan keeps the due time it had: later policy edits do not rewrite history.
    if (stored && stored.metAt !== null && metAt && stored.startedAt.getTime() === startedAt.getTime()) {
      return { dueAt: stored.dueAt, policyId: stored.policyId };
    }
    const minutes = minutesFor(policy, kind)!;
    return {
      dueAt: addBusinessMinutes(startedAt, minutes + paused, policy.businessHours),
      policyId: policy.id,
    };
  };
  const add = (kind: SlaKind, startedAt: Date, metAt: Date | null, stored?: StoredTarget) => {
    const pausedMinutes = stored?.pausedMinutes ?? 0;
    const { dueAt, policyId } = due(kind, startedAt, pausedMinutes, stored, metAt);
    const paused =
      metAt === null && pausedAt !== null ? (stored?.pausedAt ?? later(pausedAt, startedAt)) : null;
    targets.push({
      ...(stored ? { id: stored.id } : {}),
      kind,
      policyId,
      startedAt,
      dueAt,
      metAt,
      pausedAt: paused,
      pausedMinutes,
    });
  };

  // 2. Resolution episodes: the first starts at the first inbound message; a reopen starts the next.
  const stored = (kind: SlaKind) =>
    existing.filter((t) => t.kind === kind).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  const resolutionEvents: number[] = [];
  if (policy.resolutionMinutes !== null) {
    const episodes: Array<{ start: Date; met: Date | null; stored?: StoredTarget }> = stored(
      "resolution",
    ).map((t) => ({ start: t.startedAt, met: t.metAt, stored: t }));
    if (episodes.length === 0) episodes.push({ start: firstIn, met: null });
    episodes[0]!.start = firstIn;
    const last = episodes[episodes.length - 1]!;
    if (last.met === null && facts.status === "resolved") {
      const at = change?.to === "resolved" ? change.at : (facts.resolvedAt ?? now);
      last.met = later(at, last.start);
    } else if (last.met !== null && facts.status !== "resolved") {
      const met = last.met.getTime();
      const reopenAt =
        change?.from === "resolved"
          ? change.at
          : (timeline.find((m) => m.direction === "in" && m.at.getTime() > met)?.at ?? now);
      episodes.push({ start: later(reopenAt, last.met), met: null });
    }
    for (const e of episodes) {
      add("resolution", e.start, e.met, e.stored);
      if (e.met) resolutionEvents.push(e.met.getTime());
    }
    resolutionEvents.sort((a, b) => a - b);
  }
  const resolvedBetween = (from: number, to: number) => resolutionEvents.find((r) => r >= from && r <= to);

  // 3. First response: from the first inbound message to the first human reply (or a resolution).
  const firstInMs = firstIn.getTime();
  const human = ms(facts.firstHumanResponseAt);
  const firstMet = Math.min(
    human !== null && human >= firstInMs ? human : Number.POSITIVE_INFINITY,
    resolvedBetween(firstInMs, Number.POSITIVE_INFINITY) ?? Number.POSITIVE_INFINITY,
  );
  const answeredAt = Number.isFinite(firstMet) ? new Date(firstMet) : null;
  add("first_response", firstIn, answeredAt, stored("first_response")[0]);

  // 4. Next responses: each later wait, from the first inbound message after a reply to our next reply.
  if (policy.nextResponseMinutes !== null && answeredAt !== null) {
    const byStart = new Map(stored("next_response").map((t) => [t.startedAt.getTime(), t]));
    let waiting: number | null = null;
    const close = (at: number | null) => {
      if (waiting === null) return;
      add("next_response", new Date(waiting), at === null ? null : new Date(at), byStart.get(waiting));
      waiting = null;
    };
    for (const m of timeline) {
      const at = m.at.getTime();
      if (waiting !== null) {
        const resolved = resolvedBetween(waiting, at);
        if (resolved !== undefined) close(resolved);
      }
      if (m.direction === "in" && waiting === null && at > firstMet) waiting = at;
      else if (m.direction === "out" && waiting !== null) close(at);
    }
    if (waiting !== null) close(resolvedBetween(waiting, Number.POSITIVE_INFINITY) ?? null);
  }

  const latest = (kind: SlaKind) => targets.filter((t) => t.kind === kind).at(-1) ?? null;
  const first = latest("first_response")!;
  const next = latest("next_response");
  const open = facts.status === "open" || facts.status === "waiting";
  const awaited = first.metAt === null ? first : next && next.metAt === null ? next : null;
  return {
    targets,
    policyId: policy.id,
    slaPausedAt: pausedAt,
    firstResponseDueAt: first.dueAt,
    nextResponseDueAt: next?.dueAt ?? null,
    resolutionDueAt: latest("resolution")?.dueAt ?? null,
    slaDueAt: open && awaited ? awaited.dueAt : null,
  };
}

/** Whether a planned target differs from the stored row it updates. */
export function targetChanged(plan: PlannedTarget, row: StoredTarget): boolean {
  return (
    plan.kind !== row.kind ||
    plan.policyId !== row.policyId ||
    plan.startedAt.getTime() !== row.startedAt.getTime() ||
    plan.dueAt.getTime() !== row.dueAt.getTime() ||
    ms(plan.metAt) !== ms(row.metAt) ||
    ms(plan.pausedAt) !== ms(row.pausedAt) ||
    plan.pausedMinutes !== row.pausedMinutes
  );
}

/** True when less than max(20% of the span, 15 min) remains before `dueAt`. */
export function isNear(startedAt: Date, dueAt: Date, now: Date): boolean {
  const span = dueAt.getTime() - startedAt.getTime();
  const remaining = dueAt.getTime() - now.getTime();
  return remaining > 0 && remaining < Math.max(NEAR_FRACTION * span, NEAR_MIN_MINUTES * 60_000);
}

/** One clock's state at `now`. */
export function targetState(
  t: { startedAt: Date; dueAt: Date; metAt: Date | null; pausedAt: Date | null },
  now: Date,
): SlaState {
  if (t.metAt) return t.metAt.getTime() <= t.dueAt.getTime() ? "met" : "breached";
  // A paused clock stopped at its pause: it breached only if the pause came after the due time.
  const clock = t.pausedAt ?? now;
  if (t.dueAt.getTime() <= clock.getTime()) return "breached";
  if (t.pausedAt) return "paused";
  return isNear(t.startedAt, t.dueAt, now) ? "near" : "ok";
}

export interface ConversationSlaColumns {
  status: ConversationStatus;
  firstInboundAt: Date | null;
  waitingSince: Date | null;
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  slaDueAt: Date | null;
  slaPausedAt: Date | null;
  resolvedAt: Date | null;
}

/**
 * A conversation's SLA state from its own columns (no target rows): the worst of the clocks running now
 * (the awaited reply, the resolution); "met" when none runs and the resolution was on time; null when
 * no SLA applies.
 */
export function conversationSlaState(c: ConversationSlaColumns, now: Date): SlaState | null {
  if (c.status === "spam" || c.firstResponseDueAt === null || c.firstInboundAt === null) return null;
  if (c.slaPausedAt) {
    const overdue = [c.slaDueAt, c.status === "resolved" ? null : c.resolutionDueAt].some(
      (d) => d !== null && d.getTime() <= c.slaPausedAt!.getTime(),
    );
    return overdue ? "breached" : "paused";
  }
  const running: Array<{ startedAt: Date; dueAt: Date }> = [];
  if (c.slaDueAt) running.push({ startedAt: c.waitingSince ?? c.firstInboundAt, dueAt: c.slaDueAt });
  if (c.status !== "resolved" && c.resolutionDueAt) {
    running.push({ startedAt: c.firstInboundAt, dueAt: c.resolutionDueAt });
  }
  if (running.length > 0) {
    const states = running.map((r) => targetState({ ...r, metAt: null, pausedAt: null }, now));
    return states.includes("breached") ? "breached" : states.includes("near") ? "near" : "ok";
  }
  if (c.resolvedAt && c.resolutionDueAt && c.resolvedAt.getTime() > c.resolutionDueAt.getTime()) {
    return "breached";
  }
  return "met";
}
