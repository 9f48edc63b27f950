/**
 * The conversation lifecycle: open → waiting (on the person) → resolved, reopened by a new message,
 * or marked spam; manual assignment. Each change runs in one transaction with the audit event, the SLA
 * clocks and the queue position, and is published after commit.
 */
import { AppError, notFound } from "../core/errors.ts";
import type { Database, Db } from "../store/db.ts";
import { type ConversationState, lifecycleRepository } from "../store/lifecycle.repository.ts";
import type { EventBus, RapportEvent } from "./events.ts";
import type { QueueService } from "./queue.service.ts";

export type Status = ConversationState["status"];

/** Who acts: an agent, a workspace API token, or Rapport itself. */
export interface Actor {
  kind: "agent" | "token" | "system";
  id: string | null;
}

export type StatusHook = (
  tx: Db,
  conversationId: string,
  from: Status,
  to: Status,
  at: Date,
) => Promise<void>;

export class LifecycleService {
  constructor(
    private readonly deps: {
      database: Database;
      events: EventBus;
      queue: Pick<QueueService, "refresh">;
      /** E.g. the SLA clocks: pause while waiting on the person, meet resolution on resolve. */
      onStatusChange?: StatusHook[];
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async setStatus(conversationId: string, to: Status, actor: Actor): Promise<{ from: Status; to: Status }> {
    const result = await this.deps.database.db.transaction(async (tx) => {
      const repo = lifecycleRepository(tx);
      const conversation = await repo.lock(conversationId);
      if (!conversation) throw notFound("The conversation");
      const from = conversation.status;
      if (from === to) return { from, to, events: [] as RapportEvent[], journal: null };
      const at = this.now();
      await repo.setStatus(conversationId, to, at);
      for (const hook of this.deps.onStatusChange ?? []) await hook(tx, conversationId, from, to, at);
      await this.deps.queue.refresh(tx, [conversationId]);
      await repo.audit([
        {
          actor_kind: actor.kind,
          actor_id: actor.id,
          action: to === "open" && from !== "open" ? "conversation.reopened" : `conversation.${to}`,
          subject_id: conversationId,
          data: { from, to },
        },
      ]);
      const events: RapportEvent[] = [{ type: "conversation.updated", conversationId, status: { from, to } }];
      return { from, to, events, journal: await this.deps.events.stage(tx, events) };
    });
    if (result.events.length > 0) this.deps.events.publish(result.events, result.journal);
    return { from: result.from, to: result.to };
  }

  /** Assigns to an agent and/or a team (null clears). An agent must be a person who can sign in. */
  async assign(
    conversationId: string,
    target: { agentId?: string | null; teamId?: string | null },
    actor: Actor,
  ): Promise<{ agentId: string | null; teamId: string | null }> {
    const result = await this.deps.database.db.transaction(async (tx) => {
      const repo = lifecycleRepository(tx);
      const conversation = await repo.lock(conversationId);
      if (!conversation) throw notFound("The conversation");
      const agentId = target.agentId === undefined ? conversation.assignee_agent_id : target.agentId;
      const teamId = target.teamId === undefined ? conversation.assignee_team_id : target.teamId;
      if (agentId) {
        const agent = await repo.agentExists(agentId);
        if (!agent) throw new AppError("bad_request", `body.agentId: no agent ${agentId}`);
        if (!agent.can_sign_in) {
          throw new AppError(
            "bad_request",
            `body.agentId: ${agent.name} is an imported account, not a person who can answer`,
          );
        }
      }
      if (teamId && !(await repo.teamOf(teamId)))
        throw new AppError("bad_request", `body.teamId: no team ${teamId}`);
      await repo.setAssignee(conversationId, agentId, teamId);
      if (agentId && teamId) await repo.markAssigned(teamId, agentId, this.now());
      await repo.audit([
        {
          actor_kind: actor.kind,
          actor_id: actor.id,
          action: "conversation.assigned",
          subject_id: conversationId,
          data: {
            from: { agentId: conversation.assignee_agent_id, teamId: conversation.assignee_team_id },
            to: { agentId, teamId },
          },
        },
      ]);
      const events: RapportEvent[] = [{ type: "conversation.updated", conversationId }];
      return { agentId, teamId, events, journal: await this.deps.events.stage(tx, events) };
    });
    this.deps.events.publish(result.events, result.journal);
    return { agentId: result.agentId, teamId: result.teamId };
  }

  async setAvailability(agentId: string, availability: "online" | "away" | "offline"): Promise<void> {
    await lifecycleRepository(this.deps.database.db).setAvailability(agentId, availability);
  }

  history(conversationId: string) {
    return lifecycleRepository(this.deps.database.db).history(conversationId);
  }
}
