/**
 * Replying through the outbox: the guard reviews the text, then the outbound message (pending) and its
 * send job are written in ONE transaction with the conversation's timeline, SLA clocks and queue
 * position; the worker (jobs/) sends it. Also private notes with @mentions, and retrying failed sends.
 */
import { randomUUID } from "node:crypto";
import { AppError, notFound } from "../core/errors.ts";
import type { Finding } from "../core/guard.ts";
import type { Database, Db } from "../store/db.ts";
import { IngestRepository } from "../store/ingest.repository.ts";
import { JOBS_CHANNEL, jobRepository } from "../store/job.repository.ts";
import { outboxRepository } from "../store/outbox.repository.ts";
import type { EventBus, RapportEvent } from "./events.ts";
import { type GuardService, signatureOf } from "./guard.service.ts";

/** The queue replies are sent from (jobs/send.job.ts handles it). */
export const SEND_QUEUE = "send";

export interface ReplyAgent {
  id: string;
  name: string;
  signature: string | null;
}

export interface Mention {
  agentId: string;
  name: string;
}

export class ReplyService {
  private readonly timeline: IngestRepository;

  constructor(
    private readonly deps: {
      database: Database;
      events: EventBus;
      guard: GuardService;
      /** Steps inside the reply's transaction after the timeline is refreshed (SLA clocks, queue). */
      afterWrite?: Array<(tx: Db, conversationIds: string[]) => Promise<void>>;
      now?: () => Date;
    },
  ) {
    this.timeline = new IngestRepository(deps.database);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * Sends a reply as `agent`, signed. Throws `guard_blocked` (422) if a finding blocks, and
   * `guard_warnings` (409) if there are warnings the agent has not acknowledged.
   */
  async reply(
    conversationId: string,
    agent: ReplyAgent,
    text: string,
    options: { acknowledgeWarnings?: boolean } = {},
  ): Promise<{ messageId: string; findings: Finding[] }> {
    const outbox = outboxRepository(this.deps.database.db);
    const target = await outbox.target(conversationId);
    if (!target) throw notFound("The conversation");
    const body = text.trim();
    if (!body) throw new AppError("bad_request", "body.text: must not be empty");
    const findings = await this.deps.guard.review(target, body);
    const blocking = findings.filter((f) => f.severity === "block");
    if (blocking.length > 0) {
      await this.recordBlocked(conversationId, agent.id, findings);
      throw new AppError(
        "guard_blocked",
        `The authenticity guard blocked this reply: ${blocking.map((f) => f.message).join(" ")}`,
        { findings },
      );
    }
    if (findings.length > 0 && options.acknowledgeWarnings !== true) {
      throw new AppError(
        "guard_warnings",
        `The authenticity guard has ${findings.length} warning${findings.length === 1 ? "" : "s"}; send again with acknowledgeWarnings: true to send anyway.`,
        { findings },
      );
    }
    const signed = `${body}\n\n${signatureOf(agent)}`;
    const written = await this.deps.database.db.transaction(async (tx) => {
      const locked = await outboxRepository(tx).target(conversationId, true);
      if (!locked) throw notFound("The conversation");
      const id = await outboxRepository(tx).insert({
        conversationId,
        channelId: locked.channel_id,
        // Until the platform gives it an id; replaced by the platform's id once sent.
        externalId: `rapport:${randomUUID()}`,
        inReplyToExternalId: locked.reply_to,
        visibility: locked.visibility,
        text: signed,
        authorAgentId: agent.id,
        deliveryStatus: "pending",
        guardFindings: findings,
        mentions: null,
        createdAt: this.now(),
      });
      await jobRepository(tx).enqueue(SEND_QUEUE, { messageId: id });
      await this.afterWrite(tx, conversationId);
      await this.audit(tx, agent.id, "message.replied", conversationId, {
        messageId: id,
        warnings: findings.map((f) => f.rule),
      });
      const events: RapportEvent[] = [
        { type: "message.created", messageId: id, conversationId, direction: "out" },
        { type: "conversation.updated", conversationId },
      ];
      return { id, events, journal: await this.deps.events.stage(tx, events) };
    });
    await this.wakeSender();
    this.deps.events.publish(written.events, written.journal);
    const messageId = written.id;
    return { messageId, findings };
  }

  /** A private note for teammates: never sent. `@Name` mentions of agents are resolved and stored. */
  async note(
    conversationId: string,
    agent: ReplyAgent,
    text: string,
  ): Promise<{ messageId: string; mentions: Mention[] }> {
    const body = text.trim();
    if (!body) throw new AppError("bad_request", "body.text: must not be empty");
    const outbox = outboxRepository(this.deps.database.db);
    const target = await outbox.target(conversationId);
    if (!target) throw notFound("The conversation");
    const mentions = resolveMentions(body, await outbox.mentionableAgents());
    const written = await this.deps.database.db.transaction(async (tx) => {
      const id = await outboxRepository(tx).insert({
        conversationId,
        channelId: target.channel_id,
        externalId: `note:${randomUUID()}`,
        inReplyToExternalId: null,
        visibility: "note",
        text: body,
        authorAgentId: agent.id,
        deliveryStatus: null,
        guardFindings: null,
        mentions,
        createdAt: this.now(),
      });
      await this.audit(tx, agent.id, "message.noted", conversationId, {
        messageId: id,
        mentions: mentions.map((m) => m.agentId),
      });
      const events: RapportEvent[] = [
        { type: "message.created", messageId: id, conversationId, direction: "out" },
      ];
      return { id, events, journal: await this.deps.events.stage(tx, events) };
    });
    this.deps.events.publish(written.events, written.journal);
    return { messageId: written.id, mentions };
  }

  /** Queues a failed reply again. Only outbound messages whose delivery failed can be retried. */
  async retry(messageId: string, actor: { kind: "agent" | "token"; id: string | null }): Promise<void> {
    const retried = await this.deps.database.db.transaction(async (tx) => {
      const outbox = outboxRepository(tx);
      const found = await outbox.deliveryOf(messageId);
      if (!found) throw notFound("The message");
      const conversation = await outbox.markPendingIfFailed(messageId);
      if (!conversation) {
        throw new AppError(
          "conflict",
          `Only a reply whose delivery failed can be retried; this one is ${found.direction === "in" ? "inbound" : (found.delivery_status ?? "not sent by Rapport")}.`,
        );
      }
      const jobs = jobRepository(tx);
      // A scheduled automatic retry would send it a second time.
      await jobs.cancelQueued(SEND_QUEUE, "messageId", messageId, "superseded by a manual retry");
      await jobs.enqueue(SEND_QUEUE, { messageId });
      await outbox.audit(actor.kind, actor.id, "message.retried", conversation, { messageId });
      const events: RapportEvent[] = [{ type: "message.updated", messageId, conversationId: conversation }];
      return { events, journal: await this.deps.events.stage(tx, events) };
    });
    await this.wakeSender();
    this.deps.events.publish(retried.events, retried.journal);
  }

  private async afterWrite(tx: Db, conversationId: string): Promise<void> {
    await this.timeline.refreshConversations(tx, [conversationId], []);
    for (const step of this.deps.afterWrite ?? []) await step(tx, [conversationId]);
  }

  private async wakeSender(): Promise<void> {
    // After commit, so the worker finds the job; the poll picks it up if the notification is lost.
    await this.deps.database.notify(JOBS_CHANNEL, SEND_QUEUE).catch(() => {});
  }

  private async audit(tx: Db, agentId: string, action: string, conversationId: string, data: unknown) {
    await outboxRepository(tx).audit("agent", agentId, action, conversationId, data);
  }

  private async recordBlocked(conversationId: string, agentId: string, findings: Finding[]) {
    await outboxRepository(this.deps.database.db).audit("agent", agentId, "reply.blocked", conversationId, {
      findings,
    });
  }
}

/**
 * Finds `@Name` mentions of agents: the full name ("@Maria Lopez") or, when only one agent has it, the
 * first name ("@Maria"). Case-insensitive; each agent once, in order of appearance.
 */
export function resolveMentions(text: string, agents: Array<{ id: string; name: string }>): Mention[] {
  const firstNames = new Map<string, Array<{ id: string; name: string }>>();
  for (const agent of agents) {
    const first = agent.name.trim().split(/\s+/)[0]!.toLowerCase();
    firstNames.set(first, [...(firstNames.get(first) ?? []), agent]);
  }
  const byLength = [...agents].sort((a, b) => b.name.length - a.name.length);
  const found: Mention[] = [];
  const seen = new Set<string>();
  for (const match of text.matchAll(/(?:^|[^\p{L}\p{N}_])@(?=\p{L})/gu)) {
    const rest = text.slice(match.index + match[0].length).toLowerCase();
    const boundary = (n: number) => n >= rest.length || !/[\p{L}\p{N}_]/u.test(rest[n]!);
    let agent = byLength.find((a) => rest.startsWith(a.name.toLowerCase()) && boundary(a.name.length));
    if (!agent) {
      const word = /^[\p{L}\p{N}_'-]+/u.exec(rest)?.[0] ?? "";
      const candidates = firstNames.get(word) ?? [];
      if (candidates.length === 1) agent = candidates[0];
    }
    if (agent && !seen.has(agent.id)) {
      seen.add(agent.id);
      found.push({ agentId: agent.id, name: agent.name });
    }
  }
  return found;
}
