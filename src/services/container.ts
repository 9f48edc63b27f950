/** The composition root: builds each service with exactly what it uses. */
import type { Analyzer } from "../analysis/analyzer.ts";
import { rapportAnalyzer } from "../analysis/rapport.analyzer.ts";
import type { Database } from "../store/db.ts";
import { AssignmentService } from "./assignment.service.ts";
import { DeadLettersService } from "./dead-letters.service.ts";
import { EventBus } from "./events.ts";
import { IngestService } from "./ingest.service.ts";
import { LifecycleService } from "./lifecycle.service.ts";
import { NormalizerRegistry } from "./normalizers.ts";
import { QueueService } from "./queue.service.ts";
import { ReanalyzeService } from "./reanalyze.service.ts";

export interface Services {
  database: Database;
  events: EventBus;
  analyzer: Analyzer;
  normalizers: NormalizerRegistry;
  ingest: IngestService;
  deadLetters: DeadLettersService;
  reanalyze: ReanalyzeService;
  queue: QueueService;
  assignment: AssignmentService;
  lifecycle: LifecycleService;
}

export function createServices(database: Database, options: { analyzer?: Analyzer } = {}): Services {
  const events = new EventBus();
  const analyzer = options.analyzer ?? rapportAnalyzer;
  const normalizers = new NormalizerRegistry();
  const queue = new QueueService(database.db);
  const assignment = new AssignmentService();
  const ingest = new IngestService({
    database,
    analyzer,
    events,
    normalizers,
    afterPersist: [
      (tx, changed) => assignment.autoAssign(tx, changed.created),
      (tx, changed) => queue.refresh(tx, changed.conversationIds),
    ],
  });
  const lifecycle = new LifecycleService({ database, events, queue });
  const deadLetters = new DeadLettersService(database, ingest);
  const reanalyze = new ReanalyzeService(database, analyzer, (tx, ids) => queue.refresh(tx, ids));
  return {
    database,
    events,
    analyzer,
    normalizers,
    ingest,
    deadLetters,
    reanalyze,
    queue,
    assignment,
    lifecycle,
  };
}
