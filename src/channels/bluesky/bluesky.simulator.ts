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
 *
 * This file holds the server, sessions and failure injection and composes the parts:
 * bluesky.simulator.records.ts (records, notifications), bluesky.simulator.chat.ts (DMs),
 * bluesky.simulator.jetstream.ts (the stream) and bluesky.simulator.state.ts (accounts, clock).
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { CHAT_PROXY } from "./bluesky.config.ts";
import type { JetstreamEvent } from "./bluesky.inbound.ts";
import { type ChatMessage, SimChat } from "./bluesky.simulator.chat.ts";
import { SimJetstream } from "./bluesky.simulator.jetstream.ts";
import { SimRecords, type StoredRecord } from "./bluesky.simulator.records.ts";
import { type Session, SimAccounts, XrpcFailure } from "./bluesky.simulator.state.ts";

export { cidOf } from "./bluesky.simulator.state.ts";

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

export class BlueskySimulator {
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly accounts = new SimAccounts();
  private readonly jetstream = new SimJetstream();
  private readonly records = new SimRecords(this.accounts, (event) => this.jetstream.emit(event));
  private readonly chat = new SimChat(this.accounts);
  private readonly sessions = new Map<string, Session>();
  private readonly refreshTokens = new Map<string, Session>();
  private readonly failures = new Map<string, Failure[]>();
  /** Every Jetstream event, in emission order (the replay buffer). */
  readonly events: JetstreamEvent[] = this.jetstream.events;
  /** Every XRPC call: its method, proxy, status and, for a failure, the error name (e.g. ExpiredToken). */
  readonly calls: Array<{ nsid: string; proxy: string | null; status: number; error?: string }> = [];
  /** Stream faults applied to live events: send each twice, or swap each pair. */
  readonly stream = this.jetstream.faults;
  readonly accessTtlMs: number;
  url = "";
  jetstreamUrl = "";

  /** Post images by `<did>/<cid>`, served at the CDN's path. */
  readonly images = new Map<string, Buffer>();

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
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.jetstream.subscribe(ws, url));
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
    this.jetstream.drop();
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
    this.accounts.byDid.set(did, {
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
    const account = this.accounts.byHandle(handle);
    const pw = Array.from({ length: 4 }, () => randomBytes(2).toString("hex")).join("-");
    account.appPasswords.set(pw, { privileged });
    return pw;
  }

  refuseDms(handle: string): void {
    this.accounts.byHandle(handle).acceptsDms = false;
  }

  account(handle: string): { did: string; handle: string; displayName: string } {
    const a = this.accounts.byHandle(handle);
    return { did: a.did, handle: a.handle, displayName: a.displayName };
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
    this.jetstream.drop();
  }

  get openStreams(): number {
    return this.jetstream.open;
  }

  // ── what people do (tests and the demo drive these) ─────────────────────────────────────────────
  /**
   * `handle` posts `text`; `@handles` in it become mention facets (UTF-8 byte offsets) and links become
   * link facets. `replyTo` is the URI of the post answered. Returns the new post's URI and CID.
   */
  post(
    handle: string,
    text: string,
    options: { replyTo?: string; createdAt?: string; images?: Array<{ bytes: Buffer; alt?: string }> } = {},
  ) {
    const { images, ...rest } = options;
    const did = this.accounts.byHandle(handle).did;
    const embed = images?.length
      ? {
          $type: "app.bsky.embed.images",
          images: images.map(({ bytes, alt }) => {
            // Served as Bluesky's CDN serves it: /img/feed_fullsize/plain/<did>/<cid>@jpeg.
            const cid = `bafkrei${createHash("sha256").update(bytes).digest("hex").slice(0, 52)}`;
            this.images.set(`${did}/${cid}`, bytes);
            return {
              alt: alt ?? "",
              image: { $type: "blob", ref: { $link: cid }, mimeType: "image/jpeg", size: bytes.length },
            };
          }),
        }
      : undefined;
    return this.records.post(did, text, { ...rest, ...(embed ? { embed } : {}) });
  }

  /** Deletes a post (a Jetstream delete event follows). */
  deletePost(uri: string): void {
    this.records.delete(uri);
  }

  /** `from` sends a DM to `to`; returns the chat message's id and convo id. */
  sendDm(from: string, to: string, text: string): { convoId: string; messageId: string } {
    const a = this.accounts.byHandle(from);
    const b = this.accounts.byHandle(to);
    return this.chat.send(a.did, b.did, text);
  }

  /** Emits arbitrary events on Jetstream (e.g. a real capture: the network's likes, follows, posts). */
  inject(events: JetstreamEvent[]): void {
    for (const event of events) this.jetstream.emit({ ...event, time_us: this.accounts.clock.now() });
  }

  /** Every post's record by URI (what a getRecord returns), for assertions. */
  record(uri: string): StoredRecord | undefined {
    return this.records.get(uri);
  }

  /** The DMs of a convo, oldest first. */
  chatMessages(convoId: string): ChatMessage[] {
    return this.chat.messages(convoId);
  }

  /** Sends a held (reordered) event now, e.g. at the end of a test. */
  flush(): void {
    this.jetstream.flush();
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
    const image = /^\/img\/feed_fullsize\/plain\/([^/]+\/[^/@]+)@jpeg$/.exec(url.pathname);
    if (image) {
      const bytes = this.images.get(decodeURIComponent(image[1]!));
      res.writeHead(bytes ? 200 : 404, { "content-type": bytes ? "image/jpeg" : "text/plain" });
      res.end(bytes ?? "not found");
      return;
    }
    const nsid = url.pathname.replace(/^\/xrpc\//, "");
    const proxy = (req.headers["atproto-proxy"] as string | undefined) ?? null;
    let status = 200;
    let failure: string | undefined;
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
      failure = e.error;
      this.reply(res, e.status, { error: e.error, message: e.message });
    } finally {
      this.calls.push({ nsid, proxy, status, ...(failure ? { error: failure } : {}) });
    }
  }

  private async route(nsid: string, req: IncomingMessage, url: URL, proxy: string | null): Promise<unknown> {
    const q = url.searchParams;
    if (nsid.startsWith("chat.bsky.")) {
      const session = this.auth(req);
      if (proxy !== CHAT_PROXY) throw new XrpcFailure(501, "MethodNotImplemented", "Method Not Implemented");
      if (!session.privileged) throw new XrpcFailure(400, "InvalidToken", "Bad token method");
      return this.chat.route(nsid, session, q, () => this.body(req));
    }
    switch (nsid) {
      case "com.atproto.server.createSession": {
        const { identifier, password } = (await this.body(req)) as { identifier?: string; password?: string };
        const account = this.accounts
          .all()
          .find((a) => a.handle === identifier?.toLowerCase() || a.did === identifier);
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
        return { did: this.accounts.byHandle((q.get("handle") ?? "").toLowerCase()).did };
      }
      case "app.bsky.actor.getProfile": {
        this.auth(req);
        const actor = q.get("actor") ?? "";
        const a = this.accounts.get(actor) ?? this.accounts.byHandle(actor);
        return { did: a.did, handle: a.handle, displayName: a.displayName, labels: [] };
      }
      case "com.atproto.repo.getRecord":
        return this.records.getRecord(q);
      case "com.atproto.repo.createRecord": {
        const session = this.auth(req);
        return this.records.createRecord(session, await this.body(req));
      }
      case "com.atproto.repo.deleteRecord": {
        const session = this.auth(req);
        return this.records.deleteRecord(session, await this.body(req));
      }
      case "app.bsky.notification.listNotifications":
        return this.records.listNotifications(this.auth(req), q);
      default:
        throw new XrpcFailure(501, "MethodNotImplemented", `Method Not Implemented: ${nsid}`);
    }
  }
}
