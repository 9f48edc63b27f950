/** Dead letters: list them, and replay them through the pipeline (after a fix, or once a parent exists). */

import type { Database } from "../store/db.ts";
import { type DeadLetterRow, DeadLettersRepository } from "../store/dead-letters.repository.ts";
import type { IngestService } from "./ingest.service.ts";

export interface ReplayResult {
  replayed: number;
  stored: number;
  duplicates: number;
  stillFailing: Array<{ id: number; reason: string }>;
}

export class DeadLettersService {
  private readonly repo: DeadLettersRepository;

  constructor(
    database: Database,
    private readonly ingest: Pick<IngestService, "reprocess">,
  ) {
    this.repo = new DeadLettersRepository(database);
  }

  list(
    options: { includeResolved?: boolean; limit?: number; afterId?: number } = {},
  ): Promise<DeadLetterRow[]> {
    return this.repo.list(options);
  }

  /** Replays the given open dead letters, or all open ones when `ids` is omitted. */
  async replay(ids?: number[]): Promise<ReplayResult> {
    const result: ReplayResult = { replayed: 0, stored: 0, duplicates: 0, stillFailing: [] };
    let afterId = 0;
    for (;;) {
      const letters = await this.repo.list({ ...(ids ? { ids } : {}), afterId, limit: 500 });
      if (letters.length === 0) break;
      afterId = letters.at(-1)!.id;
      const summary = await this.ingest.reprocess(
        letters.map((d) => ({
          rawEventId: d.rawEventId,
          source: d.source,
          format: d.format,
          payload: d.payload,
          ...(d.detail ? { detail: d.detail } : {}),
          deadLetterId: d.id,
        })),
      );
      result.replayed += letters.length;
      result.stored += summary.messages;
      result.duplicates += summary.duplicates;
      summary.outcomes.forEach((o) => {
        if (o.status === "dead_letter") result.stillFailing.push({ id: o.deadLetterId, reason: o.reason });
      });
    }
    return result;
  }
}
