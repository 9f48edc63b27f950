/**
 * A local Mastodon server for tests and `--demo`: the REST and streaming endpoints Rapport uses, over
 * real HTTP and WebSocket, with accounts, statuses, notifications and conversations kept in memory —
 * and failures on demand (429s with rate-limit headers, 5xx, dropped streams, held, reordered and
 * duplicated events). `GET /` is a tiny status page showing what was posted, so the demo's replies can be
 * seen "on the platform". Not a Mastodon: only what the connector needs, shaped like the real payloads.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { mastodonLength } from "./mastodon.html.ts";

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

interface SimConversation {
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

type StreamName = "user" | "direct";
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
  readonly notifications: SimNotification[] = [];
  readonly conversations: SimConversation[] = [];
  readonly tokens = new Map<string, { accountId: string; scopes: string[] }>();
  readonly apps = new Map<string, { secret: string; redirectUri: string; scopes: string }>();
  private readonly codes = new Map<string, { clientId: string; redirectUri: string; scopes: string }>();
  private readonly idempotency = new Map<string, string>();
  private readonly faults: Fault[] = [];
  private readonly sockets = new Map<WebSocket, Set<StreamName>>();
  private readonly held: Frame[] = [];
  private holding = false;
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
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

  constructor(private readonly options: SimulatorOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.options.log?.(`simulator error: ${(error as Error).message}`);
        if (!res.headersSent) this.json(res, 500, { error: "simulator failure" });
      });
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on("upgrade", (req, socket, head) => this.upgrade(req, socket, head));
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
    for (const ws of this.sockets.keys()) ws.terminate();
    this.wss?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  // ── state ────────────────────────────────────────────────────────────────────────────────────────

  private nextId(): string {
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
      media?: Array<{ type: string; description?: string; file?: string }>;
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
      media_attachments: (options.media ?? []).map((m, i) => ({
        id: `${id}${i}`,
        type: m.type,
        url: `${this.url}/media/${m.file ?? `${id}-${i}.jpg`}`,
        preview_url: `${this.url}/media/small/${m.file ?? `${id}-${i}.jpg`}`,
        remote_url: null,
        description: m.description ?? null,
        blurhash: null,
      })),
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

  /** Edits a status (as its author): a status.update event. */
  edit(id: string, text: string): SimStatus {
    const status = this.statuses.get(id);
    if (!status) throw new Error(`no status ${id}`);
    status.content = this.html(text, status.mentions);
    status.edited_at = new Date().toISOString();
    this.emit(["user"], "status.update", status);
    return status;
  }

  /** Deletes a status: a delete event. */
  remove(id: string): void {
    this.statuses.delete(id);
    this.emit(["user"], "delete", id);
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

  // ── HTTP ─────────────────────────────────────────────────────────────────────────────────────────

  private json(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  }

  private takeFault(method: string, path: string): Fault | null {
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

  private rateHeaders(token: string): { headers: Record<string, string>; exceeded: boolean } {
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

  private async body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (!text) return {};
    if ((req.headers["content-type"] ?? "").includes("application/json")) return JSON.parse(text);
    return Object.fromEntries(new URLSearchParams(text));
  }

  private auth(
    req: IncomingMessage,
    url: URL,
  ): { token: string; account: SimAccount; scopes: string[] } | null {
    const header = req.headers.authorization ?? "";
    const token = /^Bearer (.+)$/i.exec(header)?.[1] ?? url.searchParams.get("access_token") ?? "";
    const grant = this.tokens.get(token);
    const account = grant ? this.accounts.get(grant.accountId) : undefined;
    return grant && account ? { token, account, scopes: grant.scopes } : null;
  }

  private present(c: SimConversation) {
    return {
      id: c.id,
      unread: c.unread,
      accounts: c.accountIds.filter((id) => id !== this.self.id).map((id) => this.accounts.get(id)!),
      last_status: this.statuses.get(c.lastStatusId) ?? null,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const method = req.method ?? "GET";
    const path = url.pathname;
    this.requests.push(`${method} ${path}${url.search}`);
    const fault = this.takeFault(method, path);
    if (fault)
      return this.json(
        res,
        fault.status,
        fault.body ?? { error: `simulated ${fault.status}` },
        fault.headers,
      );

    if (method === "GET" && path === "/") return this.page(res);
    if (method === "GET" && (path === "/api/v1/instance" || path === "/api/v2/instance")) {
      return this.json(res, 200, {
        domain: this.domain,
        uri: this.domain,
        title: "Mastodon simulator (Rapport)",
        version: "4.3.0 (compatible; Rapport simulator)",
        configuration: {
          urls: { streaming: this.url.replace(/^http/, "ws") },
          statuses: {
            max_characters: this.options.maxCharacters ?? 500,
            max_media_attachments: 4,
            characters_reserved_per_url: 23,
          },
        },
      });
    }
    if (method === "POST" && path === "/api/v1/apps") {
      const body = await this.body(req);
      const clientId = randomBytes(16).toString("base64url");
      const secret = randomBytes(24).toString("base64url");
      const redirectUri = String(body.redirect_uris ?? "urn:ietf:wg:oauth:2.0:oob");
      const scopes = String(body.scopes ?? "read");
      this.apps.set(clientId, { secret, redirectUri, scopes });
      return this.json(res, 200, {
        id: this.nextId(),
        name: String(body.client_name ?? "app"),
        redirect_uri: redirectUri,
        redirect_uris: [redirectUri],
        scopes: scopes.split(" "),
        client_id: clientId,
        client_secret: secret,
      });
    }
    if (method === "GET" && path === "/oauth/authorize") {
      // The person is signed in as the brand and approves at once.
      const clientId = url.searchParams.get("client_id") ?? "";
      const app = this.apps.get(clientId);
      const redirectUri = url.searchParams.get("redirect_uri") ?? "";
      if (!app || app.redirectUri !== redirectUri)
        return this.json(res, 400, {
          error: "invalid_client",
          error_description: "unknown client or redirect URI",
        });
      const code = randomBytes(16).toString("base64url");
      this.codes.set(code, { clientId, redirectUri, scopes: url.searchParams.get("scope") ?? app.scopes });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      const state = url.searchParams.get("state");
      if (state) back.searchParams.set("state", state);
      res.writeHead(302, { location: back.toString() });
      return void res.end();
    }
    if (method === "POST" && path === "/oauth/token") {
      const body = await this.body(req);
      const grant = this.codes.get(String(body.code ?? ""));
      const app = this.apps.get(String(body.client_id ?? ""));
      if (!grant || !app || app.secret !== body.client_secret || grant.redirectUri !== body.redirect_uri)
        return this.json(res, 400, {
          error: "invalid_grant",
          error_description:
            "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
        });
      this.codes.delete(String(body.code));
      const token = this.issueToken(this.self.id, grant.scopes.split(" "));
      return this.json(res, 200, {
        access_token: token,
        token_type: "Bearer",
        scope: grant.scopes,
        created_at: Math.floor(Date.now() / 1000),
      });
    }

    const auth = this.auth(req, url);
    if (!auth) return this.json(res, 401, { error: "The access token is invalid" });
    const rate = this.rateHeaders(auth.token);
    if (rate.exceeded) return this.json(res, 429, { error: "Too many requests" }, rate.headers);
    const has = (scope: string) => auth.scopes.some((s) => s === scope || s === scope.split(":")[0]);
    const forbid = () =>
      this.json(res, 403, { error: "This action is outside the authorized scopes" }, rate.headers);
    const ok = (body: unknown) => this.json(res, 200, body, rate.headers);

    if (method === "GET" && path === "/api/v1/accounts/verify_credentials")
      return has("read:accounts") ? ok(auth.account) : forbid();
    if (method === "GET" && path === "/api/v1/apps/verify_credentials")
      return ok({ name: "Rapport", website: null, scopes: auth.scopes });
    if (method === "GET" && path === "/api/v1/notifications") {
      if (!has("read:notifications")) return forbid();
      const types = url.searchParams.getAll("types[]");
      const list = this.notifications.filter(
        (n) =>
          (n.status?.mentions.some((m) => m.id === auth.account.id) || n.type !== "mention") &&
          (types.length === 0 || types.includes(n.type)),
      );
      return ok(this.page_(list, url, (n) => n.id));
    }
    if (method === "GET" && path === "/api/v1/conversations") {
      if (!has("read:statuses")) return forbid();
      const mine = this.conversations.filter((c) => c.accountIds.includes(auth.account.id));
      return ok(this.page_(mine, url, (c) => c.lastStatusId).map((c) => this.present(c)));
    }
    const statusMatch = /^\/api\/v1\/statuses\/(\d+)$/.exec(path);
    if (method === "GET" && statusMatch) {
      if (!has("read:statuses")) return forbid();
      const status = this.statuses.get(statusMatch[1]!);
      return status ? ok(status) : this.json(res, 404, { error: "Record not found" }, rate.headers);
    }
    if (method === "POST" && path === "/api/v1/statuses") {
      if (!has("write:statuses")) return forbid();
      const key = req.headers["idempotency-key"];
      const seen = typeof key === "string" ? this.idempotency.get(`${auth.token}:${key}`) : undefined;
      if (seen && this.statuses.has(seen)) return ok(this.statuses.get(seen));
      const body = await this.body(req);
      const text = String(body.status ?? "");
      const limit = this.options.maxCharacters ?? 500;
      if (!text.trim())
        return this.json(res, 422, { error: "Validation failed: Text can't be blank" }, rate.headers);
      if (mastodonLength(text) > limit)
        return this.json(
          res,
          422,
          { error: `Validation failed: Text character limit of ${limit} exceeded` },
          rate.headers,
        );
      const inReplyTo = body.in_reply_to_id ? String(body.in_reply_to_id) : null;
      if (inReplyTo && !this.statuses.has(inReplyTo))
        return this.json(res, 404, { error: "Record not found" }, rate.headers);
      const visibility =
        (["public", "unlisted", "private", "direct"] as const).find((v) => v === body.visibility) ?? "public";
      const status = this.post(auth.account, text, { visibility, inReplyToId: inReplyTo });
      if (typeof key === "string") this.idempotency.set(`${auth.token}:${key}`, status.id);
      const parent = inReplyTo ? (this.statuses.get(inReplyTo) ?? null) : null;
      this.options.log?.(
        `mastodon simulator: @${auth.account.acct} posted (${visibility}${parent ? `, in reply to @${parent.account.acct}` : ""}): ${SimStatus_text(status)}`,
      );
      this.options.onPost?.(status, parent);
      return ok(status);
    }
    return this.json(res, 404, { error: "Record not found" });
  }

  /** Mastodon's id pagination: max_id (older than), since_id (newer, newest page), min_id (newer, next page). */
  private page_<T>(items: T[], url: URL, idOf: (item: T) => string): T[] {
    const cmp = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
    const limit = Math.min(80, Number(url.searchParams.get("limit") ?? 40) || 40);
    const max = url.searchParams.get("max_id");
    const since = url.searchParams.get("since_id");
    const min = url.searchParams.get("min_id");
    let list = [...items].sort((a, b) => cmp(idOf(b), idOf(a)));
    if (max) list = list.filter((i) => cmp(idOf(i), max) < 0);
    if (since) list = list.filter((i) => cmp(idOf(i), since) > 0);
    if (min) {
      list = list.filter((i) => cmp(idOf(i), min) > 0);
      return list.slice(-limit);
    }
    return list.slice(0, limit);
  }

  private upgrade(req: IncomingMessage, socket: import("node:stream").Duplex, head: Buffer) {
    const url = new URL(req.url ?? "/", this.url);
    const refuse = (status: number, text: string) => {
      socket.write(
        `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ error: text })}`,
      );
      socket.destroy();
    };
    if (url.pathname !== "/api/v1/streaming") return refuse(404, "Not Found");
    if (!this.streaming) return refuse(502, "Bad Gateway");
    const auth = this.auth(req, url);
    if (!auth) return refuse(401, "Unauthorized");
    if (!auth.scopes.some((s) => s === "read" || s === "read:statuses")) return refuse(403, "Forbidden");
    this.wss!.handleUpgrade(req, socket, head, (ws) => {
      const streams = new Set<StreamName>();
      const first = url.searchParams.get("stream");
      if (first === "user" || first === "direct") streams.add(first);
      this.sockets.set(ws, streams);
      ws.on("message", (data) => {
        try {
          const message = JSON.parse(String(data)) as { type?: string; stream?: string };
          if (message.stream !== "user" && message.stream !== "direct") return;
          if (message.type === "subscribe") streams.add(message.stream);
          if (message.type === "unsubscribe") streams.delete(message.stream);
        } catch {}
      });
      ws.on("close", () => this.sockets.delete(ws));
    });
  }

  private page(res: ServerResponse): void {
    const rows = [...this.statuses.values()]
      .slice(-100)
      .reverse()
      .map((s) => {
        const mine = s.account.id === this.self.id;
        return `<li class="${mine ? "ours" : ""}"><b>${esc(s.account.display_name)}</b> @${esc(s.account.acct)} · ${esc(s.visibility)} · ${esc(s.created_at)}${s.in_reply_to_id ? " · reply" : ""}<pre>${esc(MastodonSimulator.text(s))}</pre></li>`;
      })
      .join("");
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
    });
    res.end(
      `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Mastodon simulator</title><style>body{font:14px system-ui;margin:2em;max-width:50em}li{list-style:none;border-bottom:1px solid #ddd;padding:.5em 0}.ours{background:#eef6ff}pre{white-space:pre-wrap;font:inherit;margin:.3em 0}</style><h1>Mastodon simulator</h1><p>${esc(this.domain)} — the brand is @${esc(this.self.acct)}; its posts (Rapport's replies) are highlighted. Refreshes every 5 s.</p><ul>${rows}</ul>`,
    );
  }
}

const SimStatus_text = (s: SimStatus) => MastodonSimulator.text(s).replace(/\s+/g, " ").slice(0, 200);
