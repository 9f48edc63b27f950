/**
 * Turns this process's events into webhook deliveries. It listens to the in-process bus only — never to
 * events relayed from other processes — so each event is recorded once, by the process whose transaction
 * produced it, whatever the number of servers and workers; a unique index on (webhook, event id) backs
 * that up. For each batch of events it reads the enabled subscriptions, snapshots the messages and
 * conversations, and writes one delivery + one job per (event, webhook); any worker then delivers it.
 *
 * Nothing is lost when a process dies after a commit: while it runs, publishers journal their events in
 * their transaction (`event_journal`, events.ts). Deliveries are recorded in the transaction that deletes
 * the journal row, and every minute the dispatcher records rows older than a minute that nobody took —
 * left by a process that stopped (or `rapport import` … never: it runs no dispatcher and journals nothing).
 */
import { randomUUID } from "node:crypto";
import { attachmentRepository } from "../store/attachment.repository.ts";
import { conversationRepository } from "../store/conversation.repository.ts";
import type { Database, Db } from "../store/db.ts";
import { eventJournalRepository } from "../store/event-journal.repository.ts";
import { JOBS_CHANNEL } from "../store/job.repository.ts";
import { type NewDelivery, WEBHOOK_QUEUE, webhookRepository } from "../store/webhook.repository.ts";
import type { EventBus, RapportEvent } from "./events.ts";
import {
  type AttachmentInfo,
  announce,
  eventBody,
  type PendingEvent,
  presentConversation,
  presentMessage,
} from "./webhook.events.ts";

/** Attempts per delivery: with the worker's backoff (5 s doubling, at most 1 h) about 2.5 hours. */
export const DEFAULT_MAX_ATTEMPTS = 12;
/** Journal rows nobody took after this long are recorded by the sweep (their process stopped). */
export const JOURNAL_STALE_MS = 60_000;
/** Finished deliveries are kept this long in the log. */
export const DELIVERY_RETENTION_DAYS = 30;
const CHUNK = 500;

export interface WebhookDispatcherOptions {
  database: Database;
  events: EventBus;
  /** Links in the payloads (conversation, attachments) start with this. */
  publicUrl: string;
  maxAttempts?: number;
  onError?: (error: unknown) => void;
  now?: () => Date;
}

export class WebhookDispatcher {
  private readonly repo;
  private readonly conversations;
  private unsubscribe: (() => void) | undefined;
  private readonly journal;
  private pending: PendingEvent[] = [];
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private pruneTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.journal = eventJournalRepository(options.database);
    this.repo = webhookRepository(options.database.db);
    this.conversations = conversationRepository(options.database.db);
  }

  start(): void {
    if (this.unsubscribe) return;
    this.options.events.setStager((tx, events) => {
      const announced = events.filter((e) => announce(e).length > 0);
      return announced.length > 0 ? this.journal.stage(tx, announced) : Promise.resolve(null);
    });
    this.unsubscribe = this.options.events.subscribe((event, journal) => this.take(event, journal));
    const prune = () => {
      this.repo.prune(DELIVERY_RETENTION_DAYS).catch((error) => this.options.onError?.(error));
    };
    this.pruneTimer = setInterval(prune, 60 * 60 * 1000);
    this.pruneTimer.unref();
    const sweep = () => {
      this.chain = this.chain
        .then(() => this.recover())
        .then(() => {})
        .catch((error: unknown) => this.options.onError?.(error));
    };
    sweep();
    this.sweepTimer = setInterval(sweep, JOURNAL_STALE_MS);
    this.sweepTimer.unref();
  }

  /**
   * Records the journal rows older than `olderThanMs` that no process took (it stopped between its
   * commit and recording them); returns how many deliveries that created.
   */
  async recover(olderThanMs = JOURNAL_STALE_MS): Promise<number> {
    let created = 0;
    for (;;) {
      const rows = await this.journal.claimStale(olderThanMs, 100);
      if (rows.length === 0) return created;
      const events = rows.flatMap((row) =>
        (row.events as RapportEvent[]).flatMap((e) => announce(e).map((p) => ({ ...p, journal: row.id }))),
      );
      created += await this.record(
        events,
        rows.map((r) => r.id),
      );
    }
  }

  /** Stops listening and waits until what was taken is recorded. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.options.events.setStager(undefined);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.idle();
  }

  /** Resolves once every event taken so far is recorded (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.scheduled || this.pending.length > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      await this.chain;
    }
    await this.chain;
  }

  private take(event: RapportEvent, journal: number | null): void {
    const announced = announce(event);
    if (announced.length === 0) return;
    for (const a of announced) this.pending.push(journal === null ? a : { ...a, journal });
    if (this.scheduled) return;
    this.scheduled = true;
    // Events published together (an ingest batch) are snapshotted and recorded together.
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.pending;
      this.pending = [];
      this.chain = this.chain
        .then(async () => {
          await this.record(batch, [...new Set(batch.flatMap((e) => (e.journal ? [e.journal] : [])))]);
        })
        .catch((error: unknown) => {
          this.options.onError?.(error);
        });
    });
  }

  /**
   * Records deliveries for a batch of events; returns how many. `journal` names the journal rows these
   * events came with: they are deleted in the same transaction, and events of a row another process
   * already took are skipped.
   */
  async record(events: PendingEvent[], journal: number[] = []): Promise<number> {
    const hooks = await this.repo.subscribed();
    const wanted = events.filter((e) => hooks.some((h) => h.events.includes(e.type)));
    if (wanted.length === 0) {
      if (journal.length > 0)
        await this.options.database.db.transaction((tx) => this.journal.take(tx, journal));
      return 0;
    }
    const messageIds = [...new Set(wanted.flatMap((e) => (e.messageId ? [e.messageId] : [])))];
    const conversationIds = [...new Set(wanted.map((e) => e.conversationId))];
    const [messages, conversations, attachments] = await Promise.all([
      this.conversations.messagesByIds(messageIds),
      this.conversations.findSummaries(conversationIds),
      attachmentRepository(this.options.database.db).listFor(messageIds),
    ]);
    const messageById = new Map(messages.map((m) => [m.id, m]));
    const conversationById = new Map(conversations.map((c) => [c.id, c]));
    const attachmentsOf = new Map<string, AttachmentInfo[]>();
    for (const a of attachments)
      attachmentsOf.set(a.messageId, [...(attachmentsOf.get(a.messageId) ?? []), a]);

    const at = this.options.now?.() ?? new Date();
    const { publicUrl } = this.options;
    const rows: Array<NewDelivery & { journal?: number }> = [];
    for (const event of wanted) {
      const summary = conversationById.get(event.conversationId);
      if (!summary) continue; // deleted since
      const conversation = presentConversation(summary, publicUrl);
      let data: Record<string, unknown>;
      if (event.messageId) {
        const message = messageById.get(event.messageId);
        if (!message) continue;
        data = {
          message: presentMessage(message, attachmentsOf.get(message.id) ?? [], publicUrl),
          conversation,
        };
      } else {
        data = { conversation, ...(event.change ? { change: event.change } : {}) };
      }
      const snapshot = eventBody(event.type, data, at);
      for (const hook of hooks) {
        if (!hook.events.includes(event.type)) continue;
        rows.push({
          id: randomUUID(),
          webhookId: hook.id,
          eventId: snapshot.eventId,
          event: snapshot.type,
          body: snapshot.body,
          ...(event.journal ? { journal: event.journal } : {}),
        });
      }
    }
    const created = await this.options.database.db.transaction(async (tx) => {
      const taken = await this.journal.take(tx, journal);
      const mine = rows.filter((r) => r.journal === undefined || taken.has(r.journal));
      return this.enqueue(tx, mine);
    });
    if (created > 0) await this.options.database.notify(JOBS_CHANNEL, WEBHOOK_QUEUE).catch(() => {});
    return created;
  }

  private async enqueue(tx: Db, rows: Array<NewDelivery & { journal?: number }>): Promise<number> {
    const repo = webhookRepository(tx);
    let created = 0;
    for (let i = 0; i < rows.length; i += CHUNK) {
      created += await repo.enqueue(
        rows.slice(i, i + CHUNK).map(({ journal: _, ...row }) => row),
        this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      );
    }
    return created;
  }
}
