/** Agents' corrections of messages' analysis (`analysis_corrections`) and the columns they change. */
import { type SQL, sql } from "drizzle-orm";
import type { AnalysisColumns, CorrectableField, HumanValue, MachineValue } from "../analysis/corrections.ts";
import type { Database, Db } from "./db.ts";

const json = (value: unknown) => JSON.stringify(value);

export interface MessageToCorrect extends AnalysisColumns {
  id: string;
  conversation_id: string;
  direction: "in" | "out";
  visibility: "public" | "private" | "note";
  text: string;
  analyzer_version: string | null;
}

export interface CorrectionRow {
  message_id: string;
  field: CorrectableField;
  machine: MachineValue;
  human: HumanValue;
  analyzer_version: string | null;
  text: string;
  agent_id: string | null;
  corrected_at: string;
}

export interface CorrectionListed extends CorrectionRow {
  agent_name: string | null;
  conversation_id: string;
  channel: string;
}

const isoTime = (column: SQL) => sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export function correctionsRepository(database: Database) {
  const rows = <T>(query: SQL, tx?: Db) => database.rows<T>(query, tx);
  /** Corrections with their message's conversation and channel and the agent's name. */
  const listed = (where: SQL, order: SQL, tx?: Db) =>
    rows<CorrectionListed>(
      sql`SELECT ac.message_id, ac.field, ac.machine, ac.human, ac.analyzer_version, ac.text, ac.agent_id,
          ${isoTime(sql`ac.corrected_at`)} AS corrected_at, a.name AS agent_name, m.conversation_id,
          ch.key AS channel
        FROM analysis_corrections ac
        JOIN messages m ON m.id = ac.message_id
        JOIN channels ch ON ch.id = m.channel_id
        LEFT JOIN agents a ON a.id = ac.agent_id
        WHERE ${where}
        ORDER BY ${order}`,
      tx,
    );
  return {
    /** The message and its analysis columns, locked for the change. */
    async lockMessage(tx: Db, id: string): Promise<MessageToCorrect | undefined> {
      const [row] = await rows<MessageToCorrect>(
        sql`SELECT id, conversation_id, direction, visibility, text, sentiment_score, sentiment_label, intent,
            urgency, spam_score, spam_label, language, analyzer_version
          FROM messages WHERE id = ${id}::uuid FOR UPDATE`,
        tx,
      );
      return row;
    },

    async of(messageIds: string[], tx?: Db): Promise<CorrectionListed[]> {
      if (messageIds.length === 0) return [];
      return listed(
        sql`ac.message_id IN (SELECT value::uuid FROM json_array_elements_text(${json(messageIds)}::json))`,
        sql`ac.message_id, ac.field`,
        tx,
      );
    },

    async upsert(tx: Db, row: Omit<CorrectionRow, "corrected_at">): Promise<void> {
      await tx.execute(sql`
        INSERT INTO analysis_corrections (message_id, field, machine, human, analyzer_version, text, agent_id)
        VALUES (${row.message_id}::uuid, ${row.field}, ${json(row.machine)}::jsonb, ${json(row.human)}::jsonb,
          ${row.analyzer_version}, ${row.text}, ${row.agent_id}::uuid)
        ON CONFLICT (message_id, field) DO UPDATE SET human = EXCLUDED.human, agent_id = EXCLUDED.agent_id,
          corrected_at = now()`);
    },

    /** After a re-analysis: the analyzer's new value for a correction that still stands. */
    async updateMachine(
      tx: Db,
      updates: Array<{ message_id: string; field: string; machine: MachineValue; analyzer_version: string }>,
    ): Promise<void> {
      if (updates.length === 0) return;
      await tx.execute(sql`
        UPDATE analysis_corrections ac SET machine = u.machine, analyzer_version = u.analyzer_version
        FROM json_to_recordset(${json(updates)}::json) AS u(message_id uuid, field text, machine jsonb,
          analyzer_version text)
        WHERE ac.message_id = u.message_id AND ac.field = u.field`);
    },

    async remove(tx: Db, keys: Array<{ message_id: string; field: string }>): Promise<void> {
      if (keys.length === 0) return;
      await tx.execute(sql`
        DELETE FROM analysis_corrections ac
        USING json_to_recordset(${json(keys)}::json) AS k(message_id uuid, field text)
        WHERE ac.message_id = k.message_id AND ac.field = k.field`);
    },

    async writeColumns(tx: Db, id: string, c: AnalysisColumns): Promise<void> {
      await tx.execute(sql`
        UPDATE messages SET sentiment_score = ${c.sentiment_score}, sentiment_label = ${c.sentiment_label},
          intent = ${c.intent === null ? null : sql`ARRAY(SELECT jsonb_array_elements_text(${json(c.intent)}::jsonb))`},
          urgency = ${c.urgency}, spam_score = ${c.spam_score}, spam_label = ${c.spam_label},
          language = ${c.language}
        WHERE id = ${id}::uuid`);
    },

    /** Every correction (optionally of one field, since a time), oldest first, a page at a time. */
    async *pages(
      options: { field?: CorrectableField; since?: string } = {},
    ): AsyncGenerator<CorrectionListed[]> {
      let after: { at: string; messageId: string; field: string } | undefined;
      for (;;) {
        const page = await this.page({ ...options, limit: 1000, ...(after ? { after } : {}) });
        if (page.length === 0) return;
        const last = page.at(-1)!;
        after = { at: last.corrected_at, messageId: last.message_id, field: last.field };
        yield page;
      }
    },

    /**
     * Corrections in the order they were made (for export and the agreement report), a page at a time;
     * `newestFirst` takes the latest ones first (the report's cap keeps the newest).
     */
    async page(options: {
      after?: { at: string; messageId: string; field: string };
      field?: CorrectableField;
      since?: string;
      limit: number;
      newestFirst?: boolean;
    }): Promise<CorrectionListed[]> {
      const where: SQL[] = [sql`TRUE`];
      if (options.field) where.push(sql`ac.field = ${options.field}`);
      if (options.since) where.push(sql`ac.corrected_at >= ${options.since}::timestamptz`);
      if (options.after)
        where.push(
          sql`(date_trunc('milliseconds', ac.corrected_at), ac.message_id, ac.field) > (${options.after.at}::timestamptz, ${options.after.messageId}::uuid, ${options.after.field})`,
        );
      const direction = options.newestFirst ? sql`DESC` : sql`ASC`;
      return listed(
        sql.join(where, sql` AND `),
        sql`date_trunc('milliseconds', ac.corrected_at) ${direction}, ac.message_id ${direction}, ac.field ${direction}
          LIMIT ${options.limit}`,
      );
    },
  };
}
