/**
 * The `send` job: delivers one outbound message through its channel's connector. Success stores the
 * platform's id and `sent`; a failure stores `failed` with the platform's message at once (visible in
 * the workspace) and lets the worker retry with backoff, unless the platform said retrying cannot help.
 */
import { type ConnectorLookup, SendError } from "../core/outbound.ts";
import type { EventBus, RapportEvent } from "../services/events.ts";
import type { SecretBox } from "../services/secrets.ts";
import type { Database } from "../store/db.ts";
import { outboxRepository } from "../store/outbox.repository.ts";
import { type JobHandler, PermanentJobError } from "./worker.ts";

export function sendJob(deps: {
  database: Database;
  events: EventBus;
  connectors: ConnectorLookup;
  /** Decrypts channel secrets (absent: connectors get none). */
  secrets?: SecretBox | null;
}): JobHandler {
  const outbox = outboxRepository(deps.database.db);
  return async (payload) => {
    const messageId = String(payload.messageId ?? "");
    const ctx = await outbox.sendContext(messageId);
    if (!ctx) throw new PermanentJobError(`The message ${messageId} no longer exists.`);
    // Sent already (a retried job after a crash, or a duplicate job): never send twice.
    if (ctx.delivery_status === "sent" || ctx.direction !== "out" || ctx.visibility === "note") return;
    // The delivery status and the event's journal entry (for outbound webhooks) commit together.
    const settle = async (write: (repo: ReturnType<typeof outboxRepository>) => Promise<unknown>) => {
      const events: RapportEvent[] = [
        { type: "message.updated", messageId, conversationId: ctx.conversation_id },
      ];
      const journal = await deps.database.db.transaction(async (tx) => {
        await write(outboxRepository(tx));
        return deps.events.stage(tx, events);
      });
      deps.events.publish(events, journal);
    };
    const connector = deps.connectors.get(ctx.channel_kind);
    if (!connector) {
      const error = `No connector for kind "${ctx.channel_kind}" (channel ${ctx.channel_key}): this channel cannot send replies yet.`;
      await settle((repo) => repo.markFailed(messageId, error));
      throw new PermanentJobError(error);
    }
    try {
      const result = await connector.send({
        channel: {
          id: ctx.channel_id,
          key: ctx.channel_key,
          kind: ctx.channel_kind,
          platform: ctx.channel_platform,
          name: ctx.channel_name,
          config: ctx.channel_config,
          secrets: ctx.channel_secrets && deps.secrets ? deps.secrets.open(ctx.channel_secrets) : {},
        },
        conversation: {
          id: ctx.conversation_id,
          threadKey: ctx.thread_key,
          visibility: ctx.conversation_visibility,
          subject: ctx.subject,
          recipient: ctx.recipient_external_id
            ? {
                externalId: ctx.recipient_external_id,
                handle: ctx.recipient_handle,
                displayName: ctx.recipient_display_name,
              }
            : null,
        },
        message: {
          id: messageId,
          text: ctx.text,
          visibility: ctx.visibility,
          authorName: ctx.author_name,
          createdAt: new Date(ctx.created_at),
        },
        replyToExternalId: ctx.in_reply_to_external_id,
        threadExternalIds: ctx.thread_external_ids ?? [],
      });
      await settle((repo) => repo.markSent(messageId, result.externalId));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await settle((repo) => repo.markFailed(messageId, message));
      if (error instanceof SendError && !error.retryable) throw new PermanentJobError(message);
      throw error;
    }
  };
}
