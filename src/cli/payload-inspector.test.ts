import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Connector } from "../channels/connector.ts";
import { ConnectorRegistry, createConnectorRegistry } from "../channels/registry.ts";
import { NormalizerRegistry } from "../services/normalizers.ts";
import { inspectFile, listFormats, standardRegistries } from "./payload-inspector.ts";

const dir = mkdtempSync(path.join(tmpdir(), "rapport-parse-"));
const write = (name: string, content: string | Buffer) => {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
};

/** A connector nobody wrote the inspector for: its own format, its own native files. */
const forum: Connector = {
  kind: "forum",
  format: "forum-v1",
  capabilities: {
    publicReplies: true,
    privateMessages: false,
    attachments: false,
    edits: false,
    deletes: false,
  },
  parse(payload) {
    const p = payload as { post?: { id?: string; by?: string; body?: string; at?: string } };
    if (!p.post?.id) return { ok: false, reason: "not a forum post: post.id is missing" };
    return {
      ok: true,
      message: {
        channel: "forum",
        externalId: p.post.id,
        direction: "in",
        author: { externalId: p.post.by ?? "?" },
        text: p.post.body ?? "",
        createdAt: p.post.at ?? "2026-01-01T00:00:00Z",
        visibility: "public",
      },
    };
  },
  readFile: {
    description: "forum dumps (one post per paragraph)",
    read: (content) =>
      content
        .toString("utf8")
        .split(/\n\n+/)
        .map((body, i) => ({ post: { id: `p${i}`, by: "dump", body } })),
  },
  async send() {
    return { externalId: "x" };
  },
};

const withForum = () => {
  const connectors = new ConnectorRegistry([forum]);
  return { connectors, normalizers: connectors.registerFormats(new NormalizerRegistry()) };
};

describe("the payload inspector", () => {
  it("lists every registered connector's format, so new connectors are covered without changes here", () => {
    const { connectors } = standardRegistries();
    const names = listFormats().map((f) => f.name);
    for (const connector of createConnectorRegistry()
      .all()
      .filter((c) => c.parse))
      expect(names).toContain(connector.format ?? connector.kind);
    expect(names).toEqual(expect.arrayContaining(["canonical", "twcs", "email", "webhook"]));
    expect(connectors.get("email")?.readFile).toBeDefined();
    const forumFormats = listFormats(withForum());
    expect(forumFormats.find((f) => f.name === "forum-v1")).toMatchObject({
      description: "payloads of the forum channel, as stored",
      reads: "forum dumps (one post per paragraph)",
    });
  });

  it("runs a new connector's parser by its kind or its format, on JSON, JSONL and its own files", async () => {
    const json = write(
      "posts.json",
      JSON.stringify([{ post: { id: "1", by: "ada", body: "hi" } }, { nope: 1 }]),
    );
    const viaKind = await inspectFile(json, "forum", {}, withForum());
    expect(viaKind.format).toBe("forum-v1");
    expect(viaKind.results).toEqual([
      expect.objectContaining({
        at: "item 0",
        ok: true,
        message: expect.objectContaining({ externalId: "1" }),
      }),
      { at: "item 1", ok: false, reason: "not a forum post: post.id is missing" },
    ]);
    expect((await inspectFile(json, "forum-v1", {}, withForum())).results).toHaveLength(2);
    const dump = write("dump.txt", "first post\n\nsecond post");
    const native = await inspectFile(dump, "forum", {}, withForum());
    expect(native.results.map((r) => r.ok && "message" in r && r.message.text)).toEqual([
      "first post",
      "second post",
    ]);
    expect(native.results.map((r) => r.at)).toEqual(["dump.txt #1", "dump.txt #2"]);
  });

  it("gives JSONL line numbers, and tells a broken JSON document from JSONL", async () => {
    const good = {
      channel: "c",
      externalId: "1",
      direction: "in",
      author: { externalId: "a" },
      text: "x",
      createdAt: "2026-01-01T00:00:00Z",
    };
    const jsonl = write(
      "m.jsonl",
      `${JSON.stringify(good)}\n\n{"channel": \n${JSON.stringify({ ...good, createdAt: "2026-01-01" })}\n`,
    );
    const { results } = await inspectFile(jsonl, "canonical");
    expect(results.map((r) => [r.at, r.ok])).toEqual([
      ["line 1", true],
      ["line 3", false],
      ["line 4", false],
    ]);
    expect(results[1]).toMatchObject({ reason: expect.stringMatching(/^not valid JSON: /) });
    expect(results[2]).toMatchObject({
      reason: "createdAt: createdAt must be an ISO 8601 date-time with a time zone",
    });
    const broken = write("broken.json", '{\n  "channel": "c",\n  "externalId": \n}');
    expect((await inspectFile(broken, "canonical")).results).toEqual([
      { at: "file", ok: false, reason: expect.stringMatching(/^not valid JSON: /) },
    ]);
  });

  it("fills in --channel where a payload names none, sanitises HTML and replaces NUL as ingest does", async () => {
    const file = write(
      "hook.json",
      JSON.stringify({
        externalId: "h1",
        direction: "in",
        author: { externalId: "a" },
        text: "nul\u0000here",
        html: '<p onclick="x()">hi<script>alert(1)</script></p>',
        createdAt: "2026-01-01T00:00:00Z",
      }),
    );
    const without = await inspectFile(file, "webhook");
    expect(without.results[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/^channel: /) });
    const [result] = (await inspectFile(file, "webhook", { channel: "forum-bridge" })).results;
    expect(result).toMatchObject({ ok: true, message: { channel: "forum-bridge", text: "nul\uFFFDhere" } });
    expect(result!.ok && "message" in result! && result!.message.html).toBe("<p>hi</p>");
  });

  it("refuses unknown formats and unreadable files with a usage error", async () => {
    await expect(inspectFile(write("a.json", "{}"), "myspace")).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/Unknown format "myspace"; use one of: .*canonical, .*email/),
    });
    await expect(inspectFile(path.join(dir, "missing.json"), "canonical")).rejects.toMatchObject({
      status: 404,
    });
    await expect(inspectFile(write("plain.txt", "hello"), "canonical")).rejects.toMatchObject({
      message: expect.stringMatching(/not JSON or JSONL, and the canonical format reads no other files/),
    });
  });
});
