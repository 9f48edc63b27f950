import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, sharedData } from "./helpers/cli.ts";
import { createThrowawayPostgres, engines } from "./helpers/engines.ts";

const twcs = path.join(sharedData, "customer_support/twcs/twcs_head5000.csv");
const haveShared = existsSync(twcs);
if (!haveShared)
  console.warn(`Skipping the TWCS CLI import test: ${twcs} is absent (it ships in ../shared/data).`);

it("prints helpful --help for the import command", async () => {
  const result = await runCli(["import", "--help"], {});
  expect(result.code).toBe(0);
  expect(result.stdout).toContain("--format <format>");
  expect(result.stdout).toContain("twcs");
  expect(result.stdout).toContain("Examples:");
});

it("fails clearly on a missing file", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rapport-cli-"));
  const result = await runCli(["import", path.join(dir, "nope.jsonl")], {
    RAPPORT_DATA: path.join(dir, "data"),
  });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("No such file");
});

for (const engine of engines) {
  describe(`the rapport binary [${engine}]`, () => {
    const env: Record<string, string> = {};
    let drop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      if (engine === "postgres") {
        const created = await createThrowawayPostgres();
        drop = created.drop;
        env.DATABASE_URL = created.url;
      } else {
        env.RAPPORT_DATA = path.join(mkdtempSync(path.join(tmpdir(), "rapport-cli-")), "data");
        env.DATABASE_URL = "";
      }
    });
    afterAll(async () => drop?.());

    it.skipIf(!haveShared)("imports the TWCS sample, and re-importing adds nothing", async () => {
      const first = await runCli(["import", "--format", "twcs", twcs, "--json"], env);
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      const summary = JSON.parse(first.stdout);
      // 5,000 rows, 1,443 distinct customers; 1,312 reply trees, 3 of which span two brands' channels.
      expect(summary).toEqual({
        messages: 5000,
        duplicates: 0,
        conversations: 1315,
        people: 1443,
        deadLetters: 0,
      });
      const again = JSON.parse((await runCli(["import", "--format", "twcs", twcs, "--json"], env)).stdout);
      expect(again).toEqual({ messages: 0, duplicates: 5000, conversations: 0, people: 0, deadLetters: 0 });
    });

    it("lists and replays dead letters", async () => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "rapport-cli-")), "bad.jsonl");
      writeFileSync(file, '{"channel":"cli-test","externalId":"1"}\nnot json at all\n');
      const imported = JSON.parse((await runCli(["import", file, "--json"], env)).stdout);
      expect(imported.deadLetters).toBe(2);
      const list = await runCli(["dead-letters", "list", "--json"], env);
      const letters = JSON.parse(list.stdout) as Array<{ reason: string; detail: { line: number } }>;
      const mine = letters.filter((l) => String((l.detail as { file?: string }).file) === file);
      expect(mine.map((l) => l.detail.line)).toEqual([1, 2]);
      expect(mine[0]!.reason).toContain("direction");
      const human = await runCli(["dead-letters", "list"], env);
      expect(human.stdout).toContain("reason:");
      const replay = await runCli(["dead-letters", "replay", "--json"], env);
      expect(JSON.parse(replay.stdout)).toMatchObject({ stored: 0 });
      expect(JSON.parse(replay.stdout).stillFailing.length).toBeGreaterThanOrEqual(2);
      // One of them, by the id `list` shows (#12 as printed, or 12); a wrong id is a usage error.
      const id = (mine[0] as unknown as { id: number }).id;
      const one = await runCli(["dead-letters", "replay", "--json", `#${id}`], env);
      expect(JSON.parse(one.stdout)).toMatchObject({ replayed: 1, stillFailing: [{ id }] });
      const wrong = await runCli(["dead-letters", "replay", "12x"], env);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toContain('"12x" is not a dead letter id');
      const limit = await runCli(["dead-letters", "list", "--limit", "ten"], env);
      expect(limit.code).not.toBe(0);
      expect(limit.stderr).toContain("use a whole number from 1 to 100000");
    });
  });
}

it("classifies JSON lines from standard input, one line out per line in", async () => {
  const input = `${JSON.stringify({ id: "a", text: "My bag never arrived and nobody answers" })}\nnot json\n${JSON.stringify({ id: "c", text: "" })}\n`;
  const result = await runCli(["classify"], {}, input);
  expect(result.code).toBe(0);
  const lines = result.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatchObject({ id: "a", sentiment: { label: "negative" } });
  expect(lines[0].intent).toContain("complaint");
  expect(lines[1].error).toBeTruthy();
  expect(lines[2]).toMatchObject({ id: "c" });
  expect(lines[2].error).toBeTruthy();
});
