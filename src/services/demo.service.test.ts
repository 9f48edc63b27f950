import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { AuthService } from "./auth.service.ts";
import { createServices } from "./container.ts";
import { seedDemoWorkspace } from "./demo.service.ts";

describeEachEngine("demo workspace", (ctx) => {
  it("creates an admin, named agents, channels and ~200 conversations once", async () => {
    const services = createServices(ctx.database);
    const auth = new AuthService(ctx.database.db);
    const seed = await seedDemoWorkspace({ database: ctx.database, auth, ingest: services.ingest });
    expect(seed).not.toBeNull();
    expect(seed!.conversations).toBeGreaterThanOrEqual(190);
    expect(await auth.verifyPassword("admin@example.com", seed!.adminPassword)).not.toBeNull();

    const [counts] = await ctx.database.rows<{
      channels: number;
      kinds: number;
      awaiting: number;
      answered_by_maria: number;
    }>(sql`
      SELECT (SELECT count(*)::int FROM channels) AS channels,
             (SELECT count(DISTINCT kind)::int FROM channels) AS kinds,
             (SELECT count(*)::int FROM conversations WHERE awaiting_reply) AS awaiting,
             (SELECT count(*)::int FROM messages m JOIN agents a ON a.id = m.author_agent_id
                WHERE a.email = 'maria@example.com') AS answered_by_maria`);
    expect(counts!.channels).toBeGreaterThanOrEqual(5);
    expect(counts!.kinds).toBeGreaterThanOrEqual(5);
    expect(counts!.awaiting).toBeGreaterThan(40);
    // Replies signed by Maria are attributed to the agent Maria, on every platform.
    expect(counts!.answered_by_maria).toBeGreaterThan(0);

    // The queue shows a mix of ages and needs, each with its reasons; some work is already assigned.
    const queue = await services.queue.page({ limit: 100 });
    expect(queue.items.length).toBeGreaterThan(40);
    const reasons = new Set(queue.items.flatMap((i) => i.why.slice(1)));
    expect([...reasons].some((r) => r.startsWith("urgent"))).toBe(true);
    expect(reasons.has("complaint")).toBe(true);
    expect(queue.items.some((i) => i.why[0]!.includes("past the"))).toBe(true);
    expect(queue.items.some((i) => i.why[0]!.includes("left of the"))).toBe(true);
    expect(queue.items.some((i) => i.assignee !== null)).toBe(true);
    expect(queue.items.every((i) => i.team?.name === "Care team")).toBe(true);

    const again = await seedDemoWorkspace({ database: ctx.database, auth, ingest: services.ingest });
    expect(again).toBeNull();
  });
});
