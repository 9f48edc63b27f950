/**
 * A local Mastodon server for tests and `--demo`: the REST and streaming endpoints Rapport uses, over
 * real HTTP and WebSocket, with accounts, statuses, notifications and conversations kept in memory —
 * and failures on demand (429s with rate-limit headers, 5xx, dropped streams, held, reordered and
 * duplicated events). `GET /` is a tiny status page showing what was posted, so the demo's replies can be
 * seen "on the platform". Not a Mastodon: only what the connector needs, shaped like the real payloads.
 * This file holds the state and the controls; mastodon.simulator.http.ts the endpoints.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { handleRequest, handleUpgrade, json } from "./mastodon.simulator.http.ts";

export interface SimAccount {
  id: string;
  username: string;
  acct: string;
  display_name: string;
  url: string;
  avatar: string;
  followers_count: number;
  bot: boolean;
  note: string;
  created_at: string;
}

export interface SimStatus {
  id: string;
  created_at: string;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  visibility: "public" | "unlisted" | "private" | "direct";
  language: string | null;
  spoiler_text: string;
  sensitive: boolean;
  uri: string;
  url: string;
  edited_at: string | null;
  content: string;
  account: SimAccount;
  mentions: Array<{ id: string; username: string; acct: string; url: string }>;
  media_attachments: Array<Record<string, unknown>>;
  reblog: null;
  poll: null;
}

export interface SimNotification {
  id: string;
  type: string;
  created_at: string;
  account: SimAccount;
  status?: SimStatus;
}

export interface SimConversation {
  id: string;
  accountIds: string[];
  lastStatusId: string;
  unread: boolean;
}

/** A failure served instead of the real answer, `times` times, to requests that match. */
export interface Fault {
  method?: string;
  path?: string | RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  times?: number;
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** The instance's domain in accts and URLs (default: the address it listens on). */
  domain?: string;
  maxCharacters?: number;
  /** Requests per window per token before 429 (default: unlimited). */
  rateLimit?: { limit: number; windowMs: number };
  log?(line: string): void;
  /** The brand's account (default @northwind, "Northwind Rail"). */
  self?: { username: string; displayName: string };
  /** Called when the brand's account posts (a reply from Rapport). */
  onPost?(status: SimStatus, inReplyTo: SimStatus | null): void;
}

export type StreamName = "user" | "direct";
interface Frame {
  streams: StreamName[];
  event: string;
  payload: string;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export class MastodonSimulator {
  readonly accounts = new Map<string, SimAccount>();
  readonly statuses = new Map<string, SimStatus>();
  /** Files served at /media/<name> (a status's media, by file name). */
  readonly media = new Map<string, { type: string; bytes: Buffer }>();
  readonly notifications: SimNotification[] = [];
  readonly conversations: SimConversation[] = [];
  readonly tokens = new Map<string, { accountId: string; scopes: string[] }>();
  readonly apps = new Map<string, { secret: string; redirectUri: string; scopes: string }>();
  /** @internal */
  readonly codes = new Map<string, { clientId: string; redirectUri: string; scopes: string }>();
  /** @internal */
  readonly idempotency = new Map<string, string>();
  private readonly faults: Fault[] = [];
  /** @internal */
  readonly sockets = new Map<WebSocket, Set<StreamName>>();
  private readonly held: Frame[] = [];
  private holding = false;
  private server: Server | null = null;
  /** @internal */
  wss: WebSocketServer | null = null;
  private lastId = 0n;
  private windowStart = Date.now();
  private readonly used = new Map<string, number>();
  /** Every request seen, newest last (method, path with query). */
  readonly requests: string[] = [];
  /** Whether the streaming endpoint accepts connections (false: REST only, like a broken proxy). */
  streaming = true;
  url = "";
  domain = "";
  /** The brand's account (the channel's) and its token, with every scope Rapport needs. */
  self!: SimAccount;
  token = "";

  constructor(readonly options: SimulatorOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      handleRequest(this, req, res).catch((error: unknown) => {
        this.options.log?.(`simulator error: ${(error as Error).message}`);
        if (!res.headersSent) json(res, 500, { error: "simulator failure" });
      });
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on("upgrade", (req, socket, head) => handleUpgrade(this, req, socket, head));
    await new Promise<void>((resolve) =>
      this.server!.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", resolve),
    );
    const { port, address } = this.server.address() as AddressInfo;
    this.url = `http://${address}:${port}`;
    this.domain = this.options.domain ?? `${address}:${port}`;
    this.self = this.addAccount(this.options.self?.username ?? "northwind", {
      displayName: this.options.self?.displayName ?? "Northwind Rail",
      followers: 48_210,
    });
    this.token = this.issueToken(this.self.id, ["read", "write"]);
    return this;
  }

  async stop(): Promise<void> {
    // Every stream, frozen ones included (the server tracks them all), then every HTTP connection.
    for (const ws of this.wss?.clients ?? []) ws.terminate();
    this.wss?.close();
    const closed = new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server?.closeAllConnections();
    await closed;
  }

  // ── state ────────────────────────────────────────────────────────────────────────────────────────

  /** @internal A new time-ordered id. */
  nextId(): string {
    // Time-ordered like Mastodon's snowflake ids, so a new simulator's ids sort after an old one's.
    const candidate = (BigInt(Date.now()) << 16n) | 0n;
    this.lastId = candidate > this.lastId ? candidate : this.lastId + 1n;
    return this.lastId.toString();
  }

  addAccount(
    username: string,
    options: { displayName?: string; followers?: number; domain?: string; bot?: boolean } = {},
  ): SimAccount {
    const domain = options.domain ?? this.domain;
    const local = domain === this.domain;
    const id = this.nextId();
    const account: SimAccount = {
      id,
      username,
      acct: local ? username : `${username}@${domain}`,
      display_name: options.displayName ?? username,
      url: `${local ? this.url : `https://${domain}`}/@${username}`,
      avatar: `${this.url}/avatars/${username}.png`,
      followers_count: options.followers ?? 0,
      bot: options.bot ?? false,
      note: "",
      created_at: new Date().toISOString(),
    };
    this.accounts.set(id, account);
    return account;
  }

  issueToken(accountId: string, scopes: string[]): string {
    const token = randomBytes(24).toString("base64url");
    this.tokens.set(token, { accountId, scopes });
    return token;
  }

  private html(text: string, mentions: SimStatus["mentions"]): string {
    const byName = new Map(mentions.map((m) => [m.acct.toLowerCase(), m]));
    const paragraphs = text.split(/\n{2,}/).map((p) =>
      esc(p)
        .replace(/(^|\s)@([\w.-]+(?:@[\w.:-]+)?)/g, (all, pre: string, name: string) => {
          const m = byName.get(name.toLowerCase());
          return m
            ? `${pre}<span class="h-card"><a href="${esc(m.url)}" class="u-url mention">@<span>${esc(m.username)}</span></a></span>`
            : all;
        })
        .replace(/\n/g, "<br>"),
    );
    return paragraphs.map((p) => `<p>${p}</p>`).join("");
  }

  private mentionsIn(text: string): SimStatus["mentions"] {
    const found: SimStatus["mentions"] = [];
    for (const [, name] of text.matchAll(/(?:^|\s)@([\w.-]+(?:@[\w.:-]+)?)/g)) {
      const account = [...this.accounts.values()].find(
        (a) => a.acct.toLowerCase() === name!.toLowerCase() || `${a.username}@${this.domain}` === name,
      );
      if (account && !found.some((m) => m.id === account.id))
        found.push({ id: account.id, username: account.username, acct: account.acct, url: account.url });
    }
    return found;
  }

  /** Creates a status as `author`, with notifications and stream events for the people it mentions. */
  post(
    author: SimAccount,
    text: string,
    options: {
      visibility?: SimStatus["visibility"];
      inReplyToId?: string | null;
      language?: string;
      spoiler?: string;
      /** Files to attach: served at /media/<file> with `bytes` (default: a few bytes naming the file). */
      media?: Array<{
        type: string;
        description?: string;
        file?: string;
        bytes?: Buffer;
        contentType?: string;
      }>;
    } = {},
  ): SimStatus {
    const id = this.nextId();
    const parent = options.inReplyToId ? (this.statuses.get(options.inReplyToId) ?? null) : null;
    const mentions = this.mentionsIn(text);
    const status: SimStatus = {
      id,
      created_at: new Date().toISOString(),
      in_reply_to_id: parent?.id ?? null,
      in_reply_to_account_id: parent?.account.id ?? null,
      visibility: options.visibility ?? "public",
      language: options.language ?? "en",
      spoiler_text: options.spoiler ?? "",
      sensitive: Boolean(options.spoiler),
      uri: `${this.url}/users/${author.username}/statuses/${id}`,
      url: `${this.url}/@${author.username}/${id}`,
      edited_at: null,
      content: this.html(text, mentions),
      account: author,
      mentions,
      media_attachments: (options.media ?? []).map((m, i) => {
        const file = m.file ?? `${id}-${i}.jpg`;
        this.media.set(file, {
          type: m.contentType ?? "image/jpeg",
          bytes: m.bytes ?? Buffer.from(`simulated ${m.type} ${file}`),
        });
        return {
          id: `${id}${i}`,
          type: m.type,
          url: `${this.url}/media/${file}`,
          preview_url: `${this.url}/media/small/${file}`,
          remote_url: null,
          description: m.description ?? null,
          blurhash: null,
        };
      }),
      reblog: null,
      poll: null,
    };
    this.statuses.set(id, status);
    for (const m of mentions) {
      if (m.id === author.id) continue;
      const notification: SimNotification = {
        id: this.nextId(),
        type: "mention",
        created_at: status.created_at,
        account: author,
        status,
      };
      this.notifications.push(notification);
      if (m.id === this.self.id) this.emit(["user"], "notification", notification);
    }
    if (status.visibility === "direct") {
      const participants = [author.id, ...mentions.map((m) => m.id)].sort();
      let conversation = this.conversations.find((c) => c.accountIds.join() === participants.join());
      if (!conversation) {
        conversation = { id: this.nextId(), accountIds: participants, lastStatusId: id, unread: true };
        this.conversations.push(conversation);
      }
      conversation.lastStatusId = id;
      conversation.unread = author.id !== this.self.id;
      if (participants.includes(this.self.id))
        this.emit(["direct"], "conversation", this.present(conversation));
    }
    if (author.id === this.self.id) this.emit(["user"], "update", status);
    return status;
  }

  /** Stores a status as given (e.g. a real payload), so replies to it can be posted. */
  adopt(status: Record<string, unknown> & { id: string }): void {
    this.statuses.set(status.id, status as unknown as SimStatus);
  }

  /**
   * Edits a status (as its author): a status.update event — none with `silent`, like an edit made while
   * no stream was connected (or one a server does not stream: mastodon/mastodon#28258).
   */
  edit(id: string, text: string, options: { silent?: boolean } = {}): SimStatus {
    const status = this.statuses.get(id);
    if (!status) throw new Error(`no status ${id}`);
    status.content = this.html(text, status.mentions);
    status.edited_at = new Date().toISOString();
    if (!options.silent) this.emit(["user"], "status.update", status);
    return status;
  }

  /**
   * Deletes a status: a delete event — none with `silent`, like a deletion while no stream was connected.
   * Like Mastodon, its notifications go too (a catch-up does not see it any more).
   */
  remove(id: string, options: { silent?: boolean } = {}): void {
    this.statuses.delete(id);
    for (let i = this.notifications.length - 1; i >= 0; i--)
      if (this.notifications[i]!.status?.id === id) this.notifications.splice(i, 1);
    if (!options.silent) this.emit(["user"], "delete", id);
  }

  /** Someone favourites one of the brand's posts: a notification that is not a message. */
  favourite(account: SimAccount, statusId: string): SimNotification {
    const notification: SimNotification = {
      id: this.nextId(),
      type: "favourite",
      created_at: new Date().toISOString(),
      account,
      status: this.statuses.get(statusId)!,
    };
    this.notifications.push(notification);
    this.emit(["user"], "notification", notification);
    return notification;
  }

  /** What the brand's account posted (Rapport's replies), oldest first. */
  posted(): SimStatus[] {
    return [...this.statuses.values()].filter((s) => s.account.id === this.self.id);
  }

  /** Plain text of a status, as a person reads it. */
  static text(status: SimStatus): string {
    return status.content
      .replace(/<br>/g, "\n")
      .replace(/<\/p><p>/g, "\n\n")
      .replace(/<[^>]+>/g, "")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, "&");
  }

  // ── failures ─────────────────────────────────────────────────────────────────────────────────────

  inject(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Closes every stream connection abruptly (no close frame), like a proxy restart. */
  dropStreams(): void {
    for (const ws of this.sockets.keys()) ws.terminate();
    this.sockets.clear();
  }

  /** Stops reading from every stream connection without closing it (no pongs, no events): a dead link. */
  freezeStreams(): void {
    for (const ws of this.sockets.keys()) ws.pause();
    this.sockets.clear();
  }

  /** Open stream connections. */
  get streamCount(): number {
    return this.sockets.size;
  }

  /** Holds stream events until `release`. */
  hold(): void {
    this.holding = true;
  }

  /** Sends the held events, optionally in reverse order and each twice. */
  release(options: { reverse?: boolean; duplicate?: boolean } = {}): void {
    this.holding = false;
    const frames = this.held.splice(0);
    if (options.reverse) frames.reverse();
    for (const frame of frames) {
      this.deliver(frame);
      if (options.duplicate) this.deliver(frame);
    }
  }

  /** Forgets the held events, as if they were sent while no stream was connected. */
  discardHeld(): void {
    this.holding = false;
    this.held.splice(0);
  }

  private emit(streams: StreamName[], event: string, payload: unknown): void {
    const frame: Frame = {
      streams,
      event,
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
    };
    if (this.holding) this.held.push(frame);
    else this.deliver(frame);
  }

  private deliver(frame: Frame): void {
    for (const [ws, subscribed] of this.sockets) {
      const streams = frame.streams.filter((s) => subscribed.has(s));
      if (streams.length === 0 || ws.readyState !== ws.OPEN) continue;
      ws.send(JSON.stringify({ stream: streams, event: frame.event, payload: frame.payload }));
    }
  }

  // ── requests ─────────────────────────────────────────────────────────────────────────────────────────

  /** @internal The next injected failure for this request, if any. */
  takeFault(method: string, path: string): Fault | null {
    const i = this.faults.findIndex(
      (f) =>
        (!f.method || f.method === method) &&
        (!f.path || (typeof f.path === "string" ? path.startsWith(f.path) : f.path.test(path))),
    );
    if (i < 0) return null;
    const fault = this.faults[i]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(i, 1);
    return fault;
  }

  /** @internal Counts a request against the rate limit; the headers to send. */
  rateHeaders(token: string): { headers: Record<string, string>; exceeded: boolean } {
    const limit = this.options.rateLimit;
    if (!limit) return { headers: {}, exceeded: false };
    if (Date.now() - this.windowStart >= limit.windowMs) {
      this.windowStart = Date.now();
      this.used.clear();
    }
    const used = (this.used.get(token) ?? 0) + 1;
    this.used.set(token, used);
    return {
      headers: {
        "x-ratelimit-limit": String(limit.limit),
        "x-ratelimit-remaining": String(Math.max(0, limit.limit - used)),
        "x-ratelimit-reset": new Date(this.windowStart + limit.windowMs).toISOString(),
      },
      exceeded: used > limit.limit,
    };
  }

  /** A conversation as the API shows it to the brand. */
  present(c: SimConversation) {
    return {
      id: c.id,
      unread: c.unread,
      accounts: c.accountIds.filter((id) => id !== this.self.id).map((id) => this.accounts.get(id)!),
      last_status: this.statuses.get(c.lastStatusId) ?? null,
    };
  }
}
