import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/store/db.ts";
import { runCli } from "./helpers/cli.ts";
import { createThrowawayPostgres, engines } from "./helpers/engines.ts";
import { buildChannel, buildConversation, buildPerson } from "./helpers/factories.ts";

for (const engine of engines) {
  describe(`rapport report [${engine}]`, () => {
    const env: Record<string, string> = {};
    let drop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      let url: string;
      if (engine === "postgres") {
        const created = await createThrowawayPostgres();
        drop = created.drop;
        url = env.DATABASE_URL = created.url;
      } else {
        url = env.RAPPORT_DATA = path.join(mkdtempSync(path.join(tmpdir(), "rapport-report-")), "data");
        env.DATABASE_URL = "";
      }
      // Seed through the store, then close it: the CLI opens the same database itself.
      const database = await openDatabase({ url });
      const channel = await buildChannel(database.db, { key: "x-main", kind: "x", name: "X" });
      const start = new Date("2026-04-06T08:00:00Z");
      for (const [audience, seconds] of [
        [5, 7800],
        [250_000, 1500],
        [null, 90],
      ] as const) {
        await buildConversation(database.db, {
          channelId: channel.id,
          personId: (await buildPerson(database.db)).id,
          status: "resolved",
          audienceSize: audience,
          firstInboundAt: start,
          firstHumanResponseAt: new Date(start.getTime() + seconds * 1000),
        });
      }
      await database.close();
    });
    afterAll(async () => drop?.());

    it("prints the fairness report as JSON", async () => {
      const result = await runCli(["report", "fairness", "--from", "2026-04-01", "--json"], env);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.buckets.map((b: { conversations: number }) => b.conversations)).toEqual([
        1, 0, 0, 0, 1, 1,
      ]);
      // 7,800 s (0–99) against 90 s (unknown audience): 86.67× exactly; medians from the response-time
      // histogram are each within 5% (docs/reports.md), so the ratio is within 1.05 / 0.95 of it.
      expect(report).toMatchObject({ fair: false, slowest: "0-99", fastest: "unknown" });
      expect(report.ratio).toBeGreaterThanOrEqual((86.67 * 0.95) / 1.05);
      expect(report.ratio).toBeLessThanOrEqual((86.67 * 1.05) / 0.95);
    });

    it("prints aligned tables with readable durations, and refuses bad dates", async () => {
      const result = await runCli(["report", "fairness"], env);
      expect(result.code).toBe(0);
      // 7,800 s and 1,500 s, within the histogram's 5%: 2 h 4 min … 2 h 16 min, and 24 … 26 min.
      expect(result.stdout).toMatch(/0–99\s+1\s+1\s+100\.0%\s+2 h (\d+) min/);
      const minutes = Number(/0–99\s+1\s+1\s+100\.0%\s+2 h (\d+) min/.exec(result.stdout)?.[1]);
      expect(minutes).toBeGreaterThanOrEqual(3);
      expect(minutes).toBeLessThanOrEqual(17);
      expect(result.stdout).toMatch(/100k\+\s+1\s+1\s+100\.0%\s+2[456] min/);
      const bad = await runCli(["report", "happiness", "--to", "soon"], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--to must be an ISO date");
    });
  });
}
