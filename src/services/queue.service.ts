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
import {
  type NeedInputRow,
  type PriorityRow,
  type QueueFilters,
  queueRepository,
} from "../store/queue.repository.ts";
import type { TimelineRow } from "../store/timeline.repository.ts";

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

/** JSON with sorted keys: jsonb does not keep key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
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
    await queueRepository(tx).writePriority(await this.compute(tx, conversationIds));
  }

  /**
   * Computes need and the sort key of these conversations without writing them; returns only the rows
   * whose stored values differ. `slaDueAt` and `timeline` override the stored SLA due times and timeline
   * columns (computed in the same transaction but not written yet).
   */
  async compute(
    tx: Db,
    conversationIds: string[],
    slaDueAt?: ReadonlyMap<string, Date | null>,
    timeline?: TimelineRow[],
  ): Promise<PriorityRow[]> {
    const inputs = await queueRepository(tx).needInputs(conversationIds, timeline);
    const changed: PriorityRow[] = [];
    for (const row of inputs) {
      const due = slaDueAt?.has(row.id) ? (slaDueAt.get(row.id)?.toISOString() ?? null) : row.sla_due_at;
      let next: PriorityRow = { id: row.id, queue_due_at: null, need: null };
      if (row.awaiting && row.waiting_since) {
        const need = needOf(row);
        next = {
          id: row.id,
          queue_due_at: queueDueAt(inputOf(row.waiting_since, due, need)).toISOString(),
          need,
        };
      }
      if (next.queue_due_at !== row.current_due_at || canonical(next.need) !== canonical(row.current_need))
        changed.push(next);
    }
    return changed;
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
