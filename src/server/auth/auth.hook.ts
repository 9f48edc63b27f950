/**
 * Authentication for `/api/*`: a session cookie or `Authorization: Bearer <token>`. Routes opt out with
 * `config: { public: true }`; everything else under /api requires a principal, so a new route is
 * protected unless it says otherwise.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../core/errors.ts";
import type { AuthService, Principal } from "../../services/auth.service.ts";

export const SESSION_COOKIE = "rapport_session";
/** The double-submit CSRF cookie: readable by the web app, which echoes it in `x-csrf-token`. */
export const CSRF_COOKIE = "rapport_csrf";
export const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route needs no authentication. */
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface CookieSettings {
  secure: boolean;
}

export function sessionCookieOptions(settings: CookieSettings, expires: Date) {
  return { path: "/", httpOnly: true, sameSite: "lax" as const, secure: settings.secure, expires };
}

export function csrfCookieOptions(settings: CookieSettings, expires: Date) {
  return { path: "/", httpOnly: false, sameSite: "lax" as const, secure: settings.secure, expires };
}

/** Sets a fresh CSRF cookie (at sign-in and first run) and returns its value. */
export function issueCsrfCookie(reply: FastifyReply, settings: CookieSettings, expires: Date): string {
  const token = randomBytes(32).toString("base64url");
  reply.setCookie(CSRF_COOKIE, token, csrfCookieOptions(settings, expires));
  return token;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Cookie-authenticated changes must echo the CSRF cookie in the x-csrf-token header: another site can
 * make the browser send our cookies, but cannot read them. Bearer tokens are not sent by browsers on
 * their own, so they need no such check.
 */
function checkCsrf(request: FastifyRequest, reply: FastifyReply, cookies: CookieSettings, expires: Date) {
  const cookie = request.cookies[CSRF_COOKIE];
  if (SAFE_METHODS.has(request.method)) {
    // Sessions from before CSRF cookies existed get one on their next read.
    if (!cookie) issueCsrfCookie(reply, cookies, expires);
    return;
  }
  const header = request.headers[CSRF_HEADER];
  if (!cookie || typeof header !== "string" || !sameSecret(cookie, header)) {
    throw new AppError(
      "csrf",
      `This change needs the ${CSRF_HEADER} header equal to the ${CSRF_COOKIE} cookie (sign in again if the cookie is missing).`,
    );
  }
}

function isPublic(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  // No route matched: let the not-found handler answer 404.
  if (route === undefined) return true;
  if (!route.startsWith("/api/")) return true;
  if (route === "/api/docs" || route.startsWith("/api/docs/")) return true;
  return request.routeOptions.config.public === true;
}

export function createAuthHook(auth: AuthService, cookies: CookieSettings) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (isPublic(request)) return;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) {
        throw new AppError("unauthorized", 'The Authorization header must be "Bearer <token>".');
      }
      const principal = await auth.authenticateToken(match[1]!);
      if (!principal) throw new AppError("unauthorized", "The API token is not valid or has been revoked.");
      request.principal = principal;
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie) {
      const found = await auth.authenticateSession(cookie);
      if (!found) {
        reply.clearCookie(SESSION_COOKIE, { path: "/" });
        throw new AppError("unauthorized", "Your session has expired or was signed out. Sign in again.");
      }
      request.principal = found.principal;
      if (found.renewedUntil) {
        reply.setCookie(SESSION_COOKIE, cookie, sessionCookieOptions(cookies, found.renewedUntil));
        const csrf = request.cookies[CSRF_COOKIE];
        if (csrf) reply.setCookie(CSRF_COOKIE, csrf, csrfCookieOptions(cookies, found.renewedUntil));
      }
      checkCsrf(request, reply, cookies, found.renewedUntil ?? found.expiresAt);
      return;
    }
    throw new AppError(
      "unauthorized",
      'Authentication required: sign in with POST /api/auth/login or send "Authorization: Bearer <token>".',
    );
  };
}

/** The signed-in agent, or a 403 when the request comes from a workspace token. */
export function requireAgent(request: FastifyRequest) {
  const agent = request.principal?.agent;
  if (!agent)
    throw new AppError("forbidden", "This needs a signed-in agent; this API token acts as no agent.");
  return agent;
}

/** The signed-in agent if they are an admin; 403 otherwise. */
export function requireAdmin(request: FastifyRequest) {
  const agent = requireAgent(request);
  if (agent.role !== "admin") throw new AppError("forbidden", "Only an admin can do this.");
  return agent;
}

/** Who is acting, for the audit trail: the agent, or the workspace token. */
export function actorOf(request: FastifyRequest): { kind: "agent" | "token"; id: string | null } {
  const principal = request.principal;
  if (principal?.agent) return { kind: "agent", id: principal.agent.id };
  if (principal?.kind === "token") return { kind: "token", id: principal.tokenId };
  return { kind: "token", id: null };
}
