/**
 * The ingest pipeline, as DESIGN.md draws it:
 *   raw event stored first → normalize (✗ → dead letter) → dedupe on (channel, external id)
 *   → resolve person + identity → thread into a conversation → analyze → persist (one transaction)
 *   → publish events after commit.
 * One code path serves the API (a batch of one), importers (batches of a thousand) and dead-letter replay.
 */

import { uuidv7 } from "../core/uuid.ts";
import { analysisColumns } from "../store/analysis.repository.ts";
import { MEDIA_QUEUE } from "../store/attachment.repository.ts";
import type { Db } from "../store/db.ts";
import { IngestRepository, type NewConversation, type NewMessage } from "../store/ingest.repository.ts";
import { JOBS_CHANNEL } from "../store/job.repository.ts";
import type { RapportEvent } from "./events.ts";
import { ChangeRecorder, splitChanges } from "./ingest.changes.ts";
import { ConversationDeriver, type DerivationDeps, isTransient } from "./ingest.derivation.ts";
import { storeFailures } from "./ingest.failures.ts";
import { resolveAgents, resolveIdentities } from "./ingest.identities.ts";
import {
  agentRef,
  type Entry,
  errorText,
  identityKey,
  key,
  type Normalized,
  type Prepared,
} from "./ingest.model.ts";
import { BatchPreparer, type PrepareDeps } from "./ingest.prepare.ts";
import { adoptRacedConversations, threadMessages } from "./ingest.threading.ts";
import { emptySummary, type IngestItem, type IngestSummary, type ItemOutcome } from "./ingest.types.ts";

/**
 * Messages per transaction. Each batch pays fixed costs (a few dozen statements, and rewriting every
 * conversation it touches once); 5,000 cost ~20% less database CPU per message than 1,000 in the import
 * benchmark, while a batch's transaction still takes about a second.
 */
export const DEFAULT_BATCH_SIZE = 5000;

/** See IngestService.stream. Each `committed` summary is one batch's, in the order pushed. */
export interface IngestStream {
  push(items: IngestItem[]): Promise<{ committed: IngestSummary[] }>;
  finish(): Promise<{ committed: IngestSummary[]; summary: IngestSummary }>;
}

export interface IngestDeps extends DerivationDeps, PrepareDeps {
  /** Messages per transaction (default DEFAULT_BATCH_SIZE). */
  batchSize?: number;
}

export class IngestService {
  private readonly repo: IngestRepository;
  private readonly batchSize: number;
  private readonly changeRecorder: ChangeRecorder;
  private readonly deriver: ConversationDeriver;
  private readonly preparer: BatchPreparer;
  /** Staged derivations of committed batches, run one after another (see stream). */
  private derivations: Promise<void> = Promise.resolve();

  constructor(private readonly deps: IngestDeps) {
    this.repo = new IngestRepository(deps.database);
    this.changeRecorder = new ChangeRecorder(deps.database, deps.analyzer);
    this.deriver = new ConversationDeriver(deps, this.repo);
    this.preparer = new BatchPreparer(deps, this.repo);
    this.batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  /** Whether batches overlap (PostgreSQL): a staged derivation then runs alongside the next batch. */
  get overlaps(): boolean {
    return this.deps.database.engine === "postgres";
  }

  /**
   * Stores every item raw, then normalizes and persists it. Never throws for bad payloads.
   * On PostgreSQL, batch N+1 is stored raw, normalized and analysed while batch N's transaction runs
   * (transactions themselves stay strictly in order, so threading sees every earlier batch).
   */
  async ingest(items: IngestItem[]): Promise<IngestSummary> {
    const stream = this.stream();
    for (let start = 0; start < items.length; start += this.batchSize) {
      await stream.push(items.slice(start, start + this.batchSize));
    }
    const { summary } = await stream.finish();
    return summary;
  }

  /**
   * An ingest fed batch by batch (importers). On PostgreSQL, a pushed batch is stored raw, normalized
   * and analysed while the previous batch's transaction still runs; `push` resolves once the batch is
   * prepared and the one before it committed, with that one's summary. `finish` waits for the last.
   * Transactions stay strictly in order, so threading sees every earlier batch.
   */
  stream(options: { stagedDerivation?: boolean } = {}): IngestStream {
    const overlap = this.deps.database.engine === "postgres";
    const staged = options.stagedDerivation ?? false;
    const total = emptySummary();
    let offset = 0;
    let batches = 0;
    let inFlight: Promise<IngestSummary> | undefined;
    const settle = async (): Promise<IngestSummary | undefined> => {
      if (!inFlight) return undefined;
      const running = inFlight;
      inFlight = undefined;
      const done = await running;
      addInto(total, done);
      return done;
    };
    return {
      push: async (items) => {
        let prepared: Prepared;
        try {
          prepared = await this.preparer.prepare(await this.preparer.storeRaw(items, offset));
        } catch (error) {
          // Preparing failed (e.g. the database went away): let the running commit settle first.
          await inFlight?.catch(() => {});
          inFlight = undefined;
          throw error;
        }
        offset += items.length;
        const committed = await settle();
        // After the 1st, 2nd, 4th, 8th… batch: statistics that keep up with the load, at a cost that
        // grows with the logarithm of its size (each ANALYZE reads a fixed-size sample).
        batches++;
        if ((batches & (batches - 1)) === 0 && batches > 1) await this.repo.analyze();
        inFlight = this.commit(prepared, staged);
        // Its failure is reported by the next push or finish; until then it must not count as unhandled.
        inFlight.catch(() => {});
        if (!overlap) return { committed: [...(committed ? [committed] : []), (await settle())!] };
        return { committed: committed ? [committed] : [] };
      },
      finish: async () => {
        const committed = await settle();
        if (staged) await this.catchUpDerivations();
        return { committed: committed ? [committed] : [], summary: total };
      },
    };
  }

  /**
   * Runs raw events that are still pending `olderThanMs` (default 10 minutes) after they arrived
   * through the pipeline; returns how many. A process that died between storing a payload and
   * processing it left them — a webhook had already been answered for them, so nobody sends them
   * again. Servers call this when they start and every few minutes. Each batch is claimed first, so two
   * servers recovering at once take different rows; were a payload still being worked on by its own
   * process (none takes minutes), the same message is stored once.
   */
  async recoverPending(options: { olderThanMs?: number } = {}): Promise<number> {
    const olderThanMs = options.olderThanMs ?? 10 * 60_000;
    let afterId = 0;
    let recovered = 0;
    for (;;) {
      const rows = await this.repo.claimStalePendingRawEvents({
        afterId,
        olderThanMs,
        limit: this.batchSize,
      });
      if (rows.length === 0) return recovered;
      afterId = rows.at(-1)!.id;
      await this.reprocess(
        rows.map((r) => ({ rawEventId: r.id, source: r.source, format: r.format, payload: r.payload })),
      );
      recovered += rows.length;
    }
  }

  /** Runs stored raw events (e.g. dead letters' events) through the pipeline again. */
  async reprocess(entries: Array<Omit<Entry, "index">>): Promise<IngestSummary> {
    const summary = emptySummary();
    for (let start = 0; start < entries.length; start += this.batchSize) {
      const chunk = entries.slice(start, start + this.batchSize).map((e, i) => ({ ...e, index: start + i }));
      addInto(summary, await this.process(chunk));
    }
    return summary;
  }

  private async process(entries: Entry[]): Promise<IngestSummary> {
    return this.commit(await this.preparer.prepare(entries));
  }

  private async commit(prepared: Prepared, staged = false): Promise<IngestSummary> {
    const { entries } = prepared;
    let summary: IngestSummary;
    let events: RapportEvent[];
    let journal: number | null;
    let pending: number | undefined;
    let downloads: number | undefined;
    const store = () => this.deps.database.db.transaction((tx) => this.persist(tx, prepared, staged));
    try {
      try {
        ({ summary, events, journal, pending, downloads } = await store());
      } catch (error) {
        // A deadlock with the previous batch's derivation: let it finish, then try the batch again.
        if (!staged || !isTransient(error)) throw error;
        await this.derivations;
        ({ summary, events, journal, pending, downloads } = await store());
      }
    } catch (error) {
      if (entries.length === 1) {
        // Even a payload the store rejects is kept: it becomes a dead letter with the store's reason.
        const entry = entries[0]!;
        ({ summary, events, journal } = await this.deps.database.db.transaction((tx) =>
          this.persist(tx, {
            entries,
            ready: [],
            changes: [],
            ignored: [],
            failed: [{ entry, reason: `could not be stored: ${errorText(error)}` }],
          }),
        ));
      } else {
        // One bad apple must not spoil the batch: retry each payload on its own.
        summary = emptySummary();
        for (const entry of entries) addInto(summary, await this.process([entry]));
        return summary;
      }
    }
    this.deps.events.publish(events, journal);
    if (downloads) await this.deps.database.notify(JOBS_CHANNEL, MEDIA_QUEUE).catch(() => {});
    if (pending !== undefined) {
      const id = pending;
      // In order, and while the next batch is stored; a failure leaves the row for catchUpDerivations.
      this.derivations = this.derivations.then(() => this.deriver.run(id).catch(() => {}));
    }
    return summary;
  }

  private async persist(
    tx: Db,
    prepared: Prepared,
    staged = false,
  ): Promise<{
    summary: IngestSummary;
    events: RapportEvent[];
    journal: number | null;
    /** Messages whose files wait to be downloaded from the platform (a job each). */
    downloads?: number;
    pending?: number;
  }> {
    const { failed, ignored } = prepared;
    const outcomes = new Map<number, ItemOutcome>();
    const events: RapportEvent[] = [];
    const summary = emptySummary();

    // 1. Dead letters: visible and replayable; nothing a person sent is lost. Payloads that are
    //    knowingly not messages are kept raw, marked ignored with why.
    await storeFailures(this.repo, tx, failed, outcomes);
    summary.deadLetters = failed.length;
    await this.changeRecorder.markIgnored(
      tx,
      ignored.map((i) => ({ id: i.entry.rawEventId, note: i.reason })),
    );
    for (const i of ignored) outcomes.set(i.entry.index, { status: "ignored", reason: i.reason });
    summary.ignored = ignored.length;

    // Edits and deletions: a change that carries its whole message, whose message never arrived, is
    // stored as that message (already edited); the others are recorded and applied below.
    const { normalized, changes } = await splitChanges(this.repo, tx, prepared);
    await this.changeRecorder.record(tx, changes, outcomes);

    // 2. Dedupe: within the batch, then against what is stored.
    const fresh: Normalized[] = [];
    const firstInBatch = new Map<string, Normalized>();
    for (const n of normalized) {
      const k = key(n.channel.id, n.message.externalId);
      if (firstInBatch.has(k)) outcomes.set(n.entry.index, { status: "duplicate" });
      else {
        firstInBatch.set(k, n);
        fresh.push(n);
      }
    }
    const stored = await this.repo.existingMessages(
      tx,
      fresh.map((n) => ({ channel_id: n.channel.id, external_id: n.message.externalId })),
    );
    const storedIds = new Map(stored.map((s) => [key(s.channel_id, s.external_id), s.id]));
    const todo = fresh
      .filter((n) => {
        const id = storedIds.get(key(n.channel.id, n.message.externalId));
        if (id) outcomes.set(n.entry.index, { status: "duplicate", messageId: id });
        return !id;
      })
      // Parents usually precede replies in time; threading below also copes when they do not.
      .map((n) => ({ n, at: Date.parse(n.message.createdAt) }))
      .sort((a, b) => a.at - b.at)
      .map(({ n }) => n);

    // 3. People and identities (inbound authors); agents for our own accounts (outbound authors).
    const { personOf, identityOf, newPeople } = await resolveIdentities(this.repo, tx, todo);
    summary.people = newPeople;
    const agentOf = await resolveAgents(this.repo, tx, todo);

    // 4. Threading.
    const { conversationOf, newConversations, merges, personUpdates } = await threadMessages(
      this.repo,
      tx,
      todo,
      personOf,
    );
    // A conversation that only automated mail started (an auto-reply, a bounce) is created resolved:
    // it is kept and visible, but nobody waits in the queue for an answer.
    const personWrote = new Set<string>();
    const automatedOnly = new Set<string>();
    for (const n of todo) {
      if (n.message.direction !== "in") continue;
      const id = conversationOf.get(n);
      if (n.message.automated) automatedOnly.add(id);
      else personWrote.add(id);
    }
    const inserted = await this.repo.insertConversations(
      tx,
      newConversations.map(
        (c): NewConversation => ({
          id: c.id,
          channel_id: c.channelId,
          thread_key: c.threadKey,
          person_id: c.personId,
          visibility: c.visibility,
          created_at: c.createdAt,
          subject: c.subject ?? null,
          status: automatedOnly.has(c.id) && !personWrote.has(c.id) ? "resolved" : "open",
        }),
      ),
    );
    await adoptRacedConversations(this.repo, tx, newConversations, inserted, conversationOf);
    for (const [from, into] of merges)
      await this.repo.mergeConversation(tx, from, conversationOf.resolve(into));
    await this.repo.setConversationPeople(tx, personUpdates);
    summary.conversations = inserted.size;

    // 5. Analysis, with how often this person already wrote in the conversation.
    const prior = await this.repo.inboundCounts(
      tx,
      [...new Set(todo.map((n) => conversationOf.get(n)))].filter((id) => !inserted.has(id)),
    );
    const rows: NewMessage[] = todo.map((n) => {
      const conversationId = conversationOf.get(n);
      const m = n.message;
      const priorInboundCount = prior.get(conversationId) ?? 0;
      if (m.direction === "in") prior.set(conversationId, priorInboundCount + 1);
      const contextual = this.deps.analyzer.contextual;
      const analysis =
        contextual && priorInboundCount > 0
          ? contextual.call(this.deps.analyzer, n.analysis, { direction: m.direction, priorInboundCount })
          : n.analysis;
      return {
        id: uuidv7(),
        conversation_id: conversationId,
        channel_id: n.channel.id,
        external_id: m.externalId,
        in_reply_to_external_id: m.inReplyToExternalId ?? null,
        direction: m.direction,
        visibility: m.visibility,
        text: m.text,
        html: m.html ?? null,
        automated: m.direction === "in" ? (m.automated ?? null) : null,
        author_identity_id: m.direction === "in" ? (identityOf.get(identityKey(n)) ?? null) : null,
        author_agent_id: m.direction === "out" ? (agentOf.get(agentRef(n)) ?? null) : null,
        raw_event_id: n.entry.rawEventId,
        // Outbound messages that arrive through ingest were already sent on the platform.
        delivery_status: m.direction === "out" ? "sent" : null,
        created_at: m.createdAt,
        edited_at: m.editedAt ?? null,
        ...analysisColumns(analysis, this.deps.analyzer.version),
      };
    });

    // 6. Persist messages and the conversations' timelines.
    const insertedMessages = await this.repo.insertMessages(tx, rows);
    const downloads = await this.repo.insertAttachments(
      tx,
      rows.flatMap((row, i) =>
        insertedMessages.has(row.id)
          ? (todo[i]!.message.attachments ?? []).map((a, position) => ({
              message_id: row.id,
              position,
              filename: a.filename,
              content_type: a.contentType,
              size: a.size,
              content: a.contentBase64 ?? null,
              source_url: a.contentBase64 ? null : (a.url ?? null),
            }))
          : [],
      ),
    );
    const reopen = new Set<string>();
    rows.forEach((row, i) => {
      const n = todo[i]!;
      if (!insertedMessages.has(row.id)) {
        outcomes.set(n.entry.index, { status: "duplicate" });
        return;
      }
      outcomes.set(n.entry.index, {
        status: "stored",
        messageId: row.id,
        conversationId: row.conversation_id,
      });
      // An auto-reply or a bounce does not reopen a resolved conversation.
      if (row.direction === "in" && !row.automated) reopen.add(row.conversation_id);
      events.push({
        type: "message.created",
        messageId: row.id,
        conversationId: row.conversation_id,
        direction: row.direction,
      });
    });
    summary.messages = insertedMessages.size;

    // Changes of this batch, and changes that were waiting for the messages just stored.
    const applied = await this.changeRecorder.apply(
      tx,
      [
        ...changes.map((c) => ({ channel_id: c.channel.id, external_id: c.change.externalId })),
        ...rows.filter((r) => insertedMessages.has(r.id)),
      ].map((k) => ({ channel_id: k.channel_id, external_id: k.external_id })),
      changes,
      outcomes,
    );
    summary.changes = changes.filter((c) => outcomes.get(c.entry.index)?.status === "changed").length;
    for (const m of applied.messages) {
      events.push({ type: "message.updated", messageId: m.id, conversationId: m.conversationId });
    }
    const touched = [
      ...new Set([
        ...rows.filter((r) => insertedMessages.has(r.id)).map((r) => r.conversation_id),
        ...applied.messages.map((m) => m.conversationId),
      ]),
    ];
    const created = touched.filter((id) => inserted.has(id));
    // Staged (imports): the derivation runs in a second transaction; the row recorded here with the
    // messages guarantees it runs even if the process dies first (catchUpDerivations).
    let pending: number | undefined;
    if (staged && touched.length > 0)
      pending = await this.repo.recordPendingDerivation(tx, {
        conversationIds: touched,
        created,
        reopen: [...reopen],
      });
    else events.push(...(await this.deriver.derive(tx, touched, created, [...reopen])));

    const done = [...normalized, ...changes].map((n) => n.entry.rawEventId);
    await this.repo.markRawEvents(tx, done, "processed");
    await this.repo.resolveDeadLetters(tx, done);

    summary.duplicates = [...outcomes.values()].filter((o) => o.status === "duplicate").length;
    summary.outcomes = prepared.entries.sort((a, b) => a.index - b.index).map((e) => outcomes.get(e.index)!);
    const journal = await this.deps.events.stage(tx, events);
    return { summary, events, journal, downloads, ...(pending === undefined ? {} : { pending }) };
  }

  /**
   * Derives what committed import batches left pending (a crash between their two transactions, or a
   * derivation that failed); returns how many. Imports call it when they finish, servers when they start.
   */
  async catchUpDerivations(): Promise<number> {
    await this.derivations;
    return this.deriver.catchUp();
  }
}

function addInto(into: IngestSummary, from: IngestSummary): void {
  into.messages += from.messages;
  into.duplicates += from.duplicates;
  into.conversations += from.conversations;
  into.people += from.people;
  into.deadLetters += from.deadLetters;
  into.changes += from.changes;
  into.ignored += from.ignored;
  into.outcomes.push(...from.outcomes);
}
