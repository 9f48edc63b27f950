import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { sessions } from "../store/schema.ts";
import { AuthService, SESSION_TTL_MS, sha256 } from "./auth.service.ts";

const DAY = 24 * 60 * 60 * 1000;

describeEachEngine("auth service", (ctx) => {
  it("keeps a session alive while it is used (sliding 30 days) and ends it after 30 idle days", async () => {
    let now = new Date("2026-03-01T00:00:00Z");
    const auth = new AuthService(ctx.database.db, { now: () => now });
    await auth.createAgent({ email: "sam@example.com", name: "Sam", password: "sam's password" });
    const { token, expiresAt } = await auth.signIn("sam@example.com", "sam's password");
    expect(expiresAt.getTime()).toBe(now.getTime() + SESSION_TTL_MS);

    now = new Date(now.getTime() + DAY / 2);
    expect((await auth.authenticateSession(token))?.renewedUntil).toBeNull(); // not yet worth a write

    now = new Date(now.getTime() + 20 * DAY);
    const renewed = await auth.authenticateSession(token);
    expect(renewed?.renewedUntil?.getTime()).toBe(now.getTime() + SESSION_TTL_MS);
    const [row] = await ctx.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sha256(token)));
    expect(row!.expiresAt.getTime()).toBe(now.getTime() + SESSION_TTL_MS);

    now = new Date(now.getTime() + SESSION_TTL_MS + 1000);
    expect(await auth.authenticateSession(token)).toBeNull();
  });

  it("refuses weak input when creating agents and tokens", async () => {
    const auth = new AuthService(ctx.database.db);
    await expect(auth.createAgent({ email: "x@example.com", name: "X", password: "short" })).rejects.toThrow(
      /at least 8 characters/,
    );
    await expect(
      auth.createAgent({ email: "not-an-email", name: "X", password: "long enough" }),
    ).rejects.toThrow(/not an email address/);
    await expect(auth.createToken({ name: "t", agentEmail: "ghost@example.com" })).rejects.toThrow(
      /No agent has the email/,
    );
    expect(await auth.verifyPassword("ghost@example.com", "whatever")).toBeNull();
  });
});
