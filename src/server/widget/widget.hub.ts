/**
 * The visitors' WebSockets held by this server process. A visitor says `hello` with their token (or
 * gets one), receives their conversation's history, writes (each message through the ingest pipeline,
 * rate-limited per visitor), types, and leaves an email. Whatever happens to their conversation in any
 * process — an agent's reply sent by a worker elsewhere, an agent typing — reaches this process through
 * the realtime bridge (NOTIFY), and the hub pushes it to the sockets of that conversation.
 *
 * A lease on `webchat_visitors.connected_until`, renewed while a socket is open, tells the send worker
 * (in any process) whether a reply reaches the visitor live or must go by email.
 */
import type { WebSocket } from "ws";
import { ANONYMOUS_VISITOR } from "../../channels/webchat/webchat.inbound.ts";
import {
  needsRefresh,
  newVisitorId,
  signVisitorToken,
  verifyVisitorToken,
} from "../../channels/webchat/webchat.token.ts";
import { describeZodError } from "../../core/inbound.ts";
import type { EventBus, RapportEvent } from "../../services/events.ts";
import type { IngestService } from "../../services/ingest.service.ts";
import type { RealtimeBridge } from "../../services/realtime.bridge.ts";
import type { Database } from "../../store/db.ts";
import { presenceRepository } from "../../store/presence.repository.ts";
import { webchatRepository } from "../../store/webchat.repository.ts";
import type { WidgetChannel } from "./widget.channels.ts";
import { type ClientFrame, clientFrame, type ServerFrame } from "./widget.frames.ts";
import { RateLimiter } from "./widget.limits.ts";

export interface WidgetHubOptions {
  /** How long a connection lease lasts without renewal (default 60 s). */
  leaseMs?: number;
  /** How often leases are renewed and sockets pinged (default 20 s). */
  renewMs?: number;
  /** Messages (and contact changes) per visitor: a burst, then a steady rate (default 8, then 1 per 2 s). */
  messages?: { burst: number; perSecond: number };
  /** New visitors per client address (default 20, then 1 per 10 s). */
  newVisitors?: { burst: number; perSecond: number };
  /** A socket that has not said hello after this long is closed (default 10 s). */
  helloTimeoutMs?: number;
}

interface Connection {
  socket: WebSocket;
  channel: WidgetChannel;
  ip: string;
  visitorId: string | null;
  conversationId: string | null;
  pageUrl: string | null;
  /** Messages already pushed to this socket. */
  shown: Set<string>;
  /** The agents last reported typing, joined (so only changes are sent). */
  typing: string;
  alive: boolean;
  /** Frames are handled one after another, in order. */
  queue: Promise<void>;
}

const MAX_SOCKETS_PER_VISITOR = 10;

export class WidgetHub {
  private readonly connections = new Set<Connection>();
  private readonly byConversation = new Map<string, Set<Connection>>();
  private readonly byVisitor = new Map<string, Set<Connection>>();
  private readonly repo;
  private readonly presence;
  private readonly messageLimit: RateLimiter;
  private readonly typingLimit = new RateLimiter(10, 2);
  private readonly visitorLimit: RateLimiter;
  private readonly leaseMs: number;
  private unsubscribe: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly deps: {
      database: Database;
      ingest: Pick<IngestService, "ingest">;
      realtime: Pick<RealtimeBridge, "subscribe">;
      events: EventBus;
      onError?: (error: unknown) => void;
    },
    private readonly options: WidgetHubOptions = {},
  ) {
    this.repo = webchatRepository(deps.database.db);
    this.presence = presenceRepository(deps.database.db);
    const m = options.messages ?? { burst: 8, perSecond: 0.5 };
    this.messageLimit = new RateLimiter(m.burst, m.perSecond);
    const v = options.newVisitors ?? { burst: 20, perSecond: 0.1 };
    this.visitorLimit = new RateLimiter(v.burst, v.perSecond);
    this.leaseMs = options.leaseMs ?? 60_000;
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.deps.realtime.subscribe((event) => {
      this.onEvent(event).catch((error) => this.deps.onError?.(error));
    });
    this.timer = setInterval(() => {
      this.renew().catch((error) => this.deps.onError?.(error));
    }, this.options.renewMs ?? 20_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.timer);
    for (const c of [...this.connections]) c.socket.close(1001, "The server is shutting down.");
    await Promise.allSettled([...this.connections].map((c) => this.release(c)));
  }

  /** Takes over a visitor's socket (its origin already checked). */
  accept(socket: WebSocket, channel: WidgetChannel, ip: string): void {
    const c: Connection = {
      socket,
      channel,
      ip,
      visitorId: null,
      conversationId: null,
      pageUrl: null,
      shown: new Set(),
      typing: "",
      alive: true,
      queue: Promise.resolve(),
    };
    this.connections.add(c);
    const helloTimer = setTimeout(() => {
      if (!c.visitorId) socket.close(1008, "No hello frame: the first frame must be hello.");
    }, this.options.helloTimeoutMs ?? 10_000);
    helloTimer.unref();
    socket.on("pong", () => {
      c.alive = true;
    });
    socket.on("message", (data, isBinary) => {
      c.queue = c.queue
        .then(() => this.onFrame(c, data as Buffer, isBinary))
        .catch((error) => {
          this.deps.onError?.(error);
          this.send(c, { type: "error", code: "internal", message: "Something went wrong on our side." });
        });
    });
    socket.on("close", () => {
      clearTimeout(helloTimer);
      c.queue = c.queue.then(() => this.release(c)).catch((error) => this.deps.onError?.(error));
    });
  }

  /** Open sockets in this process (for tests and health). */
  get size(): number {
    return this.connections.size;
  }

  private send(c: Connection, frame: ServerFrame): void {
    if (c.socket.readyState === c.socket.OPEN) c.socket.send(JSON.stringify(frame));
  }

  private async onFrame(c: Connection, data: Buffer, isBinary: boolean): Promise<void> {
    if (isBinary) {
      this.send(c, { type: "error", code: "bad_request", message: "Frames must be JSON text, not binary." });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data.toString("utf8"));
    } catch (error) {
      this.send(c, {
        type: "error",
        code: "bad_request",
        message: `The frame is not valid JSON: ${(error as Error).message}`,
      });
      return;
    }
    const parsed = clientFrame.safeParse(json);
    if (!parsed.success) {
      const ref = (json as { id?: unknown } | null)?.id;
      this.send(c, {
        type: "error",
        code: "validation_failed",
        message: describeZodError(parsed.error),
        ...(typeof ref === "string" && ref.length <= 64 ? { ref } : {}),
      });
      return;
    }
    const frame = parsed.data;
    if (frame.type === "hello") return this.hello(c, frame);
    if (!c.visitorId) {
      this.send(c, {
        type: "error",
        code: "unauthorized",
        message: "Say hello first (with your visitor token).",
      });
      return;
    }
    if (frame.type === "message") return this.message(c, frame);
    if (frame.type === "typing") return this.typing(c, frame.typing);
    return this.contact(c, frame);
  }

  private async hello(c: Connection, frame: Extract<ClientFrame, { type: "hello" }>): Promise<void> {
    if (c.visitorId) {
      this.send(c, { type: "error", code: "bad_request", message: "This socket already said hello." });
      return;
    }
    const now = new Date();
    let visitorId: string | null = null;
    let token: string | null = null;
    let reset: string | undefined;
    if (frame.token) {
      const check = verifyVisitorToken(frame.token, c.channel.visitorKey, c.channel.id, now);
      if (check.ok) {
        visitorId = check.claims.visitorId;
        token = needsRefresh(check.claims, now)
          ? signVisitorToken({ ...check.claims, issuedAt: now }, c.channel.visitorKey)
          : frame.token;
      } else {
        reset = check.reason;
      }
    }
    if (!visitorId) {
      const wait = this.visitorLimit.take(`${c.channel.id}:${c.ip}`);
      if (wait > 0) {
        this.send(c, {
          type: "error",
          code: "rate_limited",
          message: `Too many new visitors from this address. Try again in ${wait} seconds.`,
        });
        c.socket.close(1013, "Rate limited");
        return;
      }
      visitorId = newVisitorId();
      token = signVisitorToken({ visitorId, channelId: c.channel.id, issuedAt: now }, c.channel.visitorKey);
    }
    const key = `${c.channel.id}:${visitorId}`;
    if ((this.byVisitor.get(key)?.size ?? 0) >= MAX_SOCKETS_PER_VISITOR) {
      this.send(c, {
        type: "error",
        code: "rate_limited",
        message: "Too many open chat windows; close one.",
      });
      c.socket.close(1013, "Too many sockets");
      return;
    }
    c.visitorId = visitorId;
    c.pageUrl = frame.pageUrl ?? null;
    add(this.byVisitor, key, c);
    // A returning visitor's lease starts now; one who has never written is not stored at all.
    await this.repo.setConnected(c.channel.id, [visitorId], new Date(now.getTime() + this.leaseMs));
    const [conversationId, visitor] = await Promise.all([
      this.repo.conversationOf(c.channel.id, c.channel.platform, visitorId),
      this.repo.visitor(c.channel.id, visitorId),
    ]);
    const messages = conversationId ? await this.repo.history(conversationId) : [];
    if (conversationId) this.join(c, conversationId);
    for (const m of messages) c.shown.add(m.id);
    this.send(c, {
      type: "welcome",
      token: token!,
      visitorId,
      ...(reset ? { reset } : {}),
      contact: visitor?.email ? { email: visitor.email, name: visitor.name } : null,
      messages,
    });
    if (conversationId) await this.pushTyping(conversationId, [c]);
  }

  private async message(c: Connection, frame: Extract<ClientFrame, { type: "message" }>): Promise<void> {
    const wait = this.messageLimit.take(`${c.channel.id}:${c.visitorId}`);
    if (wait > 0) {
      this.send(c, {
        type: "error",
        code: "rate_limited",
        message: `Too many messages. Wait ${wait} seconds before sending more.`,
        ref: frame.id,
      });
      return;
    }
    await this.repo.touch(c.channel.id, c.visitorId!, c.pageUrl, this.lease());
    const visitor = await this.repo.visitor(c.channel.id, c.visitorId!);
    const summary = await this.deps.ingest.ingest([
      {
        source: "widget",
        format: "webchat",
        payload: {
          channel: c.channel.key,
          visitorId: c.visitorId,
          clientId: frame.id,
          text: frame.text,
          receivedAt: new Date().toISOString(),
          visitor: visitor ? { name: visitor.name, email: visitor.email } : null,
          pageUrl: c.pageUrl,
        },
      },
    ]);
    const outcome = summary.outcomes[0];
    if (outcome?.status === "stored") {
      // Every socket of this visitor in this process follows the conversation from now on.
      for (const other of this.byVisitor.get(`${c.channel.id}:${c.visitorId}`) ?? [])
        if (!other.conversationId) this.join(other, outcome.conversationId);
      this.send(c, { type: "ack", id: frame.id, messageId: outcome.messageId, duplicate: false });
      this.deps.events.publish([
        { type: "visitor.typing", conversationId: outcome.conversationId, typing: false },
      ]);
    } else if (outcome?.status === "duplicate") {
      this.send(c, { type: "ack", id: frame.id, messageId: outcome.messageId ?? "", duplicate: true });
    } else {
      this.send(c, {
        type: "error",
        code: "validation_failed",
        message: outcome?.status === "dead_letter" ? outcome.reason : "The message was not stored.",
        ref: frame.id,
      });
    }
  }

  private typing(c: Connection, typing: boolean): void {
    if (!c.conversationId) return;
    // Typing is a hint: beyond the limit it is dropped, never an error.
    if (this.typingLimit.take(`${c.channel.id}:${c.visitorId}`) > 0) return;
    this.deps.events.publish([{ type: "visitor.typing", conversationId: c.conversationId, typing }]);
  }

  private async contact(c: Connection, frame: Extract<ClientFrame, { type: "contact" }>): Promise<void> {
    const wait = this.messageLimit.take(`${c.channel.id}:${c.visitorId}`);
    if (wait > 0) {
      this.send(c, {
        type: "error",
        code: "rate_limited",
        message: `Too many changes. Wait ${wait} seconds.`,
      });
      return;
    }
    // The contact, its display, and the event's journal entry (outbound webhooks) commit together.
    const conversationId = c.conversationId;
    const { known, journal, events } = await this.deps.database.db.transaction(async (tx) => {
      const repo = webchatRepository(tx);
      await repo.setContact(
        c.channel.id,
        c.visitorId!,
        { email: frame.email, name: frame.name ?? null },
        this.lease(),
      );
      const shown = await repo.showContact(
        { platform: c.channel.platform, visitorId: c.visitorId!, anonymous: ANONYMOUS_VISITOR },
        frame.email,
        frame.name ?? null,
      );
      const updated: RapportEvent[] =
        shown && conversationId ? [{ type: "conversation.updated", conversationId }] : [];
      return { known: shown, events: updated, journal: await this.deps.events.stage(tx, updated) };
    });
    if (known && events.length > 0) this.deps.events.publish(events, journal);
    for (const other of this.byVisitor.get(`${c.channel.id}:${c.visitorId}`) ?? [])
      this.send(other, { type: "contact", email: frame.email });
  }

  private lease(): Date {
    return new Date(Date.now() + this.leaseMs);
  }

  private join(c: Connection, conversationId: string): void {
    c.conversationId = conversationId;
    add(this.byConversation, conversationId, c);
  }

  private async release(c: Connection): Promise<void> {
    if (!this.connections.delete(c)) return;
    if (c.conversationId) remove(this.byConversation, c.conversationId, c);
    if (!c.visitorId) return;
    const key = `${c.channel.id}:${c.visitorId}`;
    remove(this.byVisitor, key, c);
    // The visitor's last socket here: they are gone unless another process renews the lease.
    if (!this.byVisitor.has(key)) await this.repo.setConnected(c.channel.id, [c.visitorId], null);
  }

  private async renew(): Promise<void> {
    const byChannel = new Map<string, string[]>();
    for (const c of this.connections) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
      if (c.visitorId)
        (byChannel.get(c.channel.id) ?? byChannel.set(c.channel.id, []).get(c.channel.id)!).push(c.visitorId);
    }
    const until = new Date(Date.now() + this.leaseMs);
    for (const [channelId, visitors] of byChannel)
      await this.repo.setConnected(channelId, [...new Set(visitors)], until);
  }

  private async onEvent(event: RapportEvent): Promise<void> {
    const conns = this.byConversation.get(event.conversationId);
    if (!conns || conns.size === 0) return;
    if (event.type === "message.created" || event.type === "message.updated") {
      const message = await this.repo.message(event.messageId);
      if (!message) return;
      for (const c of conns) {
        if (c.shown.has(message.id)) continue;
        c.shown.add(message.id);
        this.send(c, { type: "message", message });
      }
    } else if (event.type === "presence.changed") {
      await this.pushTyping(event.conversationId, [...conns]);
    }
  }

  /** Tells the sockets which agents are writing a reply now (presence "replying"). */
  private async pushTyping(conversationId: string, conns: Connection[]): Promise<void> {
    const agents = (await this.presence.active(conversationId, new Date()))
      .filter((p) => p.activity === "replying")
      .map((p) => p.name);
    const key = agents.join("\n");
    for (const c of conns) {
      if (c.typing === key) continue;
      c.typing = key;
      this.send(c, { type: "typing", typing: agents.length > 0, agents });
    }
  }
}

function add<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

function remove<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
