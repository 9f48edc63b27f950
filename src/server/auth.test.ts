import { Writable } from "node:stream";
import { eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { fakeIngest, testApp } from "../../test/helpers/server.ts";
import { AuthService, sha256 } from "../services/auth.service.ts";
import { agents, apiTokens, auditEvents, sessions } from "../store/schema.ts";
import { buildApp } from "./app.ts";

const PASSWORD = "hunter2-correct-horse";

function sessionCookie(response: { cookies: { name: string; value: string }[] }) {
  return response.cookies.find((c) => c.name === "rapport_session");
}

describeEachEngine("auth and the HTTP basics", (ctx) => {
  let app: FastifyInstance;
  let auth: AuthService;

  beforeAll(async () => {
    app = await testApp(ctx.database, { loginRateLimit: { max: 4, timeWindow: "1 minute" } });
    auth = new AuthService(ctx.database.db);
    await auth.createAgent({ email: "Ada@Example.com", name: "Ada", password: PASSWORD, role: "admin" });
  });
  afterAll(() => app.close());

  it("answers /api/health without authentication and checks the database", async () => {
    const response = await app.inject({ method: "GET", url: "/api/health" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: "ok", engine: ctx.engine, version: expect.any(String) });
  });

  it("refuses every protected route without credentials, with a clear message", async () => {
    const routes = [
      ["GET", "/api/conversations"],
      ["GET", "/api/conversations/00000000-0000-0000-0000-000000000000"],
      ["GET", "/api/people"],
      ["GET", "/api/people/00000000-0000-0000-0000-000000000000"],
      ["POST", "/api/ingest"],
      ["GET", "/api/auth/me"],
      ["POST", "/api/auth/logout"],
    ] as const;
    for (const [method, url] of routes) {
      const response = await app.inject({ method, url });
      expect(response.statusCode, `${method} ${url}`).toBe(401);
      expect(response.json().error.code).toBe("unauthorized");
      expect(response.json().error.message).toMatch(/Authorization: Bearer/);
    }
  });

  it("answers unknown routes with a JSON 404", async () => {
    const response = await app.inject({ method: "GET", url: "/api/nope" });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toMatchObject({ code: "not_found" });
  });

  it("rejects a wrong password and an unknown email the same way", async () => {
    for (const body of [
      { email: "ada@example.com", password: "wrong password" },
      { email: "nobody@example.com", password: PASSWORD },
    ]) {
      const response = await app.inject({ method: "POST", url: "/api/auth/login", payload: body });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.message).toBe("The email or password is not correct.");
      expect(sessionCookie(response)).toBeUndefined();
    }
  });

  it("signs in with the right password: an httpOnly SameSite=Lax cookie that works until sign-out", async () => {
    const login = await app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { email: "ada@example.com", password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().agent).toMatchObject({ email: "ada@example.com", name: "Ada", role: "admin" });
    expect(JSON.stringify(login.json())).not.toMatch(/hash|argon/i);
    const cookie = sessionCookie(login)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    expect(String(login.headers["set-cookie"])).not.toMatch(/Secure/);
    const csrf = login.cookies.find((c) => c.name === "rapport_csrf")!;
    expect(csrf).toMatchObject({ sameSite: "Lax", path: "/" });
    expect(csrf.httpOnly).toBeFalsy();

    const me = await app.inject({
      method: "GET",
      url: "/api/auth/me",
      cookies: { rapport_session: cookie.value },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ via: "session", agent: { email: "ada@example.com" }, token: null });

    // Only the hash of the cookie value is stored.
    const stored = await ctx.database.db.select().from(sessions);
    expect(stored.map((s) => s.id)).toContain(sha256(cookie.value));
    expect(stored.map((s) => s.id)).not.toContain(cookie.value);

    // Cookie-authenticated changes need the CSRF header (double submit); bearer tokens do not.
    const forged = await app.inject({
      method: "POST",
      url: "/api/auth/logout",
      cookies: { rapport_session: cookie.value, rapport_csrf: csrf.value },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe("csrf");
    const wrong = await app.inject({
      method: "POST",
      url: "/api/auth/logout",
      headers: { "x-csrf-token": "not-it" },
      cookies: { rapport_session: cookie.value, rapport_csrf: csrf.value },
    });
    expect(wrong.statusCode).toBe(403);
    const logout = await app.inject({
      method: "POST",
      url: "/api/auth/logout",
      headers: { "x-csrf-token": csrf.value },
      cookies: { rapport_session: cookie.value, rapport_csrf: csrf.value },
    });
    expect(logout.statusCode).toBe(200);
    const after = await app.inject({
      method: "GET",
      url: "/api/auth/me",
      cookies: { rapport_session: cookie.value },
    });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.message).toMatch(/session has expired or was signed out/);

    const actions = (await ctx.database.db.select().from(auditEvents)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["agent.created", "auth.sign_in", "auth.sign_out"]));
  });

  it("stores the password as an argon2id hash", async () => {
    const [row] = await ctx.database.db.select().from(agents).where(eq(agents.email, "ada@example.com"));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row!.passwordHash).not.toContain(PASSWORD);
  });

  it("accepts a bearer token, records its use, and refuses it once revoked; unknown tokens fail", async () => {
    const created = await auth.createToken({ name: "ci", agentEmail: "ada@example.com" });
    expect(created.token).toMatch(/^rpt_[A-Za-z0-9_-]{43}$/);
    const [stored] = await ctx.database.db.select().from(apiTokens).where(eq(apiTokens.id, created.id));
    expect(stored!.tokenHash).toBe(sha256(created.token));
    expect(stored!.lastUsedAt).toBeNull();

    const headers = { authorization: `Bearer ${created.token}` };
    const me = await app.inject({ method: "GET", url: "/api/auth/me", headers });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      via: "token",
      token: { name: "ci" },
      agent: { email: "ada@example.com" },
    });
    const [used] = await ctx.database.db.select().from(apiTokens).where(eq(apiTokens.id, created.id));
    expect(used!.lastUsedAt).toBeInstanceOf(Date);

    await auth.revokeToken(created.id);
    const revoked = await app.inject({ method: "GET", url: "/api/auth/me", headers });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().error.message).toMatch(/not valid or has been revoked/);

    for (const authorization of [`Bearer rpt_${"x".repeat(43)}`, "Bearer nonsense", "Basic abc"]) {
      const response = await app.inject({
        method: "GET",
        url: "/api/conversations",
        headers: { authorization },
      });
      expect(response.statusCode, authorization).toBe(401);
    }
  });

  it("serves the OpenAPI document listing every route", async () => {
    const response = await app.inject({ method: "GET", url: "/api/docs/json" });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json().paths);
    for (const path of [
      "/api/health",
      "/api/auth/login",
      "/api/auth/logout",
      "/api/auth/me",
      "/api/conversations",
      "/api/conversations/{id}",
      "/api/people",
      "/api/people/{id}",
      "/api/ingest",
    ]) {
      expect(paths).toContain(path);
    }
    const ui = await app.inject({ method: "GET", url: "/api/docs" });
    expect(ui.statusCode).toBeLessThan(400);
  });

  it("marks the cookie Secure when secureCookies is set", async () => {
    const secure = await testApp(ctx.database, { secureCookies: true });
    const login = await secure.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { email: "ada@example.com", password: PASSWORD },
    });
    expect(sessionCookie(login)).toMatchObject({ secure: true, httpOnly: true });
    await secure.close();
  });

  it("rate-limits sign-in attempts", async () => {
    const limited = await testApp(ctx.database, { loginRateLimit: { max: 2, timeWindow: "1 minute" } });
    // Its own client address: the limits count in the database, where other tests' sign-ins count too.
    const attempt = () =>
      limited.inject({
        method: "POST",
        url: "/api/auth/login",
        remoteAddress: "203.0.113.10",
        payload: { email: "x@example.com", password: "nope" },
      });
    expect((await attempt()).statusCode).toBe(401);
    expect((await attempt()).statusCode).toBe(401);
    const third = await attempt();
    expect(third.statusCode).toBe(429);
    expect(third.json().error).toMatchObject({
      code: "rate_limited",
      message: expect.stringMatching(/Try again/),
    });
    await limited.close();
  });

  it("counts sign-in attempts across server processes on the same database", async () => {
    const limit = { max: 3, timeWindow: "1 minute" };
    const [one, two] = [
      await testApp(ctx.database, { loginRateLimit: limit }),
      await testApp(ctx.database, { loginRateLimit: limit }),
    ];
    const attempt = (app: FastifyInstance, from = "203.0.113.20") =>
      app.inject({
        method: "POST",
        url: "/api/auth/login",
        remoteAddress: from,
        payload: { email: "x@example.com", password: "nope" },
      });
    expect((await attempt(one)).statusCode).toBe(401);
    expect((await attempt(two)).statusCode).toBe(401);
    expect((await attempt(one)).statusCode).toBe(401);
    expect((await attempt(two)).statusCode).toBe(429);
    expect((await attempt(one)).statusCode).toBe(429);
    // Another client has its own budget.
    expect((await attempt(two, "203.0.113.21")).statusCode).toBe(401);
    // In memory (the old behaviour, still an option) each process counts on its own.
    const memory = await testApp(ctx.database, { loginRateLimit: limit, rateLimitStore: "memory" });
    expect((await attempt(memory)).statusCode).toBe(401);
    await Promise.all([one.close(), two.close(), memory.close()]);
  });

  describe("logging", () => {
    it("never writes passwords, tokens or cookies to the log, and hides 500 causes from clients", async () => {
      const lines: string[] = [];
      const stream = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const logged = await buildApp({
        database: ctx.database,
        ingest: fakeIngest(() => {
          throw new Error("connection to db-internal.example:5432 failed");
        }),
        logger: { level: "trace", stream },
      });
      const token = await auth.createToken({ name: "logged" });
      const login = await logged.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { email: "ada@example.com", password: PASSWORD },
      });
      const cookie = sessionCookie(login)!.value;
      await logged.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { email: "ada@example.com", password: `${PASSWORD}x` },
      });
      await logged.inject({ method: "GET", url: "/api/auth/me", cookies: { rapport_session: cookie } });
      const failed = await logged.inject({
        method: "POST",
        url: "/api/ingest",
        headers: { authorization: `Bearer ${token.token}` },
        payload: { any: "thing" },
      });
      expect(failed.statusCode).toBe(500);
      expect(failed.json().error).toEqual({
        code: "internal",
        message: "Something went wrong on our side. The error has been logged.",
      });
      expect(failed.body).not.toContain("db-internal");
      await logged.close();

      const log = lines.join("");
      expect(log).toContain("db-internal.example"); // the cause is logged for operators…
      expect(log).toContain("/api/auth/login"); // …and requests are logged at all
      for (const secret of [PASSWORD, token.token, cookie, sha256(cookie)]) {
        expect(log).not.toContain(secret);
      }
    });
  });
});
