/**
 * Turns this process's events into webhook deliveries. It listens to the in-process bus only — never to
 * events relayed from other processes — so each event is recorded once, by the process whose transaction
 * produced it, whatever the number of servers and workers; a unique index on (webhook, event id) backs
 * that up. For each batch of events it reads the enabled subscriptions, snapshots the messages and
 * conversations, and writes one delivery + one job per (event, webhook); any worker then delivers it.
 */
import { randomUUID } from "node:crypto";
import { conversationRepository } from "../store/conversation.repository.ts";
import type { Database } from "../store/db.ts";
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
  private pending: PendingEvent[] = [];
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.repo = webhookRepository(options.database.db);
    this.conversations = conversationRepository(options.database.db);
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.options.events.subscribe((event) => this.take(event));
    const prune = () => {
      this.repo.prune(DELIVERY_RETENTION_DAYS).catch((error) => this.options.onError?.(error));
    };
    this.pruneTimer = setInterval(prune, 60 * 60 * 1000);
    this.pruneTimer.unref();
  }

  /** Stops listening and waits until what was taken is recorded. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
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

  private take(event: RapportEvent): void {
    const announced = announce(event);
    if (announced.length === 0) return;
    this.pending.push(...announced);
    if (this.scheduled) return;
    this.scheduled = true;
    // Events published together (an ingest batch) are snapshotted and recorded together.
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.pending;
      this.pending = [];
      this.chain = this.chain
        .then(async () => {
          await this.record(batch);
        })
        .catch((error: unknown) => {
          this.options.onError?.(error);
        });
    });
  }

  /** Records deliveries for a batch of events; returns how many. */
  async record(events: PendingEvent[]): Promise<number> {
    const hooks = await this.repo.subscribed();
    const wanted = events.filter((e) => hooks.some((h) => h.events.includes(e.type)));
    if (wanted.length === 0) return 0;
    const messageIds = [...new Set(wanted.flatMap((e) => (e.messageId ? [e.messageId] : [])))];
    const conversationIds = [...new Set(wanted.map((e) => e.conversationId))];
    const [messages, conversations, attachments] = await Promise.all([
      this.conversations.messagesByIds(messageIds),
      this.conversations.findSummaries(conversationIds),
      this.repo.attachmentsOf(messageIds),
    ]);
    const messageById = new Map(messages.map((m) => [m.id, m]));
    const conversationById = new Map(conversations.map((c) => [c.id, c]));
    const attachmentsOf = new Map<string, AttachmentInfo[]>();
    for (const a of attachments)
      attachmentsOf.set(a.messageId, [...(attachmentsOf.get(a.messageId) ?? []), a]);

    const at = this.options.now?.() ?? new Date();
    const { publicUrl } = this.options;
    const rows: NewDelivery[] = [];
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
        });
      }
    }
    let created = 0;
    for (let i = 0; i < rows.length; i += CHUNK) {
      created += await this.repo.enqueue(
        rows.slice(i, i + CHUNK),
        this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      );
    }
    if (created > 0) await this.options.database.notify(JOBS_CHANNEL, WEBHOOK_QUEUE).catch(() => {});
    return created;
  }
}
