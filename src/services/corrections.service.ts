/**
 * Agents correct a message's analysis (sentiment, intent, urgency, spam, language). Each change runs in
 * one transaction with the message's columns, the audit trail and the conversation's state (queue
 * position, SLA policy), and is published after commit. A correction equal to what the analyzer said is
 * no correction: it takes an earlier one back.
 */
import type { Analyzer } from "../analysis/analyzer.ts";
import {
  type AnalysisColumns,
  agrees,
  applyHuman,
  applyMachine,
  type CorrectableField,
  type HumanLabels,
  humanEntries,
  labelOf,
  machineValue,
} from "../analysis/corrections.ts";
import { AppError, notFound } from "../core/errors.ts";
import {
  type CorrectionListed,
  correctionsRepository,
  type MessageToCorrect,
} from "../store/corrections.repository.ts";
import type { Database, Db } from "../store/db.ts";
import { lifecycleRepository } from "../store/lifecycle.repository.ts";
import { correctionsReport, type FieldReport } from "./corrections.report.ts";
import type { EventBus, RapportEvent } from "./events.ts";
import type { Actor } from "./lifecycle.service.ts";

export class CorrectionsService {
  private readonly repo: ReturnType<typeof correctionsRepository>;

  constructor(
    private readonly deps: {
      database: Database;
      events: EventBus;
      /** Recomputes what the analysis feeds (queue position, SLA policy) inside the transaction. */
      refresh: (tx: Db, conversationIds: string[]) => Promise<void>;
      /** The current analyzer, which `report` runs on the corrected texts. */
      analyzer: Analyzer;
    },
  ) {
    this.repo = correctionsRepository(deps.database);
  }

  /** Sets the agent's labels for the fields named; returns the message's corrections afterwards. */
  async correct(messageId: string, labels: HumanLabels, actor: Actor): Promise<CorrectionListed[]> {
    const entries = humanEntries(labels);
    if (entries.length === 0) throw new AppError("bad_request", "Name at least one field to correct.");
    return this.change(messageId, actor, async (tx, message, existing) => {
      let columns: AnalysisColumns = message;
      const changes: Array<{ field: CorrectableField; from: unknown; to: unknown }> = [];
      for (const [field, human] of entries) {
        const previous = existing.get(field);
        const machine = previous ? previous.machine : machineValue(message, field);
        const current = previous ? previous.human : machineValue(message, field);
        if (agrees(field, human, current)) continue;
        changes.push({ field, from: labelOf(current), to: human });
        if (agrees(field, human, machine)) {
          // Back to what the analyzer said: the correction is taken back.
          await this.repo.remove(tx, [{ message_id: messageId, field }]);
          columns = applyMachine(columns, field, machine);
        } else {
          await this.repo.upsert(tx, {
            message_id: messageId,
            field,
            machine,
            human,
            analyzer_version: message.analyzer_version,
            text: message.text,
            agent_id: actor.kind === "agent" ? actor.id : null,
          });
          columns = applyHuman(columns, field, human);
        }
      }
      return { columns, changes };
    });
  }

  /** Takes a correction back: the field shows the analyzer's value again. */
  async revert(messageId: string, field: CorrectableField, actor: Actor): Promise<CorrectionListed[]> {
    return this.change(messageId, actor, async (tx, message, existing) => {
      const previous = existing.get(field);
      if (!previous) throw notFound(`A correction of ${field} on this message`);
      await this.repo.remove(tx, [{ message_id: messageId, field }]);
      return {
        columns: applyMachine(message, field, previous.machine),
        changes: [{ field, from: previous.human, to: labelOf(previous.machine) }],
      };
    });
  }

  /** The corrections of these messages (for the conversation view). */
  of(messageIds: string[]): Promise<CorrectionListed[]> {
    return this.repo.of(messageIds);
  }

  /**
   * The current analyzer on the corrected texts (corrections.report.ts): those since `since`, or only the
   * newest `limit` of them (`limited` says whether older ones were left out).
   */
  async report(options: { since?: string; limit?: number } = {}): Promise<{
    analyzer: string;
    limited: boolean;
    fields: FieldReport[];
  }> {
    const since = options.since ? { since: options.since } : {};
    let rows: CorrectionListed[] = [];
    let limited = false;
    if (options.limit === undefined) {
      for await (const page of this.repo.pages(since)) rows.push(...page);
    } else {
      rows = await this.repo.page({ ...since, limit: options.limit + 1, newestFirst: true });
      limited = rows.length > options.limit;
      rows = rows.slice(0, options.limit);
    }
    const { analyzer } = this.deps;
    return { analyzer: analyzer.version, limited, fields: correctionsReport(rows, analyzer) };
  }

  private async change(
    messageId: string,
    actor: Actor,
    apply: (
      tx: Db,
      message: MessageToCorrect,
      existing: Map<string, CorrectionListed>,
    ) => Promise<{ columns: AnalysisColumns; changes: Array<{ field: string; from: unknown; to: unknown }> }>,
  ): Promise<CorrectionListed[]> {
    const result = await this.deps.database.db.transaction(async (tx) => {
      const message = await this.repo.lockMessage(tx, messageId);
      if (!message) throw notFound("The message");
      if (message.direction !== "in" || message.visibility === "note")
        throw new AppError("bad_request", "Only messages from people have an analysis to correct.");
      const existing = new Map((await this.repo.of([messageId], tx)).map((c) => [c.field, c]));
      const { columns, changes } = await apply(tx, message, existing);
      if (changes.length > 0) {
        await this.repo.writeColumns(tx, messageId, columns);
        await this.deps.refresh(tx, [message.conversation_id]);
        await lifecycleRepository(tx).audit(
          changes.map((c) => ({
            actor_kind: actor.kind,
            actor_id: actor.id,
            action: "message.analysis_corrected",
            subject_id: message.conversation_id,
            data: { messageId, field: c.field, from: c.from, to: c.to },
          })),
        );
      }
      const events: RapportEvent[] =
        changes.length > 0
          ? [{ type: "message.updated", messageId, conversationId: message.conversation_id }]
          : [];
      return {
        events,
        journal: await this.deps.events.stage(tx, events),
        corrections: await this.repo.of([messageId], tx),
      };
    });
    if (result.events.length > 0) this.deps.events.publish(result.events, result.journal);
    return result.corrections;
  }
}

/** A correction as the API and `rapport corrections export` show it. */
export function presentCorrection(c: CorrectionListed) {
  return {
    messageId: c.message_id,
    conversationId: c.conversation_id,
    channel: c.channel,
    field: c.field,
    machine: c.machine,
    human: c.human,
    analyzerVersion: c.analyzer_version,
    text: c.text,
    agent: c.agent_id && c.agent_name ? { id: c.agent_id, name: c.agent_name } : null,
    correctedAt: c.corrected_at,
  };
}
