/**
 * What sending a reply needs and returns, shared by the outbox (services, jobs) and the connectors
 * (channels). Pure types and one error class; the Connector interface lives in channels/connector.ts.
 */

export interface OutboundChannel {
  id: string;
  key: string;
  kind: string;
  platform: string;
  name: string;
  config: unknown;
  /** The channel's decrypted secrets (passwords, tokens); empty when it has none. */
  secrets?: Record<string, string>;
}

export interface OutboundConversation {
  id: string;
  threadKey: string;
  visibility: "public" | "private";
  subject: string | null;
  /** The person's identity on this channel, when known (handle for mentions, external id for DMs). */
  recipient: { externalId: string; handle: string | null; displayName: string | null } | null;
}

export interface OutboundMessage {
  id: string;
  text: string;
  visibility: "public" | "private";
  authorName: string | null;
  /**
   * When the reply was written (stored). With the id, it lets a connector derive keys that are the same
   * on every attempt (Bluesky record keys), so a retried send does not post twice.
   */
  createdAt?: Date;
}

export interface SendInput {
  channel: OutboundChannel;
  conversation: OutboundConversation;
  message: OutboundMessage;
  /** The platform id of the message this answers (the newest inbound message), if any. */
  replyToExternalId: string | null;
  /** The platform ids of the thread's messages, oldest first (email's References). */
  threadExternalIds?: string[];
}

export interface SendResult {
  /** The platform's id for the sent message. */
  externalId: string;
}

/**
 * A platform's refusal, with the platform's own words. `retryable: false` means trying again cannot
 * help (bad content, revoked permission): the outbox stops retrying and leaves it to a person.
 */
export class SendError extends Error {
  constructor(
    message: string,
    readonly retryable = true,
  ) {
    super(message);
    this.name = "SendError";
  }
}

/** Finds the sender for a channel kind. */
export interface ConnectorLookup {
  get(kind: string): { send(input: SendInput): Promise<SendResult> } | undefined;
}
