/**
 * A conversation's derived state after its messages changed: SLA clocks, automatic assignment of new
 * conversations, and queue position — computed in that order (priority reads the SLA due time), with the
 * SLA and queue columns written back in ONE statement. Callers either refresh the timeline first
 * (IngestRepository.refreshConversations: replies, reanalysis) or pass it computed but unwritten
 * (ingest), and then it is written in that same statement. Running this twice changes nothing.
 */
import { conversationStateRepository, type DerivedStateRow } from "../store/conversation-state.repository.ts";
import type { Db } from "../store/db.ts";
import type { TimelineRow } from "../store/timeline.repository.ts";
import type { AssignmentService } from "./assignment.service.ts";
import type { QueueService } from "./queue.service.ts";
import type { SlaService, TimelineFacts } from "./sla.service.ts";

const date = (iso: string | null) => (iso === null ? null : new Date(iso));

function timelineFacts(t: TimelineRow): TimelineFacts {
  return {
    status: t.status as TimelineFacts["status"],
    firstInboundAt: date(t.first_inbound_at),
    firstHumanResponseAt: date(t.first_human_response_at),
  };
}

export class ConversationStateService {
  constructor(
    private readonly deps: { sla: SlaService; queue: QueueService; assignment: AssignmentService },
  ) {}

  /**
   * `created`: the conversations among `conversationIds` that are new (they get assigned). `timeline`:
   * their timeline columns, computed but not written yet (timeline.repository.ts `compute`); they are
   * written in the same statement. Without it, the stored timeline is read.
   */
  async refresh(tx: Db, conversationIds: string[], created: string[] = [], timeline?: TimelineRow[]) {
    if (conversationIds.length === 0) return;
    const facts = timeline && new Map(timeline.map((t) => [t.id, timelineFacts(t)]));
    const sla = await this.deps.sla.plan(tx, conversationIds, facts);
    if (created.length > 0) await this.deps.assignment.autoAssign(tx, created);
    const queue = await this.deps.queue.compute(tx, conversationIds, sla.slaDueAt, timeline);
    const rows = new Map<string, DerivedStateRow>();
    for (const t of timeline ?? []) rows.set(t.id, { id: t.id, timeline: t });
    for (const s of sla.changed) rows.set(s.id, { ...rows.get(s.id), id: s.id, sla: s });
    for (const q of queue) rows.set(q.id, { ...rows.get(q.id), id: q.id, queue: q });
    await conversationStateRepository(tx).write([...rows.values()]);
  }
}
