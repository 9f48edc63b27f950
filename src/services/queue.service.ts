/**
 * The fair queue: keeps each conversation's need-adjusted deadline (the sort key) current inside the
 * transactions that change it, and serves queue pages with a score and the reasons for each position.
 */
import {
  emptyNeed,
  explain,
  type NeedSignals,
  priorityScore,
  type QueueInput,
  queueDueAt,
} from "../core/queue.priority.ts";
import type { Db } from "../store/db.ts";
import { type NeedInputRow, type QueueFilters, queueRepository } from "../store/queue.repository.ts";

export function needOf(row: NeedInputRow): NeedSignals {
  return {
    ...emptyNeed(),
    negative: row.negative ?? false,
    complaint: row.complaint ?? false,
    question: row.question ?? false,
    urgent: row.urgent_reasons ?? [],
    followUp: row.replied_before,
    repeated: row.inbound_in_wait >= 2,
    likelySpam: row.latest_spam === "spam",
  };
}

function inputOf(waitingSince: string, slaDueAt: string | null, need: NeedSignals): QueueInput {
  return { waitingSince: new Date(waitingSince), slaDueAt: slaDueAt ? new Date(slaDueAt) : null, need };
}

export class QueueService {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Recomputes need and the sort key of these conversations (call inside the changing transaction). */
  async refresh(tx: Db, conversationIds: string[]): Promise<void> {
    const repo = queueRepository(tx);
    const inputs = await repo.needInputs(conversationIds);
    await repo.writePriority(
      inputs.map((row) => {
        if (!row.awaiting || !row.waiting_since) return { id: row.id, queue_due_at: null, need: null };
        const need = needOf(row);
        return {
          id: row.id,
          queue_due_at: queueDueAt(inputOf(row.waiting_since, row.sla_due_at, need)).toISOString(),
          need,
        };
      }),
    );
  }

  /** One page of the queue, each item with its score and the reasons for its position. */
  async page(filters: QueueFilters) {
    const now = this.now();
    const { items, next } = await queueRepository(this.db).page(filters, now);
    return {
      items: items.map(({ queueDueAt: due, need, ...item }) => {
        const input = inputOf(
          item.waitingSince ?? now.toISOString(),
          item.slaDueAt,
          (need as NeedSignals | null) ?? emptyNeed(),
        );
        return {
          ...item,
          queueDueAt: due ? new Date(due).toISOString() : null,
          need: input.need,
          score: priorityScore(input, now),
          why: explain(input, now),
        };
      }),
      next,
    };
  }
}
