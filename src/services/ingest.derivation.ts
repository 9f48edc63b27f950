/**
 * The conversations' derived state after a batch: timelines (reopening those a person wrote to), SLA
 * clocks, assignment of the new ones and queue position. Inside the batch's transaction normally; for
 * imports on PostgreSQL in a second transaction (a staged derivation), recorded in `pending_derivations`
 * by the first so that a crash between the two is caught up later (docs/architecture.md).
 */

import { conversationStateRepository } from "../store/conversation-state.repository.ts";
import type { Database, Db } from "../store/db.ts";
import type { IngestRepository } from "../store/ingest.repository.ts";
import { type TimelineRow, timelineRepository } from "../store/timeline.repository.ts";
import type { EventBus, RapportEvent } from "./events.ts";

export interface DerivationDeps {
  database: Database;
  events: EventBus;
  /**
   * Computes and writes the touched conversations' derived state (SLA clocks, assignment, queue) together
   * with their new timeline, so each conversation row is written once per batch. Without it, ingest
   * writes the timeline alone.
   */
  deriveState?: (
    tx: Db,
    changed: { conversationIds: string[]; created: string[]; timeline: TimelineRow[] },
  ) => Promise<void>;
  /**
   * Steps that run in the same transaction after the conversations' timelines are refreshed, given the
   * touched and the reopened conversations.
   */
  afterPersist?: Array<
    (tx: Db, changed: { conversationIds: string[]; created: string[]; reopened: string[] }) => Promise<void>
  >;
}

/** A deadlock or serialization failure: the transaction can simply run again. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "40P01" || code === "40001";
}

export class ConversationDeriver {
  constructor(
    private readonly deps: DerivationDeps,
    private readonly repo: IngestRepository,
  ) {}

  /**
   * The touched conversations' derived state: timelines (reopening those a person wrote to), SLA clocks,
   * assignment of the new ones and queue position, written together; returns their events.
   */
  async derive(tx: Db, touched: string[], created: string[], reopen: string[]): Promise<RapportEvent[]> {
    const reopened = await this.repo.reopenable(tx, reopen);
    const timeline = await timelineRepository(tx).compute(touched, reopen);
    if (this.deps.deriveState)
      await this.deps.deriveState(tx, { conversationIds: touched, created, timeline });
    else await conversationStateRepository(tx).write(timeline.map((t) => ({ id: t.id, timeline: t })));
    await this.repo.recordReopened(tx, reopened);
    for (const step of this.deps.afterPersist ?? []) {
      await step(tx, {
        conversationIds: touched,
        created,
        reopened: reopened.map((r) => r.id),
      });
    }
    const isNew = new Set(created);
    const reopenedFrom = new Map(reopened.map((r) => [r.id, r.status]));
    return touched.map((id): RapportEvent => {
      const from = reopenedFrom.get(id);
      return isNew.has(id)
        ? { type: "conversation.created", conversationId: id }
        : {
            type: "conversation.updated",
            conversationId: id,
            ...(from ? { status: { from, to: "open" } } : {}),
          };
    });
  }

  /**
   * Runs one recorded derivation in its own transaction (claiming its row, so it runs once) and
   * publishes its events. Deadlocks with a concurrent batch are retried.
   */
  async run(id: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { events, journal } = await this.deps.database.db.transaction(async (tx) => {
          const row = await this.repo.claimPendingDerivation(tx, id);
          const derived = row ? await this.derive(tx, row.conversationIds, row.created, row.reopen) : [];
          return { events: derived, journal: await this.deps.events.stage(tx, derived) };
        });
        this.deps.events.publish(events, journal);
        return;
      } catch (error) {
        if (attempt >= 3 || !isTransient(error)) throw error;
      }
    }
  }

  /** Runs every recorded derivation left pending; returns how many. */
  async catchUp(): Promise<number> {
    const ids = await this.repo.pendingDerivations();
    for (const id of ids) await this.run(id);
    return ids.length;
  }
}
