/** The composition root: builds each service with exactly what it uses. */
import type { Analyzer } from "../analysis/analyzer.ts";
import { rapportAnalyzer } from "../analysis/rapport.analyzer.ts";
import type { Database } from "../store/db.ts";
import { AssignmentService } from "./assignment.service.ts";
import { ConversationStateService } from "./conversation-state.service.ts";
import { CorrectionsService } from "./corrections.service.ts";
import { DeadLettersService } from "./dead-letters.service.ts";
import { EventBus } from "./events.ts";
import { GuardService } from "./guard.service.ts";
import { IngestService } from "./ingest.service.ts";
import { LifecycleService } from "./lifecycle.service.ts";
import { NormalizerRegistry } from "./normalizers.ts";
import { QueueService } from "./queue.service.ts";
import { RealtimeBridge } from "./realtime.bridge.ts";
import { ReanalyzeService } from "./reanalyze.service.ts";
import { ReplyService } from "./reply.service.ts";
import { SlaService } from "./sla.service.ts";

export interface Services {
  database: Database;
  events: EventBus;
  analyzer: Analyzer;
  normalizers: NormalizerRegistry;
  ingest: IngestService;
  deadLetters: DeadLettersService;
  reanalyze: ReanalyzeService;
  corrections: CorrectionsService;
  queue: QueueService;
  assignment: AssignmentService;
  lifecycle: LifecycleService;
  sla: SlaService;
  guard: GuardService;
  replies: ReplyService;
  /** Cross-process realtime; `serve` and `worker` start it. */
  realtime: RealtimeBridge;
}

export function createServices(
  database: Database,
  options: { analyzer?: Analyzer; ingestBatchSize?: number } = {},
): Services {
  const events = new EventBus();
  const analyzer = options.analyzer ?? rapportAnalyzer;
  const normalizers = new NormalizerRegistry();
  const queue = new QueueService(database.db);
  const sla = new SlaService(database);
  const assignment = new AssignmentService();
  const state = new ConversationStateService({ sla, queue, assignment });
  const ingest = new IngestService({
    database,
    analyzer,
    events,
    normalizers,
    ...(options.ingestBatchSize ? { batchSize: options.ingestBatchSize } : {}),
    // SLA clocks set the due times, assignment routes new conversations, priority reads both; the
    // timeline, SLA and queue columns are written in one statement.
    deriveState: (tx, changed) =>
      state.refresh(tx, changed.conversationIds, changed.created, changed.timeline),
  });
  const lifecycle = new LifecycleService({
    database,
    events,
    queue,
    onStatusChange: [(tx, id, from, to, at) => sla.onStatusChange(tx, id, from, to, at)],
  });
  const deadLetters = new DeadLettersService(database, ingest);
  const reanalyze = new ReanalyzeService(database, analyzer, (tx, ids) => state.refresh(tx, ids));
  const corrections = new CorrectionsService({
    database,
    events,
    analyzer,
    refresh: (tx, ids) => state.refresh(tx, ids),
  });
  const guard = new GuardService(database.db);
  const replies = new ReplyService({
    database,
    events,
    guard,
    afterWrite: [(tx, ids) => state.refresh(tx, ids)],
  });
  return {
    database,
    events,
    analyzer,
    normalizers,
    ingest,
    deadLetters,
    reanalyze,
    corrections,
    queue,
    assignment,
    lifecycle,
    sla,
    guard,
    replies,
    realtime: new RealtimeBridge(database, events),
  };
}
