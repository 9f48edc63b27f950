/**
 * A local Bluesky for tests and demo mode: one HTTP server answering the XRPC endpoints the connector uses
 * (sessions with app passwords, records, handles, profiles, notifications, and the chat service behind
 * the PDS's `atproto-proxy` header) and a Jetstream WebSocket (`/subscribe`, `wantedCollections`,
 * `wantedDids`, `cursor` replay). Stateful: posts made through it appear on its Jetstream and in the
 * addressed accounts' notifications, DMs in both members' chat logs. Failures can be injected: HTTP
 * errors (429 with `ratelimit-reset`, 5xx) on chosen endpoints, dropped streams, duplicated and
 * reordered events. The real PDS from @atproto/dev-env covers records and sessions in tests; this covers
 * what it lacks (Jetstream, the AppView's notifications and profiles, the chat service) and runs the demo,
 * which cannot depend on devDependencies.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { CHAT_PROXY } from "./bluesky.config.ts";
import { type JetstreamEvent, parseAtUri } from "./bluesky.inbound.ts";
import { tidOf } from "./bluesky.tid.ts";

const POST = "app.bsky.feed.post";

interface Account {
  did: string;
  handle: string;
  displayName: string;
  password: string;
  /** App password → may it read DMs ("privileged")? */
  appPasswords: Map<string, { privileged: boolean }>;
  /** false: the account does not accept DMs from us. */
  acceptsDms: boolean;
}
interface StoredRecord {
  uri: string;
  cid: string;
  value: Record<string, unknown>;
  indexedAt: string;
}
interface Session {
  did: string;
  privileged: boolean;
  expiresAt: number;
}
interface Convo {
  id: string;
  members: string[];
  rev: string;
}
interface ChatMessage {
  id: string;
  rev: string;
  text: string;
  facets?: unknown[];
  sender: { did: string };
  sentAt: string;
}
interface LogEntry {
  $type: string;
  rev: string;
  convoId: string;
  message?: ChatMessage & { $type: string };
  relatedProfiles?: unknown[];
}
interface Failure {
  status: number;
  error: string;
  message: string;
  times: number;
  headers?: Record<string, string>;
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** How long access tokens live (default 2 hours); short values exercise session refresh. */
  accessTtlMs?: number;
}

const B32 = "abcdefghijklmnopqrstuvwxyz234567";

/** A CIDv1 (dag-cbor, sha-256) of the JSON, in base32 — the shape of a real record CID. */
export function cidOf(value: unknown): string {
  const bytes = Buffer.concat([
    Buffer.from([0x01, 0x71, 0x12, 0x20]),
    createHash("sha256").update(JSON.stringify(value)).digest(),
  ]);
  let bits = 0;
  let acc = 0;
  let out = "b";
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

class XrpcFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

export class BlueskySimulator {
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly accounts = new Map<string, Account>();
  private readonly records = new Map<string, StoredRecord>();
  private readonly sessions = new Map<string, Session>();
  private readonly refreshTokens = new Map<string, Session>();
  private readonly notifications = new Map<string, Array<Record<string, unknown>>>();
  private readonly convos = new Map<string, Convo>();
  private readonly logs = new Map<string, LogEntry[]>();
  private readonly failures = new Map<string, Failure[]>();
  private readonly sockets = new Set<{ ws: WebSocket; collections: string[]; dids: string[] }>();
  /** Every Jetstream event, in emission order (the replay buffer). */
  readonly events: JetstreamEvent[] = [];
  /** Every XRPC call: method, headers that matter, for assertions. */
  readonly calls: Array<{ nsid: string; proxy: string | null; status: number }> = [];
  private lastMicros = 0;
  private counter = 0;
  /** Stream faults applied to live events: send each twice, or swap each pair. */
  stream = { duplicate: false, reorder: false };
  private held: JetstreamEvent | null = null;
  readonly accessTtlMs: number;
  url = "";
  jetstreamUrl = "";

  constructor(private readonly options: SimulatorOptions = {}) {
    this.accessTtlMs = options.accessTtlMs ?? 2 * 60 * 60 * 1000;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.reply(res, 500, { error: "InternalServerError", message: String(error) });
      });
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on("upgrade", (req, socket, head) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname !== "/subscribe") return socket.destroy();
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.subscribe(ws, url));
    });
    await new Promise<void>((resolve) =>
      this.server!.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", resolve),
    );
    const { port } = this.server.address() as AddressInfo;
    const host = this.options.host ?? "127.0.0.1";
    this.url = `http://${host}:${port}`;
    this.jetstreamUrl = `ws://${host}:${port}/subscribe`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.ws.terminate();
    this.sockets.clear();
    this.wss?.close();
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  // ── accounts ────────────────────────────────────────────────────────────────────────────────────
  /** Creates an account; returns its DID. */
  createAccount(handle: string, options: { displayName?: string; password?: string } = {}): string {
    const did = `did:plc:${createHash("sha256").update(handle).digest("hex").slice(0, 24)}`;
    this.accounts.set(did, {
      did,
      handle,
      displayName: options.displayName ?? handle.split(".")[0]!,
      password: options.password ?? randomBytes(12).toString("hex"),
      appPasswords: new Map(),
      acceptsDms: true,
    });
    return did;
  }

  /** Creates an app password (xxxx-xxxx-xxxx-xxxx); `privileged` grants DM access. */
  createAppPassword(handle: string, privileged: boolean): string {
    const account = this.byHandle(handle);
    const pw = Array.from({ length: 4 }, () => randomBytes(2).toString("hex")).join("-");
    account.appPasswords.set(pw, { privileged });
    return pw;
  }

  refuseDms(handle: string): void {
    this.byHandle(handle).acceptsDms = false;
  }

  account(handle: string): { did: string; handle: string; displayName: string } {
    const a = this.byHandle(handle);
    return { did: a.did, handle: a.handle, displayName: a.displayName };
  }

  private byHandle(handle: string): Account {
    const found = [...this.accounts.values()].find((a) => a.handle === handle);
    if (!found) throw new XrpcFailure(400, "InvalidRequest", `Unable to resolve handle: ${handle}`);
    return found;
  }

  // ── failure injection ───────────────────────────────────────────────────────────────────────────
  /** The next `times` calls to `nsid` fail with `status` (429 sets `ratelimit-reset` `resetInSeconds` ahead). */
  fail(
    nsid: string,
    status: number,
    options: { times?: number; message?: string; resetInSeconds?: number } = {},
  ) {
    const error =
      status === 429 ? "RateLimitExceeded" : status >= 500 ? "InternalServerError" : "InvalidRequest";
    const headers: Record<string, string> =
      status === 429
        ? {
            "ratelimit-limit": "3000",
            "ratelimit-remaining": "0",
            "ratelimit-reset": String(Math.ceil(Date.now() / 1000 + (options.resetInSeconds ?? 1))),
          }
        : {};
    const list = this.failures.get(nsid) ?? [];
    list.push({
      status,
      error,
      message: options.message ?? (status === 429 ? "Rate Limit Exceeded" : "Internal Server Error"),
      times: options.times ?? 1,
      headers,
    });
    this.failures.set(nsid, list);
  }

  /** Removes the failures still pending for `nsid`. */
  clearFailures(nsid: string): void {
    this.failures.delete(nsid);
  }

  /** Closes every open Jetstream connection, as a dropped stream would. */
  dropStreams(): void {
    for (const s of this.sockets) s.ws.terminate();
    this.sockets.clear();
  }

  get openStreams(): number {
    return this.sockets.size;
  }

  // ── what people do (tests and the demo drive these) ─────────────────────────────────────────────
  /**
   * `handle` posts `text`; `@handles` in it become mention facets (UTF-8 byte offsets) and links become
   * link facets. `replyTo` is the URI of the post answered. Returns the new post's URI and CID.
   */
  post(handle: string, text: string, options: { replyTo?: string; createdAt?: string } = {}) {
    const author = this.byHandle(handle);
    const record: Record<string, unknown> = {
      $type: POST,
      text,
      createdAt: options.createdAt ?? new Date().toISOString(),
      langs: ["en"],
    };
    const facets = this.facetsOf(text);
    if (facets.length) record.facets = facets;
    if (options.replyTo) {
      const parent = this.records.get(options.replyTo);
      if (!parent) throw new Error(`no post ${options.replyTo}`);
      const root = (parent.value.reply as { root?: unknown } | undefined)?.root ?? {
        uri: parent.uri,
        cid: parent.cid,
      };
      record.reply = { root, parent: { uri: parent.uri, cid: parent.cid } };
    }
    return this.writeRecord(author.did, POST, record);
  }

  /** Deletes a post (a Jetstream delete event follows). */
  deletePost(uri: string): void {
    const parts = parseAtUri(uri);
    if (!parts || !this.records.delete(uri)) throw new Error(`no post ${uri}`);
    this.emit({
      did: parts.did,
      time_us: this.now(),
      kind: "commit",
      commit: { rev: this.rev(), operation: "delete", collection: parts.collection, rkey: parts.rkey },
    });
  }

  /** `from` sends a DM to `to`; returns the chat message's id and convo id. */
  sendDm(from: string, to: string, text: string): { convoId: string; messageId: string } {
    const a = this.byHandle(from);
    const b = this.byHandle(to);
    const convo = this.convoFor([a.did, b.did]);
    const message = this.addChatMessage(convo, a.did, text);
    return { convoId: convo.id, messageId: message.id };
  }

  /** Emits arbitrary events on Jetstream (e.g. a real capture: the network's likes, follows, posts). */
  inject(events: JetstreamEvent[]): void {
    for (const event of events) this.emit({ ...event, time_us: this.now() });
  }

  /** Every post's record by URI (what a getRecord returns), for assertions. */
  record(uri: string): StoredRecord | undefined {
    return this.records.get(uri);
  }

  /** The DMs of a convo, oldest first. */
  chatMessages(convoId: string): ChatMessage[] {
    const convo = this.convos.get(convoId);
    if (!convo) return [];
    return (this.logs.get(convo.members[0]!) ?? [])
      .filter((l) => l.convoId === convoId && l.$type.endsWith("#logCreateMessage") && l.message)
      .map((l) => l.message!);
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────────
  private now(): number {
    this.lastMicros = Math.max(Date.now() * 1000, this.lastMicros + 1);
    return this.lastMicros;
  }

  private rev(): string {
    return tidOf(this.now(), ++this.counter);
  }

  private facetsOf(text: string): unknown[] {
    const facets: unknown[] = [];
    const bytes = (s: string) => Buffer.byteLength(s, "utf8");
    for (const m of text.matchAll(/(^|\s)(@([a-z0-9.-]+[a-z0-9]))/gi)) {
      const target = [...this.accounts.values()].find((a) => a.handle === m[3]!.toLowerCase());
      if (!target) continue;
      const start = bytes(text.slice(0, m.index + m[1]!.length));
      facets.push({
        index: { byteStart: start, byteEnd: start + bytes(m[2]!) },
        features: [{ $type: "app.bsky.richtext.facet#mention", did: target.did }],
      });
    }
    for (const m of text.matchAll(/https?:\/\/[^\s]+[^\s.,!?)]/g)) {
      const start = bytes(text.slice(0, m.index));
      facets.push({
        index: { byteStart: start, byteEnd: start + bytes(m[0]) },
        features: [{ $type: "app.bsky.richtext.facet#link", uri: m[0] }],
      });
    }
    return facets;
  }

  private writeRecord(did: string, collection: string, value: Record<string, unknown>, rkey?: string) {
    const key = rkey ?? tidOf(this.now(), ++this.counter);
    const uri = `at://${did}/${collection}/${key}`;
    if (this.records.has(uri)) throw new XrpcFailure(400, "InvalidRequest", `Record already exists: ${uri}`);
    const cid = cidOf({ uri, value });
    this.records.set(uri, { uri, cid, value, indexedAt: new Date().toISOString() });
    this.emit({
      did,
      time_us: this.now(),
      kind: "commit",
      commit: { rev: this.rev(), operation: "create", collection, rkey: key, record: value, cid },
    });
    if (collection === POST) this.notify(did, uri, cid, value);
    return { uri, cid };
  }

  /** Notifies mentioned accounts (mention) and the authors of the parent post (reply). */
  private notify(authorDid: string, uri: string, cid: string, record: Record<string, unknown>): void {
    const author = this.accounts.get(authorDid);
    if (!author) return;
    const reasons = new Map<string, string>();
    const parent = (record.reply as { parent?: { uri: string } } | undefined)?.parent?.uri;
    const parentDid = parent ? parseAtUri(parent)?.did : undefined;
    if (parentDid && parentDid !== authorDid) reasons.set(parentDid, "reply");
    for (const f of (record.facets as Array<{ features: Array<{ $type: string; did?: string }> }>) ?? []) {
      for (const feature of f.features) {
        if (
          feature.$type.endsWith("#mention") &&
          feature.did &&
          feature.did !== authorDid &&
          !reasons.has(feature.did)
        )
          reasons.set(feature.did, "mention");
      }
    }
    for (const [did, reason] of reasons) {
      const list = this.notifications.get(did) ?? [];
      list.unshift({
        uri,
        cid,
        author: { did: author.did, handle: author.handle, displayName: author.displayName, labels: [] },
        reason,
        ...(reason === "reply" ? { reasonSubject: parent } : {}),
        record,
        isRead: false,
        indexedAt: new Date().toISOString(),
        labels: [],
      });
      this.notifications.set(did, list);
    }
  }

  private emit(event: JetstreamEvent): void {
    this.events.push(event);
    if (this.stream.reorder) {
      if (!this.held) {
        this.held = event;
        return;
      }
      const first = this.held;
      this.held = null;
      this.broadcast(event);
      this.broadcast(first);
      return;
    }
    this.broadcast(event);
  }

  /** Sends a held (reordered) event now, e.g. at the end of a test. */
  flush(): void {
    if (this.held) this.broadcast(this.held);
    this.held = null;
  }

  private broadcast(event: JetstreamEvent): void {
    for (const s of this.sockets) {
      if (!this.wanted(s, event)) continue;
      const data = JSON.stringify(event);
      s.ws.send(data);
      if (this.stream.duplicate) s.ws.send(data);
    }
  }

  private wanted(s: { collections: string[]; dids: string[] }, e: JetstreamEvent): boolean {
    if (s.dids.length && !s.dids.includes(e.did)) return false;
    if (e.kind !== "commit") return true;
    return s.collections.length === 0 || s.collections.includes(e.commit!.collection);
  }

  private subscribe(ws: WebSocket, url: URL): void {
    const sub = {
      ws,
      collections: url.searchParams.getAll("wantedCollections"),
      dids: url.searchParams.getAll("wantedDids"),
    };
    const cursor = Number(url.searchParams.get("cursor") ?? "");
    if (Number.isFinite(cursor) && cursor > 0) {
      for (const e of this.events) if (e.time_us >= cursor && this.wanted(sub, e)) ws.send(JSON.stringify(e));
    }
    this.sockets.add(sub);
    ws.on("close", () => this.sockets.delete(sub));
    ws.on("error", () => this.sockets.delete(sub));
  }

  private convoFor(members: string[]): Convo {
    const sorted = [...members].sort();
    const id = createHash("sha256").update(sorted.join(",")).digest("hex").slice(0, 13);
    let convo = this.convos.get(id);
    if (!convo) {
      convo = { id, members: sorted, rev: this.rev() };
      this.convos.set(id, convo);
      for (const m of sorted)
        this.log(m, { $type: "chat.bsky.convo.defs#logBeginConvo", rev: convo.rev, convoId: id });
    }
    return convo;
  }

  private addChatMessage(convo: Convo, sender: string, text: string, facets?: unknown[]): ChatMessage {
    const rev = this.rev();
    const message: ChatMessage = {
      id: rev,
      rev,
      text,
      ...(facets?.length ? { facets } : {}),
      sender: { did: sender },
      sentAt: new Date().toISOString(),
    };
    convo.rev = rev;
    for (const m of convo.members) {
      this.log(m, {
        $type: "chat.bsky.convo.defs#logCreateMessage",
        rev,
        convoId: convo.id,
        message: { $type: "chat.bsky.convo.defs#messageView", ...message },
        relatedProfiles: convo.members.map((d) => this.profileBasic(d)),
      });
    }
    return message;
  }

  private log(did: string, entry: LogEntry): void {
    const list = this.logs.get(did) ?? [];
    list.push(entry);
    this.logs.set(did, list);
  }

  private profileBasic(did: string) {
    const a = this.accounts.get(did);
    return { did, handle: a?.handle ?? "handle.invalid", displayName: a?.displayName ?? "", labels: [] };
  }

  private convoView(convo: Convo, viewer: string) {
    const last = (this.logs.get(viewer) ?? [])
      .filter((l) => l.convoId === convo.id && l.message)
      .at(-1)?.message;
    return {
      id: convo.id,
      rev: convo.rev,
      members: convo.members.map((d) => this.profileBasic(d)),
      ...(last ? { lastMessage: last } : {}),
      muted: false,
      status: "accepted",
      unreadCount: 0,
    };
  }

  // ── HTTP ────────────────────────────────────────────────────────────────────────────────────────
  private reply(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  }

  private async body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (chunks.length === 0) return {};
    try {
      return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    } catch {
      throw new XrpcFailure(400, "InvalidRequest", "Request body is not JSON");
    }
  }

  private auth(req: IncomingMessage, refresh = false): Session {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!token) throw new XrpcFailure(401, "AuthMissing", "Authentication Required");
    const session = (refresh ? this.refreshTokens : this.sessions).get(token);
    if (!session) throw new XrpcFailure(400, "InvalidToken", "Token could not be verified");
    if (!refresh && session.expiresAt < Date.now())
      throw new XrpcFailure(400, "ExpiredToken", "Token has expired");
    return session;
  }

  private issue(did: string, privileged: boolean) {
    const accessJwt = `access-${randomBytes(16).toString("hex")}`;
    const refreshJwt = `refresh-${randomBytes(16).toString("hex")}`;
    const session = { did, privileged, expiresAt: Date.now() + this.accessTtlMs };
    this.sessions.set(accessJwt, session);
    this.refreshTokens.set(refreshJwt, session);
    const a = this.accounts.get(did)!;
    return { accessJwt, refreshJwt, did, handle: a.handle, active: true };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const nsid = url.pathname.replace(/^\/xrpc\//, "");
    const proxy = (req.headers["atproto-proxy"] as string | undefined) ?? null;
    let status = 200;
    try {
      const injected = this.failures.get(nsid)?.[0];
      if (injected) {
        injected.times--;
        if (injected.times <= 0) this.failures.get(nsid)!.shift();
        status = injected.status;
        return this.reply(
          res,
          injected.status,
          { error: injected.error, message: injected.message },
          injected.headers,
        );
      }
      const result = await this.route(nsid, req, url, proxy);
      this.reply(res, 200, result);
    } catch (error) {
      const e =
        error instanceof XrpcFailure ? error : new XrpcFailure(500, "InternalServerError", String(error));
      status = e.status;
      this.reply(res, e.status, { error: e.error, message: e.message });
    } finally {
      this.calls.push({ nsid, proxy, status });
    }
  }

  private async route(nsid: string, req: IncomingMessage, url: URL, proxy: string | null): Promise<unknown> {
    const q = url.searchParams;
    if (nsid.startsWith("chat.bsky.")) {
      const session = this.auth(req);
      if (proxy !== CHAT_PROXY) throw new XrpcFailure(501, "MethodNotImplemented", "Method Not Implemented");
      if (!session.privileged) throw new XrpcFailure(400, "InvalidToken", "Bad token method");
      return this.chat(nsid, session, q, req);
    }
    switch (nsid) {
      case "com.atproto.server.createSession": {
        const { identifier, password } = (await this.body(req)) as { identifier?: string; password?: string };
        const account = [...this.accounts.values()].find(
          (a) => a.handle === identifier?.toLowerCase() || a.did === identifier,
        );
        const app = account?.appPasswords.get(password ?? "");
        if (!account || (!app && account.password !== password))
          throw new XrpcFailure(401, "AuthenticationRequired", "Invalid identifier or password");
        return this.issue(account.did, app ? app.privileged : true);
      }
      case "com.atproto.server.refreshSession": {
        const session = this.auth(req, true);
        for (const [k, s] of this.refreshTokens) if (s === session) this.refreshTokens.delete(k);
        return this.issue(session.did, session.privileged);
      }
      case "com.atproto.server.getSession": {
        const session = this.auth(req);
        return { did: session.did, handle: this.accounts.get(session.did)!.handle, active: true };
      }
      case "com.atproto.identity.resolveHandle": {
        return { did: this.byHandle((q.get("handle") ?? "").toLowerCase()).did };
      }
      case "app.bsky.actor.getProfile": {
        this.auth(req);
        const actor = q.get("actor") ?? "";
        const a = this.accounts.get(actor) ?? this.byHandle(actor);
        return { did: a.did, handle: a.handle, displayName: a.displayName, labels: [] };
      }
      case "com.atproto.repo.getRecord": {
        const uri = `at://${q.get("repo")}/${q.get("collection")}/${q.get("rkey")}`;
        const found = this.records.get(uri);
        if (!found) throw new XrpcFailure(400, "RecordNotFound", `Could not locate record: ${uri}`);
        return { uri: found.uri, cid: found.cid, value: found.value };
      }
      case "com.atproto.repo.createRecord": {
        const session = this.auth(req);
        const input = (await this.body(req)) as {
          repo?: string;
          collection?: string;
          rkey?: string;
          record?: Record<string, unknown>;
        };
        if (input.repo !== session.did && input.repo !== this.accounts.get(session.did)?.handle)
          throw new XrpcFailure(400, "InvalidRequest", "Repo does not match the session");
        const record = input.record ?? {};
        if (input.collection === POST) this.validatePost(record);
        const written = this.writeRecord(session.did, input.collection ?? "", record, input.rkey);
        return { ...written, commit: { cid: cidOf(written), rev: this.rev() }, validationStatus: "valid" };
      }
      case "com.atproto.repo.deleteRecord": {
        const session = this.auth(req);
        const input = (await this.body(req)) as { collection?: string; rkey?: string };
        this.deletePost(`at://${session.did}/${input.collection}/${input.rkey}`);
        return {};
      }
      case "app.bsky.notification.listNotifications": {
        const session = this.auth(req);
        const reasons = q.getAll("reasons");
        const limit = Math.min(100, Number(q.get("limit") ?? 50));
        const all = (this.notifications.get(session.did) ?? []).filter(
          (n) => reasons.length === 0 || reasons.includes(n.reason as string),
        );
        const start = Number(q.get("cursor") ?? 0);
        const page = all.slice(start, start + limit);
        return {
          notifications: page,
          ...(start + limit < all.length ? { cursor: String(start + limit) } : {}),
        };
      }
      default:
        throw new XrpcFailure(501, "MethodNotImplemented", `Method Not Implemented: ${nsid}`);
    }
  }

  private validatePost(record: Record<string, unknown>): void {
    const text = record.text;
    if (typeof text !== "string")
      throw new XrpcFailure(
        400,
        "InvalidRequest",
        "Invalid app.bsky.feed.post record: Record/text must be a string",
      );
    const graphemes = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].length;
    if (graphemes > 300)
      throw new XrpcFailure(
        400,
        "InvalidRequest",
        "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
      );
    const reply = record.reply as { parent?: { uri: string }; root?: { uri: string } } | undefined;
    if (reply && (!reply.parent || !reply.root))
      throw new XrpcFailure(
        400,
        "InvalidRequest",
        'Invalid app.bsky.feed.post record: Record/reply must have the properties "root" and "parent"',
      );
  }

  private async chat(
    nsid: string,
    session: Session,
    q: URLSearchParams,
    req: IncomingMessage,
  ): Promise<unknown> {
    switch (nsid) {
      case "chat.bsky.convo.listConvos": {
        const convos = [...this.convos.values()].filter((c) => c.members.includes(session.did));
        return { convos: convos.map((c) => this.convoView(c, session.did)) };
      }
      case "chat.bsky.convo.getLog": {
        const cursor = q.get("cursor") ?? "";
        const logs = (this.logs.get(session.did) ?? []).filter((l) => l.rev > cursor).slice(0, 100);
        return { logs, ...(logs.length ? { cursor: logs.at(-1)!.rev } : {}) };
      }
      case "chat.bsky.convo.getConvoForMembers": {
        const members = q.getAll("members");
        for (const m of members) {
          const a = this.accounts.get(m);
          if (!a) throw new XrpcFailure(400, "InvalidRequest", `Unknown member ${m}`);
          if (!a.acceptsDms && m !== session.did)
            throw new XrpcFailure(400, "InvalidRequest", "recipient has disabled incoming messages");
        }
        return { convo: this.convoView(this.convoFor([session.did, ...members]), session.did) };
      }
      case "chat.bsky.convo.sendMessage": {
        const input = (await this.body(req)) as {
          convoId?: string;
          message?: { text?: string; facets?: unknown[] };
        };
        const convo = this.convos.get(input.convoId ?? "");
        if (!convo?.members.includes(session.did))
          throw new XrpcFailure(400, "InvalidRequest", "Convo not found");
        const other = convo.members.find((m) => m !== session.did);
        if (other && !this.accounts.get(other)?.acceptsDms)
          throw new XrpcFailure(400, "InvalidRequest", "recipient has disabled incoming messages");
        const text = input.message?.text ?? "";
        if (!text.trim()) throw new XrpcFailure(400, "InvalidRequest", "Message text is empty");
        const message = this.addChatMessage(convo, session.did, text, input.message?.facets);
        return { $type: "chat.bsky.convo.defs#messageView", ...message };
      }
      default:
        throw new XrpcFailure(501, "MethodNotImplemented", `Method Not Implemented: ${nsid}`);
    }
  }
}
