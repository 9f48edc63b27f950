/**
 * What outbound webhooks announce: the event types admins subscribe to, how the in-process bus's events
 * map onto them, and the JSON body each delivery carries — a snapshot of the message and conversation
 * taken when the event is seen (just after its transaction committed), so a receiver needs no API call
 * and every retry or redelivery sends the same bytes. Shapes documented in docs/channels/webhooks.md.
 */

import { randomUUID } from "node:crypto";
import { type AttachmentState, attachmentState } from "../store/attachment.repository.ts";
import type { ConversationSummary, MessageDetail } from "../store/conversation.repository.ts";
import type { RapportEvent } from "./events.ts";

export const WEBHOOK_EVENTS = [
  "message.created",
  "message.updated",
  "conversation.created",
  "conversation.updated",
  "conversation.status_changed",
  "conversation.resolved",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** The event "send test event" delivers; nobody subscribes to it. */
export const TEST_EVENT = "webhook.test";

export const WEBHOOK_EVENT_DESCRIPTIONS: Record<WebhookEventType, string> = {
  "message.created": "a message was stored: a person wrote, an agent replied, or a note was added",
  "message.updated": "a reply's delivery changed (sent, failed)",
  "conversation.created": "a new conversation started",
  "conversation.updated": "anything about a conversation changed: a message, status, assignee, labels",
  "conversation.status_changed": "a conversation was resolved, reopened, set waiting or marked spam",
  "conversation.resolved": "a conversation was resolved",
};

/** One event to announce, before its snapshot is taken. */
export interface PendingEvent {
  type: WebhookEventType;
  conversationId: string;
  messageId?: string;
  change?: { status: { from: string; to: string } };
  /** The event_journal row it was staged in (webhook.dispatcher.ts), if any. */
  journal?: number;
}

/** The webhook events one bus event stands for (none for presence). */
export function announce(event: RapportEvent): PendingEvent[] {
  switch (event.type) {
    case "message.created":
    case "message.updated":
      return [{ type: event.type, conversationId: event.conversationId, messageId: event.messageId }];
    case "conversation.created":
      return [{ type: event.type, conversationId: event.conversationId }];
    case "conversation.updated": {
      const out: PendingEvent[] = [{ type: event.type, conversationId: event.conversationId }];
      if (event.status) {
        const change = { status: event.status };
        out.push({ type: "conversation.status_changed", conversationId: event.conversationId, change });
        if (event.status.to === "resolved")
          out.push({ type: "conversation.resolved", conversationId: event.conversationId, change });
      }
      return out;
    }
    case "presence.changed":
    case "visitor.typing":
      return [];
  }
}

export interface AttachmentInfo extends AttachmentState {
  messageId: string;
  position: number;
  filename: string;
  contentType: string;
}

/** A message as webhooks show it (the API's fields, with attachments as links). */
export function presentMessage(row: MessageDetail, attachments: AttachmentInfo[], publicUrl: string) {
  const identity = row.authorIdentity?.id ? row.authorIdentity : null;
  const agent = row.authorAgent?.id ? row.authorAgent : null;
  return {
    id: row.id,
    conversationId: row.conversationId,
    externalId: row.externalId,
    inReplyToExternalId: row.inReplyToExternalId,
    direction: row.direction,
    visibility: row.visibility,
    text: row.text,
    createdAt: row.createdAt,
    receivedAt: row.receivedAt,
    author: identity
      ? { kind: "identity" as const, ...identity }
      : agent
        ? { kind: "agent" as const, ...agent }
        : null,
    deliveryStatus: row.deliveryStatus,
    deliveryError: row.deliveryError,
    sentimentLabel: row.sentimentLabel,
    sentimentScore: row.sentimentScore,
    intent: row.intent,
    urgency: row.urgency,
    spamLabel: row.spamLabel,
    language: row.language,
    attachments: attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      url: `${publicUrl}/api/messages/${row.id}/attachments/${a.position}`,
      // The url answers once the status is "stored" (a file the platform keeps is downloaded after this event).
      status: attachmentState(a).status,
    })),
  };
}

/** A conversation as webhooks show it: the API's summary, with a link to the workspace. */
export function presentConversation(summary: ConversationSummary, publicUrl: string) {
  return { ...summary, url: `${publicUrl}/c/${summary.id}` };
}

export interface Snapshot {
  eventId: string;
  type: string;
  body: string;
}

/** The delivery body: `{ id, type, createdAt, data }`, serialised once. */
export function eventBody(type: string, data: unknown, at: Date, eventId = randomUUID()): Snapshot {
  return { eventId, type, body: JSON.stringify({ id: eventId, type, createdAt: at.toISOString(), data }) };
}
