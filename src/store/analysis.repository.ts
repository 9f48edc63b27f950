/** Reading messages for re-analysis and writing analysis back. */
import { sql } from "drizzle-orm";
import type { Analysis } from "../analysis/analyzer.ts";
import type { Database, Db } from "./db.ts";

export interface MessageForAnalysis {
  id: string;
  conversation_id: string;
  direction: "in" | "out";
  text: string;
  /** Inbound messages before this one in its conversation. */
  prior_inbound: number;
}

/** The message columns that hold an analysis (the flat ones for filtering, and the whole of it). */
export function analysisColumns(analysis: Analysis, version: string) {
  return {
    sentiment_score: analysis.sentiment.score,
    sentiment_label: analysis.sentiment.label,
    intent: analysis.intent,
    urgency: analysis.urgency?.level ?? null,
    spam_score: analysis.spam?.score ?? null,
    spam_label: analysis.spam?.label ?? null,
    language: analysis.language,
    analysis,
    analyzer_version: version,
  };
}

export class AnalysisRepository {
  constructor(private readonly database: Database) {}

  /** How many messages a re-analysis would touch (all, or those analysed by another version). */
  async count(options: { all: boolean; version: string }): Promise<number> {
    const [row] = await this.database.rows<{ n: string | number }>(sql`
      SELECT count(*) AS n FROM messages
      WHERE ${options.all} OR analyzer_version IS DISTINCT FROM ${options.version}`);
    return Number(row?.n ?? 0);
  }

  /** The next page (by id) of messages to re-analyse, with their prior inbound count. */
  async page(options: {
    all: boolean;
    version: string;
    afterId: string;
    limit: number;
  }): Promise<MessageForAnalysis[]> {
    return this.database.rows<MessageForAnalysis>(sql`
      WITH page AS (
        SELECT id, conversation_id, direction, text, created_at FROM messages
        WHERE id > ${options.afterId}::uuid
          AND (${options.all} OR analyzer_version IS DISTINCT FROM ${options.version})
        ORDER BY id LIMIT ${options.limit})
      SELECT p.id, p.conversation_id, p.direction, p.text,
        (SELECT count(*)::int FROM messages e WHERE e.conversation_id = p.conversation_id
           AND e.direction = 'in' AND e.created_at < p.created_at) AS prior_inbound
      FROM page p ORDER BY p.id`);
  }

  async write(
    tx: Db,
    rows: Array<{
      id: string;
      sentiment_score: number;
      sentiment_label: string;
      intent: string[];
      urgency: string | null;
      spam_score: number | null;
      spam_label: string | null;
      language: string | null;
      analysis: unknown;
      analyzer_version: string;
    }>,
  ): Promise<void> {
    if (rows.length === 0) return;
    await tx.execute(sql`
      UPDATE messages m SET sentiment_score = r.sentiment_score, sentiment_label = r.sentiment_label,
        intent = r.intent, urgency = r.urgency, spam_score = r.spam_score, spam_label = r.spam_label,
        language = r.language, analysis = r.analysis, analyzer_version = r.analyzer_version
      FROM json_to_recordset(${JSON.stringify(rows)}::json) AS r(id uuid, sentiment_score double precision,
        sentiment_label text, intent text[], urgency text, spam_score double precision, spam_label text,
        language text, analysis jsonb, analyzer_version text)
      WHERE m.id = r.id`);
  }
}
