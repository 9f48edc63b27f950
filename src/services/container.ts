/** The composition root: builds each service with exactly what it uses. */
import type { Analyzer } from "../analysis/analyzer.ts";
import { vaderAnalyzer } from "../analysis/vader.analyzer.ts";
import type { Database } from "../store/db.ts";
import { DeadLettersService } from "./dead-letters.service.ts";
import { EventBus } from "./events.ts";
import { IngestService } from "./ingest.service.ts";
import { NormalizerRegistry } from "./normalizers.ts";

export interface Services {
  database: Database;
  events: EventBus;
  analyzer: Analyzer;
  normalizers: NormalizerRegistry;
  ingest: IngestService;
  deadLetters: DeadLettersService;
}

export function createServices(database: Database, options: { analyzer?: Analyzer } = {}): Services {
  const events = new EventBus();
  const analyzer = options.analyzer ?? vaderAnalyzer;
  const normalizers = new NormalizerRegistry();
  const ingest = new IngestService({ database, analyzer, events, normalizers });
  const deadLetters = new DeadLettersService(database, ingest);
  return { database, events, analyzer, normalizers, ingest, deadLetters };
}
