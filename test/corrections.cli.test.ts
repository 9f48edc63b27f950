import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { createServices } from "../src/services/container.ts";
import { openDatabase } from "../src/store/db.ts";
import { runCli } from "./helpers/cli.ts";
import { asApi, inbound } from "./helpers/services.ts";

it("exports agents' corrections as JSON lines and reports the analyzer on them", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rapport-corrections-"));
  const env = { RAPPORT_DATA: path.join(dir, "data"), DATABASE_URL: "" };

  const empty = await runCli(["corrections", "report"], env);
  expect(empty.code).toBe(0);
  expect(empty.stdout).toContain("No corrections yet");

  const database = await openDatabase({ url: env.RAPPORT_DATA });
  const services = createServices(database);
  const texts = [
    "Thank you so much, the new timetable is great!",
    "My parcel never arrived and nobody answers.",
    "When does the ticket office open?",
  ];
  const stored = await services.ingest.ingest(
    texts.map((text) => asApi(inbound({ channel: "cli-corr", text }))),
  );
  const ids = stored.outcomes.map((o) => (o as { messageId: string }).messageId);
  const system = { kind: "system" as const, id: null };
  // An agent reads the first as sarcasm; the analyzer already says the second is negative (no correction).
  await services.corrections.correct(ids[0]!, { sentiment: "negative", intent: ["complaint"] }, system);
  await services.corrections.correct(ids[1]!, { sentiment: "negative" }, system);
  await services.corrections.correct(ids[2]!, { urgency: "high" }, system);
  await database.close();

  const file = path.join(dir, "corrections.jsonl");
  const exported = await runCli(["corrections", "export", "--output", file], env);
  expect(exported.code, exported.stderr).toBe(0);
  expect(exported.stderr).toContain("Wrote 3 corrections");
  const lines = readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(lines.map((l) => [l.text, l.field, l.human]).sort()).toEqual(
    [
      [texts[0], "intent", ["complaint"]],
      [texts[0], "sentiment", "negative"],
      [texts[2], "urgency", "high"],
    ].sort(),
  );
  expect(lines.find((l) => l.field === "sentiment").machine.label).toBe("positive");
  const onlyUrgency = await runCli(["corrections", "export", "--field", "urgency"], env);
  expect(onlyUrgency.stdout.trim().split("\n")).toHaveLength(1);

  // The current analyzer said otherwise on every one of them, so it agrees on none.
  const fromDatabase = await runCli(["corrections", "report", "--json"], env);
  expect(fromDatabase.code, fromDatabase.stderr).toBe(0);
  const report = JSON.parse(fromDatabase.stdout) as {
    fields: Array<{ field: string; corrections: number; agreesNow: number; confusion: unknown[] }>;
  };
  expect(report.fields.map((f) => [f.field, f.corrections, f.agreesNow])).toEqual([
    ["sentiment", 1, 0],
    ["intent", 1, 0],
    ["urgency", 1, 0],
  ]);
  expect(report.fields[0]!.confusion).toEqual([{ machine: "positive", human: "negative", count: 1 }]);
  // An export read back gives the same report; a labelled line the analyzer agrees with counts.
  writeFileSync(
    file,
    `${readFileSync(file, "utf8")}${JSON.stringify({ field: "sentiment", machine: { label: "neutral" }, human: "negative", text: "My parcel never arrived and nobody answers." })}\n`,
  );
  const fromFile = await runCli(["corrections", "report", "--input", file], env);
  expect(fromFile.code, fromFile.stderr).toBe(0);
  expect(fromFile.stdout).toContain("sentiment: 2 corrected, the analyzer now agrees on 1 (50.0%)");
  expect(fromFile.stdout).toContain("positive → negative: 1");

  const badField = await runCli(["corrections", "export", "--field", "mood"], env);
  expect(badField.code).not.toBe(0);
  expect(badField.stderr).toContain("use one of sentiment, intent, urgency, spam, language");
  writeFileSync(file, '{"field":"sentiment"}\n');
  const badLine = await runCli(["corrections", "report", "--input", file], env);
  expect(badLine.code).toBe(2);
  expect(badLine.stderr).toContain("line 1: needs text");
  const missing = await runCli(["corrections", "report", "--input", path.join(dir, "nope.jsonl")], env);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain("no such file");
}, 120_000);
