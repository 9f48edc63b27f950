/**
 * `rapport parse` through the real binary, on real payloads: the shared .eml files and canonical
 * messages made from real customer tweets. No database is involved (none is configured).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hasTwcsSample, realMessages, TWCS_SAMPLE } from "../src/channels/webhook/webhook.test-support.ts";
import { runCli, sharedData } from "./helpers/cli.ts";

const emails = path.join(sharedData, "payloads/email");
const haveEmails = existsSync(emails);
if (!haveEmails)
  console.warn(`Skipping the .eml parse tests: ${emails} is absent (it ships in ../shared/data).`);
if (!hasTwcsSample)
  console.warn(
    `Skipping the canonical/TWCS parse tests: ${TWCS_SAMPLE} is absent (it ships in ../shared/data).`,
  );

const dir = mkdtempSync(path.join(tmpdir(), "rapport-parse-cli-"));
// A database the command must never touch: a folder that does not exist.
const env = { RAPPORT_DATA: path.join(dir, "no-database-here"), DATABASE_URL: "" };
const write = (name: string, content: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
};

describe("rapport parse", () => {
  it("lists every format in --help, with the files each reads", async () => {
    const help = await runCli(["parse", "--help"], env);
    expect(help.code).toBe(0);
    for (const format of ["canonical", "twcs", "email", "webhook", "csv"])
      expect(help.stdout).toMatch(new RegExp(`^  ${format} `, "m"));
    expect(help.stdout).toContain("also reads a raw RFC 5322 mail (.eml)");
    expect(help.stdout).toContain("Examples:");
  });

  it.skipIf(!haveEmails)(
    "prints the canonical message of every real .eml, and never opens a database",
    async () => {
      const files = readdirSync(emails)
        .filter((f) => f.endsWith(".eml"))
        .sort();
      expect(files.length).toBeGreaterThan(3);
      const result = await runCli(
        ["parse", "email", ...files.map((f) => path.join(emails, f)), "--channel", "care", "--json"],
        env,
      );
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const out = JSON.parse(result.stdout);
      expect(out).toMatchObject({ format: "email", ok: files.length, failed: 0 });
      expect(out.results.map((r: { at: string }) => r.at)).toEqual(files);
      for (const r of out.results) {
        expect(r).toMatchObject({
          ok: true,
          message: { channel: "care", direction: "in", visibility: "private" },
          channel: { kind: "email" },
        });
      }
      const bounce = JSON.parse(
        (await runCli(["parse", "email", path.join(emails, "delivery-status.eml"), "--json"], env)).stdout,
      );
      expect(bounce.results[0].message.automated).toBe("bounce");
      const human = await runCli(["parse", "email", path.join(emails, "nodemailer.eml")], env);
      expect(human.stdout).toMatch(
        /^✓ nodemailer\.eml: email <012d606e-3550-2d94-b566-6cd996de88e3@kreata\.ee> \(in, private\) by andris@kreata\.ee/m,
      );
      expect(human.stdout).toContain("base64 characters>");
      expect(human.stdout).toContain("1 payload (email): 1 would be ingested, 0 would be dead-lettered.");
      expect(existsSync(env.RAPPORT_DATA)).toBe(false);
    },
  );

  it("says why a broken mail would be dead-lettered and exits 1", async () => {
    const result = await runCli(["parse", "email", write("empty.eml", "")], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^✗ empty\.eml: would be dead-lettered: not an email payload: .*the mail is empty$/m,
    );
  });

  it.skipIf(!hasTwcsSample)(
    "checks canonical JSON and JSONL made from real messages, with line numbers",
    async () => {
      const messages = realMessages(4).map((m) => ({ ...m, channel: "x-support" }));
      const array = await runCli(
        ["parse", "canonical", write("batch.json", JSON.stringify(messages)), "--json"],
        env,
      );
      expect(array.code).toBe(0);
      const out = JSON.parse(array.stdout);
      expect(out).toMatchObject({ format: "canonical", ok: 4, failed: 0 });
      expect(out.results.map((r: { at: string }) => r.at)).toEqual(["item 0", "item 1", "item 2", "item 3"]);
      expect(out.results[2].message).toMatchObject({
        externalId: messages[2]!.externalId,
        text: messages[2]!.text,
      });

      const lines = [
        JSON.stringify(messages[0]),
        JSON.stringify({ ...messages[1], createdAt: "31/10/2017 22:10" }),
        "",
        JSON.stringify(messages[2]).slice(0, 60),
        JSON.stringify({ ...messages[3], author: { externalId: "" } }),
      ];
      const jsonl = await runCli(["parse", "canonical", write("history.jsonl", lines.join("\n"))], env);
      expect(jsonl.code).toBe(1);
      expect(jsonl.stdout).toMatch(/^✓ line 1: x-support tweet-\d+ \(in, public\)/m);
      expect(jsonl.stdout).toContain(
        "✗ line 2: would be dead-lettered: createdAt: createdAt must be an ISO 8601 date-time with a time zone",
      );
      expect(jsonl.stdout).toMatch(/^✗ line 4: would be dead-lettered: not valid JSON: /m);
      expect(jsonl.stdout).toContain(
        "✗ line 5: would be dead-lettered: author.externalId: author.externalId must not be empty",
      );
      expect(jsonl.stdout).toContain(
        "4 payloads (canonical): 1 would be ingested, 3 would be dead-lettered.",
      );
    },
  );

  it.skipIf(!hasTwcsSample)(
    "checks a webhook body that omits its channel, as the endpoint would",
    async () => {
      const body = write("body.json", JSON.stringify(realMessages(2, 10)));
      const without = await runCli(["parse", "webhook", body], env);
      expect(without.code).toBe(1);
      expect(without.stdout).toMatch(/✗ item 0: would be dead-lettered: channel: /);
      const withKey = await runCli(["parse", "webhook", body, "--channel", "forum-bridge", "--json"], env);
      expect(withKey.code).toBe(0);
      expect(JSON.parse(withKey.stdout).results[1]).toMatchObject({
        ok: true,
        message: { channel: "forum-bridge" },
        channel: { kind: "webhook" },
      });
    },
  );

  it.skipIf(!hasTwcsSample)("reads the TWCS CSV itself, with its line numbers", async () => {
    const head = readFileSync(TWCS_SAMPLE, "utf8").split("\n").slice(0, 6).join("\n");
    const result = await runCli(
      [
        "parse",
        "twcs",
        write("head.csv", `${head}\n1,2,maybe,Tue Oct 31 22:10:47 +0000 2017,x,,\n`),
        "--json",
      ],
      env,
    );
    expect(result.code).toBe(1);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ format: "twcs", ok: 5, failed: 1 });
    expect(out.results[0]).toMatchObject({
      at: "line 2",
      message: { channel: "twcs-sprintcare", direction: "out" },
    });
    expect(out.results[5]).toEqual({
      at: "line 7",
      ok: false,
      reason: 'inbound must be True or False, got "maybe"',
    });
  });

  it("answers usage errors with exit code 2", async () => {
    const unknown = await runCli(["parse", "myspace", write("x.json", "{}")], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown format "myspace"; use one of: .*canonical/);
    const missing = await runCli(["parse", "canonical", path.join(dir, "nope.json")], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("No such file");
  });
});
