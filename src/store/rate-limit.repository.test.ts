import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { RateLimitRepository } from "./rate-limit.repository.ts";

describeEachEngine("rate limit counters", (ctx) => {
  it("counts requests in a fixed window and starts a new one when it ends", async () => {
    const repo = new RateLimitRepository(ctx.database);
    const first = await repo.hit("POST /api/auth/login 198.51.100.1", 300);
    expect(first.count).toBe(1);
    expect(first.ttlMs).toBeGreaterThan(0);
    expect(first.ttlMs).toBeLessThanOrEqual(300);
    expect((await repo.hit("POST /api/auth/login 198.51.100.1", 300)).count).toBe(2);
    expect((await repo.peek("POST /api/auth/login 198.51.100.1")).count).toBe(2);
    // Another key counts on its own.
    expect((await repo.hit("POST /api/auth/login 198.51.100.2", 300)).count).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await repo.peek("POST /api/auth/login 198.51.100.1")).toEqual({ count: 0, ttlMs: 0 });
    expect((await repo.hit("POST /api/auth/login 198.51.100.1", 300)).count).toBe(1);
  });

  it("sweeps the counters of ended windows and keeps running ones", async () => {
    const repo = new RateLimitRepository(ctx.database);
    await repo.hit("sweep ended", 50);
    await repo.hit("sweep running", 60_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await repo.sweep()).toBeGreaterThanOrEqual(1);
    const keys = await ctx.database.rows<{ key: string }>(
      sql`SELECT key FROM rate_limits WHERE key LIKE 'sweep %'`,
    );
    expect(keys).toEqual([{ key: "sweep running" }]);
  });

  it("loses no count when many requests arrive at once", async () => {
    const repo = new RateLimitRepository(ctx.database);
    const hits = await Promise.all(Array.from({ length: 20 }, () => repo.hit("burst", 60_000)));
    expect(hits.map((h) => h.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });
});
