/**
 * Re-analysis of stored messages with the current analyzer (after a model or rule change), in pages,
 * each page in one transaction that also refreshes the conversations it touched.
 */
import type { Analyzer } from "../analysis/analyzer.ts";
import {
  type AnalysisColumns,
  agrees,
  applyHuman,
  type MachineValue,
  machineValue,
} from "../analysis/corrections.ts";
import { AnalysisRepository, analysisColumns } from "../store/analysis.repository.ts";
import { correctionsRepository } from "../store/corrections.repository.ts";
import type { Database, Db } from "../store/db.ts";
import { IngestRepository } from "../store/ingest.repository.ts";

export interface ReanalyzeResult {
  messages: number;
  conversations: number;
  version: string;
}

export class ReanalyzeService {
  private readonly repo: AnalysisRepository;
  private readonly ingestRepo: IngestRepository;

  constructor(
    private readonly database: Database,
    private readonly analyzer: Analyzer,
    /** Runs after each page inside its transaction (e.g. the queue's need signals). */
    private readonly afterPage?: (tx: Db, conversationIds: string[]) => Promise<void>,
  ) {
    this.repo = new AnalysisRepository(database);
    this.ingestRepo = new IngestRepository(database);
  }

  /** How many messages `run` would re-analyse. */
  pending(all: boolean): Promise<number> {
    return this.repo.count({ all, version: this.analyzer.version });
  }

  async run(
    options: { all?: boolean; pageSize?: number; onProgress?: (done: number) => void } = {},
  ): Promise<ReanalyzeResult> {
    const all = options.all ?? false;
    const conversations = new Set<string>();
    let afterId = "00000000-0000-0000-0000-000000000000";
    let done = 0;
    for (;;) {
      const page = await this.repo.page({
        all,
        version: this.analyzer.version,
        afterId,
        limit: options.pageSize ?? 1000,
      });
      if (page.length === 0) break;
      afterId = page.at(-1)!.id;
      const rows = page.map((m) => {
        const context = { direction: m.direction, priorInboundCount: m.prior_inbound };
        let analysis = this.analyzer.analyze(m.text, context);
        if (this.analyzer.contextual && m.prior_inbound > 0)
          analysis = this.analyzer.contextual(analysis, context);
        return { id: m.id, ...analysisColumns(analysis, this.analyzer.version) };
      });
      const touched = [...new Set(page.map((m) => m.conversation_id))];
      await this.database.db.transaction(async (tx) => {
        await this.keepCorrections(tx, rows);
        await this.repo.write(tx, rows);
        await this.ingestRepo.refreshConversations(tx, touched, []);
        await this.afterPage?.(tx, touched);
      });
      for (const id of touched) conversations.add(id);
      done += page.length;
      options.onProgress?.(done);
      // Without --all, analysed messages leave the filter; paging by id still moves forward.
    }
    return { messages: done, conversations: conversations.size, version: this.analyzer.version };
  }

  /**
   * Agents' corrections outlive a re-analysis: a corrected field keeps the agent's label, and the
   * correction records the new analyzer's value (or goes, when the new analyzer agrees with the agent).
   */
  private async keepCorrections(tx: Db, rows: Array<AnalysisColumns & { id: string }>): Promise<void> {
    const corrections = correctionsRepository(this.database);
    const found = await corrections.of(
      rows.map((r) => r.id),
      tx,
    );
    if (found.length === 0) return;
    const byId = new Map(rows.map((r, i) => [r.id, i]));
    const agreed: Array<{ message_id: string; field: string }> = [];
    const stand: Array<{
      message_id: string;
      field: string;
      machine: MachineValue;
      analyzer_version: string;
    }> = [];
    for (const c of found) {
      const i = byId.get(c.message_id)!;
      const row = rows[i]!;
      const machine = machineValue(row, c.field);
      if (agrees(c.field, c.human, machine)) {
        agreed.push({ message_id: c.message_id, field: c.field });
        continue;
      }
      stand.push({
        message_id: c.message_id,
        field: c.field,
        machine,
        analyzer_version: this.analyzer.version,
      });
      rows[i] = { ...row, ...applyHuman(row, c.field, c.human) };
    }
    await corrections.remove(tx, agreed);
    await corrections.updateMachine(tx, stand);
  }
}
