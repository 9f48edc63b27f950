/**
 * Authentication: agents with argon2id passwords, browser sessions, and API tokens.
 *
 * Secrets are random 32-byte values; only their SHA-256 is stored, so a database leak reveals no
 * usable session or token. Sessions expire after 30 days without use (sliding): a session used more
 * than a day after its last extension is pushed out to 30 days from now, so an active agent stays
 * signed in while a forgotten browser loses access within a month.
 */
import { createHash, randomBytes } from "node:crypto";
import argon2 from "argon2";
import { AppError } from "../core/errors.ts";
import { type AgentRow, agentRepository } from "../store/agent.repository.ts";
import { auditRepository } from "../store/audit.repository.ts";
import type { Db } from "../store/db.ts";
import { sessionRepository } from "../store/session.repository.ts";
import { tokenRepository } from "../store/token.repository.ts";

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** A session is re-extended at most once per this interval, so reads do not write on every request. */
export const SESSION_RENEW_AFTER_MS = 24 * 60 * 60 * 1000;
/** last_used_at of a token is written at most once per this interval. */
const TOKEN_TOUCH_INTERVAL_MS = 60 * 1000;
export const TOKEN_PREFIX = "rpt_";
export const MIN_PASSWORD_LENGTH = 8;

const ARGON2_OPTIONS = { type: argon2.argon2id } as const;

/** An agent as anyone outside the store may see it: never the password hash. */
export interface PublicAgent {
  id: string;
  email: string | null;
  name: string;
  role: "admin" | "agent";
  signature: string | null;
  avatarUrl: string | null;
  availability: "online" | "away" | "offline";
  createdAt: string;
}

export function publicAgent(row: AgentRow): PublicAgent {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    signature: row.signature,
    avatarUrl: row.avatarUrl,
    availability: row.availability,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Who is making a request. A workspace token acts as no agent. */
export type Principal =
  | { kind: "session"; sessionId: string; agent: PublicAgent }
  | { kind: "token"; tokenId: string; tokenName: string; agent: PublicAgent | null };

export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface AuthServiceOptions {
  now?: () => Date;
}

export class AuthService {
  private readonly agents;
  private readonly sessions;
  private readonly tokens;
  private readonly audit;
  private readonly now: () => Date;
  /** A real hash to verify against when the email is unknown, so timing does not reveal accounts. */
  private dummyHash: Promise<string> | undefined;

  constructor(db: Db, options: AuthServiceOptions = {}) {
    this.agents = agentRepository(db);
    this.sessions = sessionRepository(db);
    this.tokens = tokenRepository(db);
    this.audit = auditRepository(db);
    this.now = options.now ?? (() => new Date());
  }

  /** Creates an agent who can sign in. The password is stored as an argon2id hash. */
  async createAgent(input: {
    email: string;
    name: string;
    password: string;
    role?: "admin" | "agent";
  }): Promise<PublicAgent> {
    const email = normalizeEmail(input.email);
    const name = input.name.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email))
      throw new AppError("bad_request", `"${email}" is not an email address.`);
    if (!name) throw new AppError("bad_request", "The name must not be empty.");
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw new AppError("bad_request", `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
    }
    if (await this.agents.findByEmail(email)) {
      throw new AppError("conflict", `An agent with the email ${email} already exists.`);
    }
    const passwordHash = await argon2.hash(input.password, ARGON2_OPTIONS);
    const row = await this.agents.insert({ email, name, passwordHash, role: input.role ?? "agent" });
    await this.audit.record({
      actorKind: "system",
      action: "agent.created",
      subjectType: "agent",
      subjectId: row.id,
      data: { email, role: row.role },
    });
    return publicAgent(row);
  }

  /** True on a fresh install: no agent can sign in yet, so the first-run page may create the admin. */
  async needsSetup(): Promise<boolean> {
    return (await this.agents.countWithPassword()) === 0;
  }

  private setupRunning: Promise<unknown> | undefined;

  /**
   * First run: creates the admin and signs them in. Refused once any agent can sign in. Calls are
   * serialised in this process, so two quick clicks cannot create two admins.
   */
  async setup(input: { email: string; name: string; password: string }, meta: { ip?: string } = {}) {
    const previous = this.setupRunning ?? Promise.resolve();
    const run = previous
      .catch(() => {})
      .then(async () => {
        if (!(await this.needsSetup())) {
          throw new AppError("forbidden", "Rapport is already set up. Sign in instead.");
        }
        await this.createAgent({ ...input, role: "admin" });
        return this.signIn(input.email, input.password, meta);
      });
    this.setupRunning = run;
    return run;
  }

  /**
   * The agent with this email and password, or null. Takes one argon2 verification whether or not the
   * email exists.
   */
  async verifyPassword(email: string, password: string): Promise<AgentRow | null> {
    const agent = await this.agents.findByEmail(normalizeEmail(email));
    const hash = agent?.passwordHash ?? (await this.getDummyHash());
    let ok = false;
    try {
      ok = await argon2.verify(hash, password);
    } catch {
      ok = false;
    }
    return ok && agent?.passwordHash ? agent : null;
  }

  /** Signs in with email + password; returns the cookie value (shown to no one else) and the agent. */
  async signIn(
    email: string,
    password: string,
    meta: { ip?: string } = {},
  ): Promise<{ token: string; expiresAt: Date; agent: PublicAgent }> {
    const agent = await this.verifyPassword(email, password);
    if (!agent) {
      await this.audit.record({
        actorKind: "system",
        action: "auth.sign_in_failed",
        data: { email: normalizeEmail(email), ip: meta.ip ?? null },
      });
      throw new AppError("unauthorized", "The email or password is not correct.");
    }
    const token = randomSecret();
    const expiresAt = new Date(this.now().getTime() + SESSION_TTL_MS);
    await this.sessions.insert({ id: sha256(token), agentId: agent.id, expiresAt });
    await this.audit.record({
      actorKind: "agent",
      actorId: agent.id,
      action: "auth.sign_in",
      subjectType: "agent",
      subjectId: agent.id,
      data: { ip: meta.ip ?? null },
    });
    return { token, expiresAt, agent: publicAgent(agent) };
  }

  /**
   * The session for a cookie value, or null when unknown or expired. `renewedUntil` is set when the
   * sliding expiry moved, so the caller can refresh the cookie.
   */
  async authenticateSession(cookieValue: string): Promise<{
    principal: Principal & { kind: "session" };
    renewedUntil: Date | null;
    expiresAt: Date;
  } | null> {
    const id = sha256(cookieValue);
    const now = this.now();
    const found = await this.sessions.findActive(id, now);
    if (!found) return null;
    let renewedUntil: Date | null = null;
    const remaining = found.session.expiresAt.getTime() - now.getTime();
    if (SESSION_TTL_MS - remaining > SESSION_RENEW_AFTER_MS) {
      renewedUntil = new Date(now.getTime() + SESSION_TTL_MS);
      await this.sessions.extend(id, renewedUntil);
    }
    return {
      principal: { kind: "session", sessionId: id, agent: publicAgent(found.agent) },
      renewedUntil,
      expiresAt: renewedUntil ?? found.session.expiresAt,
    };
  }

  /** Ends the session for a cookie value (no-op when it does not exist). */
  async signOut(cookieValue: string): Promise<void> {
    const removed = await this.sessions.delete(sha256(cookieValue));
    if (removed) {
      await this.audit.record({
        actorKind: "agent",
        actorId: removed.agentId,
        action: "auth.sign_out",
        subjectType: "agent",
        subjectId: removed.agentId,
      });
    }
  }

  /**
   * Creates an API token acting as the agent with `agentEmail` (or as the workspace when omitted).
   * The returned `token` is the only time the secret exists outside the caller's hands.
   */
  async createToken(input: {
    name: string;
    agentEmail?: string;
  }): Promise<{ id: string; name: string; token: string; agent: PublicAgent | null; createdAt: string }> {
    const name = input.name.trim();
    if (!name) throw new AppError("bad_request", "The token name must not be empty.");
    let agent: AgentRow | undefined;
    if (input.agentEmail !== undefined) {
      agent = await this.agents.findByEmail(normalizeEmail(input.agentEmail));
      if (!agent) throw new AppError("not_found", `No agent has the email ${input.agentEmail}.`);
    }
    const token = `${TOKEN_PREFIX}${randomSecret()}`;
    const row = await this.tokens.insert({ name, tokenHash: sha256(token), agentId: agent?.id ?? null });
    await this.audit.record({
      actorKind: "system",
      action: "token.created",
      subjectType: "api_token",
      subjectId: row.id,
      data: { name, agentId: agent?.id ?? null },
    });
    return {
      id: row.id,
      name,
      token,
      agent: agent ? publicAgent(agent) : null,
      createdAt: row.createdAt.toISOString(),
    };
  }

  /** The principal for a bearer token, or null when unknown or revoked. Records when it was last used. */
  async authenticateToken(token: string): Promise<(Principal & { kind: "token" }) | null> {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const found = await this.tokens.findActiveByHash(sha256(token));
    if (!found) return null;
    const now = this.now();
    const last = found.token.lastUsedAt?.getTime();
    if (last === undefined || now.getTime() - last > TOKEN_TOUCH_INTERVAL_MS) {
      await this.tokens.touch(found.token.id, now);
    }
    return {
      kind: "token",
      tokenId: found.token.id,
      tokenName: found.token.name,
      agent: found.agent ? publicAgent(found.agent) : null,
    };
  }

  /** Revokes a token by id; a revoked token stops working at once. */
  async revokeToken(id: string): Promise<void> {
    const row = await this.tokens.revoke(id, this.now());
    if (!row) throw new AppError("not_found", `No active token has the id ${id}.`);
    await this.audit.record({
      actorKind: "system",
      action: "token.revoked",
      subjectType: "api_token",
      subjectId: id,
    });
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= argon2.hash(randomSecret(), ARGON2_OPTIONS);
    return this.dummyHash;
  }
}
