/** Sign in, sign out, and who am I. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AuthService } from "../../services/auth.service.ts";
import { agentSchema, errorSchema } from "../api.schemas.ts";
import { type CookieSettings, SESSION_COOKIE, sessionCookieOptions } from "../auth/auth.hook.ts";

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
      return { agent };
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
