/**
 * Keeps SLA clocks on conversations: picks each conversation's policy, keeps its targets (first response,
 * next responses, resolution) in step with its messages and status, and writes the due times back on the
 * conversation. Set-based: a batch of conversations costs a handful of statements, and running it twice
 * changes nothing.
 */
import {
  type ConversationStatus,
  highestUrgency,
  matchPolicy,
  type PlannedTarget,
  planTargets,
  type StatusChange,
  type StoredTarget,
  type TimelineMessage,
  targetChanged,
} from "../core/sla.ts";
import type { Database, Db } from "../store/db.ts";
import {
  type SlaConversationFacts,
  type SlaConversationUpdate,
  type SlaRepository,
  slaRepository,
} from "../store/sla.repository.ts";

/** Timeline columns the SLA reads, when the caller computed them but has not written them yet. */
export type TimelineFacts = Pick<SlaConversationFacts, "status" | "firstInboundAt" | "firstHumanResponseAt">;

/** The SLA columns to write (changed conversations only) and every planned conversation's SLA due time. */
export interface SlaPlanResult {
  changed: SlaConversationUpdate[];
  slaDueAt: Map<string, Date | null>;
}

const STATUSES: readonly string[] = ["open", "waiting", "resolved", "spam"];

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

const same = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

export class SlaService {
  private readonly repo: SlaRepository;
  private readonly now: () => Date;

  constructor(database: Database, options: { now?: () => Date } = {}) {
    this.repo = slaRepository(database.db, { copy: database.engine === "postgres" });
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Brings the SLA targets and due columns of these conversations up to date with their messages and
   * status. Call inside the ingest transaction after the conversations' timelines are refreshed.
   */
  async apply(tx: Db, conversationIds: string[]): Promise<void> {
    const { changed } = await this.plan(tx, conversationIds);
    await this.repo.updateConversations(tx, changed);
  }

  /**
   * Like `apply`, but leaves the conversations' SLA columns to the caller: saves the targets and returns
   * the changed columns and every conversation's `sla_due_at`, so one UPDATE can write them together with
   * other derived columns (see ConversationStateService).
   */
  async plan(
    tx: Db,
    conversationIds: string[],
    timeline?: ReadonlyMap<string, TimelineFacts>,
  ): Promise<SlaPlanResult> {
    return this.run(tx, [...new Set(conversationIds)], undefined, timeline);
  }

  /**
   * Records a status change's effect on the clocks: `waiting` pauses them, leaving `waiting` resumes them
   * (due times move out by the paused business time), `resolved` meets the resolution clock and ends a
   * pending reply clock, reopening starts a new resolution clock, `spam` removes them. Works whether the
   * caller updated the status column before or after.
   */
  async onStatusChange(tx: Db, conversationId: string, from: string, to: string, at: Date): Promise<void> {
    if (!STATUSES.includes(from) || !STATUSES.includes(to)) {
      throw new RangeError(`Unknown conversation status: ${from} → ${to}`);
    }
    if (from === to) return;
    const { changed } = await this.run(tx, [conversationId], {
      from: from as ConversationStatus,
      to: to as ConversationStatus,
      at,
    });
    await this.repo.updateConversations(tx, changed);
  }

  private async run(
    tx: Db,
    ids: string[],
    change?: StatusChange,
    timeline?: ReadonlyMap<string, TimelineFacts>,
  ): Promise<SlaPlanResult> {
    const slaDueAt = new Map<string, Date | null>();
    if (ids.length === 0) return { changed: [], slaDueAt };
    const now = this.now();
    // One after another: a transaction is one connection.
    const policies = await this.repo.policies(tx);
    // Timeline columns computed in this transaction but not written yet replace the stored ones.
    const facts = (await this.repo.facts(tx, ids)).map((c) => ({ ...c, ...timeline?.get(c.id) }));
    const timelines = await this.repo.timelines(tx, ids);
    const stored = await this.repo.targets(tx, ids);
    const hoursById = new Map(policies.map((p) => [p.id, p.businessHours]));
    const hoursOf = (policyId: string | null) => (policyId ? (hoursById.get(policyId) ?? null) : null);
    const timelineOf = groupBy(timelines, (r) => r.conversationId);
    const targetsOf = groupBy(stored, (r) => r.conversationId);

    const remove: number[] = [];
    const insert: Array<PlannedTarget & { conversationId: string; channelId: string }> = [];
    const update: Array<PlannedTarget & { id: number }> = [];
    const conversations: SlaConversationUpdate[] = [];

    for (const c of facts) {
      const rows = timelineOf.get(c.id) ?? [];
      const inbound = rows.filter((r) => r.direction === "in");
      const policy = matchPolicy(policies, {
        channelId: c.channelId,
        intents: [...new Set(inbound.flatMap((r) => r.intent ?? []))],
        urgency: highestUrgency(inbound.map((r) => r.urgency)),
      });
      const existing: StoredTarget[] = targetsOf.get(c.id) ?? [];
      const plan = planTargets({
        facts: {
          status: change?.to ?? c.status,
          firstInboundAt: c.firstInboundAt,
          firstHumanResponseAt: c.firstHumanResponseAt,
          resolvedAt: change?.to === "resolved" ? change.at : c.resolvedAt,
          slaPausedAt: c.slaPausedAt,
        },
        timeline: rows.map((r): TimelineMessage => ({ at: r.at, direction: r.direction, human: r.human })),
        policy,
        existing,
        now,
        hoursOf,
        change,
      });

      const byId = new Map(existing.map((t) => [t.id, t]));
      const kept = new Set<number>();
      for (const target of plan.targets) {
        if (target.id === undefined) {
          insert.push({ ...target, conversationId: c.id, channelId: c.channelId });
          continue;
        }
        kept.add(target.id);
        if (targetChanged(target, byId.get(target.id)!)) update.push({ ...target, id: target.id });
      }
      for (const t of existing) if (!kept.has(t.id)) remove.push(t.id);

      const next: SlaConversationUpdate = {
        id: c.id,
        slaPolicyId: plan.policyId,
        slaPausedAt: plan.slaPausedAt,
        firstResponseDueAt: plan.firstResponseDueAt,
        nextResponseDueAt: plan.nextResponseDueAt,
        resolutionDueAt: plan.resolutionDueAt,
        slaDueAt: plan.slaDueAt,
      };
      slaDueAt.set(c.id, next.slaDueAt);
      if (conversationChanged(c, next)) conversations.push(next);
    }

    await this.repo.saveTargets(tx, { remove, insert, update });
    return { changed: conversations, slaDueAt };
  }
}

function conversationChanged(c: SlaConversationFacts, next: SlaConversationUpdate): boolean {
  return (
    c.slaPolicyId !== next.slaPolicyId ||
    !same(c.slaPausedAt, next.slaPausedAt) ||
    !same(c.firstResponseDueAt, next.firstResponseDueAt) ||
    !same(c.nextResponseDueAt, next.nextResponseDueAt) ||
    !same(c.resolutionDueAt, next.resolutionDueAt) ||
    !same(c.slaDueAt, next.slaDueAt)
  );
}
