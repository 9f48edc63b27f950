/**
 * A conversation's derived state after its messages changed: SLA clocks, automatic assignment of new
 * conversations, and queue position — computed in that order (priority reads the SLA due time), with the
 * SLA and queue columns written back in ONE statement. Callers refresh the timeline first
 * (IngestRepository.refreshConversations); running this twice changes nothing.
 */

import { conversationStateRepository, type DerivedStateRow } from "../store/conversation-state.repository.ts";
import type { Db } from "../store/db.ts";
import type { AssignmentService } from "./assignment.service.ts";
import type { QueueService } from "./queue.service.ts";
import type { SlaService } from "./sla.service.ts";

export class ConversationStateService {
  constructor(
    private readonly deps: { sla: SlaService; queue: QueueService; assignment: AssignmentService },
  ) {}

  /** `created`: the conversations among `conversationIds` that are new (they get assigned). */
  async refresh(tx: Db, conversationIds: string[], created: string[] = []): Promise<void> {
    if (conversationIds.length === 0) return;
    const sla = await this.deps.sla.plan(tx, conversationIds);
    if (created.length > 0) await this.deps.assignment.autoAssign(tx, created);
    const queue = await this.deps.queue.compute(tx, conversationIds, sla.slaDueAt);
    const rows = new Map<string, DerivedStateRow>();
    for (const s of sla.changed) rows.set(s.id, { id: s.id, sla: s });
    for (const q of queue) rows.set(q.id, { ...rows.get(q.id), id: q.id, queue: q });
    await conversationStateRepository(tx).write([...rows.values()]);
  }
}
