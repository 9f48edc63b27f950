/**
 * The contract every platform connector implements: parse inbound payloads into canonical messages,
 * verify webhooks, send replies, and optionally poll or stream with a stored cursor. Adding a platform is
 * one folder under src/channels/ and one line in registry.ts; every connector passes the shared contract
 * suite (contract.ts).
 */
import type { z } from "zod";
import type { NormalizeResult } from "../core/inbound.ts";
import type { SendInput, SendResult } from "../core/outbound.ts";
import type { IngestItem, IngestSummary } from "../services/ingest.types.ts";

export type { NormalizeResult } from "../core/inbound.ts";
export type { SendInput, SendResult } from "../core/outbound.ts";
export { SendError } from "../core/outbound.ts";

/** What a platform lets us do; the workspace hides what a channel cannot. */
export interface Capabilities {
  publicReplies: boolean;
  privateMessages: boolean;
  attachments: boolean;
  edits: boolean;
  deletes: boolean;
}

/** A configured channel as a poller or a connection test sees it: config plus decrypted secrets. */
export interface ConfiguredChannel {
  id: string;
  key: string;
  kind: string;
  name: string;
  config: unknown;
  secrets: Record<string, string>;
}

export interface PollLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

/** A failure a channel ran into, shown on its settings page ("IMAP: auth failed at 10:42"). */
export interface ChannelProblem {
  /** e.g. "imap"; the same names as ConnectionCheck.service. */
  service: string;
  /** The step that failed, as in ConnectionCheck.step ("connect", "auth", …), when known. */
  step?: string;
  /** The server's own words. Never a secret. */
  message: string;
}

/**
 * How a poll loop reports its health. Call `ok()` after every successful round (connected, fetched what
 * was new — even nothing) and `failed()` when a round fails; the settings page shows "last checked 2 min
 * ago" or the failure with its time. Writes are throttled; calling often is fine.
 */
export interface PollHealth {
  ok(): void;
  failed(problem: ChannelProblem): void;
}

/** What a poll/stream loop gets: where it stopped, how to hand payloads over, and when to stop. */
export interface PollContext {
  channel: ConfiguredChannel;
  /** The position saved last time (`channels.cursor`), or null on the first run. */
  cursor: unknown;
  /** Aborted when the process stops: the loop returns soon after. */
  signal: AbortSignal;
  /** The ingest pipeline: stores each payload raw first, dead-letters what it cannot normalize. */
  ingest(items: IngestItem[]): Promise<IngestSummary>;
  /** Stores the position to resume from; call it only after the payloads before it were ingested. */
  saveCursor(cursor: unknown): Promise<void>;
  /**
   * Report each round's success or failure (ingesting counts as a success, a loop that throws as a
   * failure). ChannelPollers always gives it; optional so a test may call a poll loop without it.
   */
  health?: PollHealth;
  log: PollLog;
  /**
   * The channel's inbound messages received since `since` and not marked deleted, the newest `limit`
   * (for re-checking edits and deletions a stream missed while it was down). ChannelPollers always gives
   * it; optional so a test may call a poll loop without a database.
   */
  recentInbound?(query: { since: Date; limit: number }): Promise<RecentInbound[]>;
}

/** A stored inbound message as a connector sees it when re-checking it on the platform. */
export interface RecentInbound {
  externalId: string;
  receivedAt: Date;
  /** When its last edit was applied (the platform's time), or null. */
  editedAt: Date | null;
}

/** One step of a connection test: what was tried and, when it failed, exactly why. */
export interface ConnectionCheck {
  /** e.g. "imap" or "smtp". */
  service: string;
  ok: boolean;
  /** The step that failed: "dns" | "connect" | "tls" | "auth" | "mailbox" | …; absent when ok. */
  step?: string;
  message: string;
}

/**
 * Something an admin needs after setting a channel up, shown on its settings page: the chat widget's
 * `<script>` snippet, a webhook URL to paste into a platform, … `code` values are shown monospaced with a
 * copy button.
 */
export interface SetupNote {
  label: string;
  value: string;
  code?: boolean;
}

/** What a connector may know about the server when describing a channel's setup. */
export interface SetupContext {
  /** The server's public base URL (RAPPORT_PUBLIC_URL, or http://HOST:PORT), without a trailing slash. */
  publicUrl: string;
}

/**
 * A platform's OAuth flow: `start` prepares it (e.g. registers an app) and says where to send the admin,
 * sealing what `finish` needs into `state`; `finish` turns the platform's answer into the channel's secrets.
 */
export interface ChannelOAuth {
  start(
    config: unknown,
    redirectUri: string,
    state: (pending: Record<string, string>) => string,
  ): Promise<{ authorizeUrl: string }>;
  finish(
    config: unknown,
    redirectUri: string,
    pending: Record<string, string>,
    query: Record<string, string>,
  ): Promise<Record<string, string>>;
}

export interface Connector {
  /** The channel kind this connector serves ("email", "test", …). */
  kind: string;
  capabilities: Capabilities;
  /** The raw-event format its payloads are stored under (default: the kind). */
  format?: string;
  /**
   * Turns one raw payload into a canonical message, or says precisely why it cannot. Pure: no I/O,
   * so a dead letter can be replayed through it later.
   */
  parse?(payload: unknown): NormalizeResult | Promise<NormalizeResult>;
  /** Checks a webhook's signature over the exact raw body. */
  verifyWebhook?(
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer,
    secret: string,
  ): boolean;
  /** Sends a reply; resolves with the platform's id, or throws a SendError with the platform's message. */
  send(input: SendInput): Promise<SendResult>;
  /** Polls or streams until `ctx.signal` aborts, ingesting what arrives and saving the cursor. */
  poll?(ctx: PollContext): Promise<void>;
  /**
   * Setting up a channel of this kind: the shapes of its config and secrets (validated at the API). The
   * workspace draws its set-up form from them (as JSON Schema): give fields a `title`, `description` and
   * `placeholder` with zod's `.meta({ … })`; every field of `secrets` is shown as a password field and
   * never sent back.
   */
  setup?: {
    /** What admins choose from, e.g. "Email (IMAP + SMTP)" (default: the kind). */
    label?: string;
    /** One or two sentences on what this channel connects and what the admin needs at hand. */
    description?: string;
    config: z.ZodType;
    secrets: z.ZodType<Record<string, string>>;
    /** Tries the connection and reports each service's result separately. */
    test(channel: Omit<ConfiguredChannel, "id">): Promise<ConnectionCheck[]>;
    /** What the admin needs after setup (snippets, webhook URLs); never includes secrets. */
    notes?(channel: Omit<ConfiguredChannel, "secrets">, ctx: SetupContext): SetupNote[];
    /**
     * Secrets Rapport creates for the channel (e.g. a webhook signing secret) unless the admin gives
     * them: shown once in the setup answer (and on rotation), never again.
     */
    generateSecrets?(): Record<string, string>;
    /** The identity namespace of the channel's authors (default: the kind). */
    platform?(config: unknown, key: string): string;
    /** Connecting through the platform's OAuth instead of typing secrets (channel-oauth.routes.ts). */
    oauth?: ChannelOAuth;
  };
  /**
   * For `rapport parse`: turns a file in the platform's own form (e.g. a raw .eml) into raw payloads of
   * this connector's format. JSON and JSONL files need no reader.
   */
  readFile?: {
    /** What files it reads, for --help, e.g. "a raw RFC 5322 mail (.eml)". */
    description: string;
    read(content: Buffer, file: { channel: string; modifiedAt: Date }): unknown[];
  };
}

/** Capabilities of a connector that declares nothing special. */
export const NO_CAPABILITIES: Capabilities = {
  publicReplies: false,
  privateMessages: false,
  attachments: false,
  edits: false,
  deletes: false,
};
