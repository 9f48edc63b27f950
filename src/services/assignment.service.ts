/**
 * Assignment: a channel's team receives its new conversations; a team in round-robin or least-loaded
 * mode also picks an agent — preferring continuity (the agent who last helped this person), among the
 * members who are online and under their capacity. Agents offline past the grace period give their
 * open work back to the team. Every automatic change is in the audit log with its reason.
 */
import type { Db } from "../store/db.ts";
import { type Candidate, lifecycleRepository } from "../store/lifecycle.repository.ts";

export type AssignmentReason = "continuity" | "round_robin" | "least_loaded";

/** Picks an agent from online candidates under capacity (pure; `load` counts are the caller's). */
export function pickAgent(
  mode: string,
  candidates: Candidate[],
  preferred?: string,
): { agentId: string; reason: AssignmentReason } | null {
  const free = candidates.filter((c) => c.load < c.capacity);
  if (free.length === 0) return null;
  if (preferred && free.some((c) => c.agent_id === preferred))
    return { agentId: preferred, reason: "continuity" };
  if (mode === "least_loaded") {
    const [best] = [...free].sort(
      (a, b) =>
        a.load / a.capacity - b.load / b.capacity ||
        (a.last_assigned_at ?? "").localeCompare(b.last_assigned_at ?? ""),
    );
    return { agentId: best!.agent_id, reason: "least_loaded" };
  }
  if (mode === "round_robin") {
    // The member assigned longest ago (never assigned first) goes next.
    const [next] = [...free].sort((a, b) =>
      (a.last_assigned_at ?? "").localeCompare(b.last_assigned_at ?? ""),
    );
    return { agentId: next!.agent_id, reason: "round_robin" };
  }
  return null;
}

export class AssignmentService {
  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Routes new conversations to their channel's team and, per the team's mode, to an agent. */
  async autoAssign(tx: Db, conversationIds: string[]): Promise<void> {
    const repo = lifecycleRepository(tx);
    const pending = await repo.unassignedWithTeam(conversationIds);
    const candidatesByTeam = new Map<string, Candidate[]>();
    const audit: Parameters<typeof repo.audit>[0] = [];
    for (const conversation of pending) {
      let agentId: string | null = null;
      let reason: AssignmentReason | null = null;
      if (conversation.assignment_mode !== "manual") {
        if (!candidatesByTeam.has(conversation.team_id)) {
          candidatesByTeam.set(conversation.team_id, await repo.candidates(conversation.team_id));
        }
        const candidates = candidatesByTeam.get(conversation.team_id)!;
        const preferred = conversation.person_id
          ? await repo.lastHelper(conversation.person_id, conversation.id)
          : undefined;
        const picked = pickAgent(conversation.assignment_mode, candidates, preferred);
        if (picked) {
          agentId = picked.agentId;
          reason = picked.reason;
          const chosen = candidates.find((c) => c.agent_id === agentId)!;
          chosen.load++;
          chosen.last_assigned_at = this.now().toISOString();
          await repo.markAssigned(conversation.team_id, agentId, this.now());
        }
      }
      await repo.setAssignee(conversation.id, agentId, conversation.team_id);
      audit.push({
        actor_kind: "system",
        actor_id: null,
        action: "conversation.assigned",
        subject_id: conversation.id,
        data: { teamId: conversation.team_id, agentId, reason: reason ?? "team" },
      });
    }
    await repo.audit(audit);
  }

  /** The grace-period sweep: run it periodically (any process may; it is idempotent). */
  async releaseOfflineAgents(db: Db): Promise<number> {
    return db.transaction(async (tx) => {
      const repo = lifecycleRepository(tx);
      const released = await repo.releaseOffline(this.now());
      await repo.audit(
        released.map((r) => ({
          actor_kind: "system",
          actor_id: null,
          action: "conversation.unassigned",
          subject_id: r.id,
          data: { agentId: r.agent_id, reason: "agent offline past the grace period" },
        })),
      );
      return released.length;
    });
  }
}
