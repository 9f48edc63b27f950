import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";

describeEachEngine("database", (ctx) => {
  it("runs the migrations and has every table", async () => {
    const rows = await ctx.database.rows<{ table_name: string }>(
      sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    const names = rows.map((r) => r.table_name);
    for (const table of [
      "people",
      "identities",
      "channels",
      "conversations",
      "messages",
      "agents",
      "teams",
      "labels",
      "raw_events",
      "dead_letters",
      "jobs",
      "audit_events",
    ]) {
      expect(names).toContain(table);
    }
  });

  it("delivers NOTIFY payloads to listeners", async () => {
    const received: string[] = [];
    const stop = await ctx.database.listen("rapport_test", (p) => received.push(p));
    await ctx.database.notify("rapport_test", "hello");
    for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(received).toEqual(["hello"]);
  });
});
