/**
 * The ingest pipeline's handling of edits and deletions (NormalizeResult `change`). Every change is
 * recorded (`message_changes`, stored once however often it arrives); it is applied to its message when
 * that message is stored — at once, or later when the message arrives after its edit (reordered events).
 * Edits apply newest-wins by the platform's time and are re-analysed; deletions keep the message, marked
 * deleted (nothing a person sent is lost; the workspace shows it as deleted).
 */
import type { Analyzer } from "../analysis/analyzer.ts";
import { AnalysisRepository, analysisColumns } from "../store/analysis.repository.ts";
import type { Database, Db } from "../store/db.ts";
import type { IngestRepository } from "../store/ingest.repository.ts";
import { MessageChangeRepository, type PendingChange } from "../store/message-change.repository.ts";
import { sanitizeEmailHtml } from "./html.sanitize.ts";
import { key, type Normalized, type NormalizedChange, type Prepared } from "./ingest.model.ts";
import type { ItemOutcome } from "./ingest.types.ts";

export interface AppliedChanges {
  /** Messages whose text or deletion changed, with their conversations. */
  messages: Array<{ id: string; conversationId: string }>;
}

export class ChangeRecorder {
  private readonly changes: MessageChangeRepository;
  private readonly analysis: AnalysisRepository;

  constructor(
    database: Database,
    private readonly analyzer: Analyzer,
  ) {
    this.changes = new MessageChangeRepository(database);
    this.analysis = new AnalysisRepository(database);
  }

  /** Stores the batch's changes; a change already recorded is a duplicate. Outcomes are completed by apply. */
  async record(tx: Db, changes: NormalizedChange[], outcomes: Map<number, ItemOutcome>): Promise<void> {
    const fresh = await this.changes.insert(
      tx,
      changes.map((c) => ({
        channel_id: c.channel.id,
        external_id: c.change.externalId,
        kind: c.change.change,
        text: c.change.change === "edit" ? (c.change.text ?? "") : null,
        html: c.change.change === "edit" && c.change.html ? sanitizeEmailHtml(c.change.html) || null : null,
        changed_at: c.change.at,
        raw_event_id: c.entry.rawEventId,
      })),
    );
    changes.forEach((c, i) => {
      outcomes.set(
        c.entry.index,
        fresh[i] ? { status: "changed", change: c.change.change, messageId: null } : { status: "duplicate" },
      );
    });
  }

  /**
   * Applies the pending changes of these messages (by channel and external id) whose message is stored,
   * and fills in the outcomes of this batch's changes with the message they changed.
   */
  async apply(
    tx: Db,
    keys: Array<{ channel_id: string; external_id: string }>,
    batch: NormalizedChange[],
    outcomes: Map<number, ItemOutcome>,
  ): Promise<AppliedChanges> {
    const pending = await this.changes.takePending(tx, keys);
    const byMessage = new Map<string, PendingChange[]>();
    for (const p of pending) byMessage.set(p.message_id, [...(byMessage.get(p.message_id) ?? []), p]);

    const edits: Array<{ id: string; text: string; html: string | null; edited_at: string }> = [];
    const analysed: Array<{ id: string } & ReturnType<typeof analysisColumns>> = [];
    const deletes: Array<{ id: string; deleted_at: string }> = [];
    const affected: AppliedChanges["messages"] = [];
    for (const [id, list] of byMessage) {
      const first = list[0]!;
      let changed = false;
      const newestEdit = list
        .filter((p) => p.kind === "edit")
        .sort((a, b) => Date.parse(b.changed_at) - Date.parse(a.changed_at))[0];
      if (
        newestEdit &&
        (first.message_edited_at === null ||
          Date.parse(first.message_edited_at) < Date.parse(newestEdit.changed_at))
      ) {
        const text = newestEdit.text ?? "";
        edits.push({ id, text, html: newestEdit.html, edited_at: newestEdit.changed_at });
        const analysis = this.analyzer.analyze(text, { direction: first.direction });
        analysed.push({ id, ...analysisColumns(analysis, this.analyzer.version) });
        changed = true;
      }
      const firstDelete = list.find((p) => p.kind === "delete");
      if (firstDelete && first.message_deleted_at === null) {
        deletes.push({ id, deleted_at: firstDelete.changed_at });
        changed = true;
      }
      if (changed) affected.push({ id, conversationId: first.conversation_id });
    }
    await this.changes.applyEdits(tx, edits);
    await this.analysis.write(
      tx,
      analysed.map((a) => ({
        id: a.id,
        sentiment_score: a.sentiment_score,
        sentiment_label: a.sentiment_label,
        intent: a.intent,
        urgency: a.urgency,
        spam_score: a.spam_score,
        spam_label: a.spam_label,
        language: a.language,
        analysis: a.analysis,
        analyzer_version: a.analyzer_version,
      })),
    );
    await this.changes.applyDeletes(tx, deletes);

    // This batch's changes: name the message each one changed (null while it waits for its message).
    const messageOf = new Map(pending.map((p) => [key(p.channel_id, p.external_id), p.message_id]));
    for (const c of batch) {
      const outcome = outcomes.get(c.entry.index);
      const messageId = messageOf.get(key(c.channel.id, c.change.externalId));
      if (outcome?.status === "changed" && messageId) outcome.messageId = messageId;
    }
    return { messages: affected };
  }

  async markIgnored(tx: Db, rows: Array<{ id: number; note: string }>): Promise<void> {
    await this.changes.markIgnored(tx, rows);
  }
}

/** Turns changes that carry a message nobody stored yet into that message; the rest stay changes. */
export async function splitChanges(
  repo: Pick<IngestRepository, "existingMessages">,
  tx: Db,
  { ready, changes }: Prepared,
): Promise<{ normalized: Normalized[]; changes: NormalizedChange[] }> {
  const whole = changes.filter((c) => c.change.message);
  if (whole.length === 0) return { normalized: ready, changes };
  const known = new Set(
    (
      await repo.existingMessages(
        tx,
        whole.map((c) => ({ channel_id: c.channel.id, external_id: c.change.externalId })),
      )
    ).map((m) => key(m.channel_id, m.external_id)),
  );
  const normalized = [...ready];
  const rest: NormalizedChange[] = [];
  for (const c of changes) {
    const message = c.change.message;
    if (!message || known.has(key(c.channel.id, c.change.externalId))) rest.push(c);
    else {
      normalized.push({
        entry: c.entry,
        message:
          c.change.change === "edit" ? { ...message, editedAt: message.editedAt ?? c.change.at } : message,
        channel: c.channel,
        analysis: c.messageAnalysis!,
      });
      // A deletion still applies to the message once stored.
      if (c.change.change === "delete") rest.push({ ...c, entry: { ...c.entry, index: -1 - c.entry.index } });
    }
  }
  return { normalized, changes: rest };
}
