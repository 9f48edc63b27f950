/** Sign in, sign out, and who am I. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AuthService } from "../../services/auth.service.ts";
import { agentSchema, errorSchema } from "../api.schemas.ts";
import {
  type CookieSettings,
  CSRF_COOKIE,
  issueCsrfCookie,
  SESSION_COOKIE,
  sessionCookieOptions,
} from "../auth/auth.hook.ts";

export interface AuthRoutesOptions {
  auth: AuthService;
  cookies: CookieSettings;
  /** Sign-in attempts allowed per client address per window. */
  loginRateLimit: { max: number; timeWindow: number | string };
}

export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, options) => {
  const { auth, cookies } = options;

  app.post(
    "/api/auth/login",
    {
      config: { public: true, rateLimit: options.loginRateLimit },
      schema: {
        tags: ["auth"],
        summary: "Sign in with email and password; sets the rapport_session cookie",
        security: [],
        body: z.object({
          email: z.string().trim().min(1, "must not be empty").max(320),
          password: z.string().min(1, "must not be empty").max(1024),
        }),
        response: { 200: z.object({ agent: agentSchema }), 401: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const { token, expiresAt, agent } = await auth.signIn(request.body.email, request.body.password, {
        ip: request.ip,
      });
      reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(cookies, expiresAt));
      issueCsrfCookie(reply, cookies, expiresAt);
      return { agent };
    },
  );

  app.get(
    "/api/setup",
    {
      config: { public: true },
      schema: {
        tags: ["auth"],
        summary: "Whether this is a fresh install that needs its first admin (no agent can sign in)",
        security: [],
        response: { 200: z.object({ needsSetup: z.boolean() }) },
      },
    },
    async () => ({ needsSetup: await auth.needsSetup() }),
  );

  app.post(
    "/api/setup",
    {
      config: { public: true, rateLimit: options.loginRateLimit },
      schema: {
        tags: ["auth"],
        summary: "First run: create the admin and sign in (only while no agent can sign in)",
        security: [],
        body: z.object({
          email: z.string().trim().min(1, "must not be empty").max(320),
          name: z.string().trim().min(1, "must not be empty").max(200),
          password: z.string().min(1, "must not be empty").max(1024),
        }),
        response: {
          201: z.object({ agent: agentSchema }),
          400: errorSchema,
          403: errorSchema,
          429: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { token, expiresAt, agent } = await auth.setup(request.body, { ip: request.ip });
      reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(cookies, expiresAt));
      issueCsrfCookie(reply, cookies, expiresAt);
      return reply.status(201).send({ agent });
    },
  );

  app.post(
    "/api/auth/logout",
    {
      schema: {
        tags: ["auth"],
        summary: "Sign out: ends the session and clears the cookie",
        response: { 200: z.object({ ok: z.literal(true) }), 401: errorSchema },
      },
    },
    async (request, reply) => {
      const cookie = request.cookies[SESSION_COOKIE];
      if (request.principal?.kind === "session" && cookie) await auth.signOut(cookie);
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      reply.clearCookie(CSRF_COOKIE, { path: "/" });
      return { ok: true as const };
    },
  );

  app.get(
    "/api/auth/me",
    {
      schema: {
        tags: ["auth"],
        summary: "The current agent (null for a workspace API token) and how the request authenticated",
        response: {
          200: z.object({
            agent: agentSchema.nullable(),
            via: z.enum(["session", "token"]),
            token: z.object({ id: z.uuid(), name: z.string() }).nullable(),
          }),
          401: errorSchema,
        },
      },
    },
    async (request) => {
      const principal = request.principal!;
      return {
        agent: principal.agent,
        via: principal.kind,
        token: principal.kind === "token" ? { id: principal.tokenId, name: principal.tokenName } : null,
      };
    },
  );
};
