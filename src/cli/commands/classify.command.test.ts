import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { vaderAnalyzer } from "../../analysis/vader.analyzer.ts";
import { classifyStream } from "./classify.command.ts";

async function run(input: string, analyzer?: Parameters<typeof classifyStream>[2]) {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on("data", (c: Buffer) => chunks.push(c.toString()));
  const counts = await classifyStream(Readable.from([input]), out, analyzer);
  const lines = chunks
    .join("")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { counts, lines };
}

describe("classifyStream", () => {
  it("writes one analysis line per input line, in order", async () => {
    const input = [
      JSON.stringify({ id: "a", text: "my bag never arrived" }),
      JSON.stringify({ id: "b", text: "Thank you so much, you are amazing!" }),
      JSON.stringify({ id: 3, text: "check out my channel http://bit.ly/xyz subscribe!!" }),
    ].join("\n");
    const { counts, lines } = await run(input);
    expect(counts).toEqual({ lines: 3, errors: 0 });
    expect(lines.map((l) => l.id)).toEqual(["a", "b", 3]);
    expect(lines[0]).toMatchObject({
      sentiment: { label: "negative" },
      language: "en",
      spam: { label: "ham" },
    });
    expect(lines[0]!.intent).toContain("complaint");
    expect(lines[1]).toMatchObject({ sentiment: { label: "positive" }, urgency: "low" });
    expect(lines[2]).toMatchObject({ spam: { label: "spam" } });
    expect((lines[2]!.spam as { reasons: string[] }).reasons).toContain("self-promotion");
  });

  it("answers bad lines with an error instead of crashing", async () => {
    const input = [
      "{not json",
      JSON.stringify({ id: "empty", text: "   " }),
      JSON.stringify({ id: "num", text: 42 }),
      JSON.stringify({ text: null }),
      "[]",
      "null",
      JSON.stringify({ id: "ok", text: "how do I reset my password?" }),
    ].join("\r\n");
    const { counts, lines } = await run(`${input}\n\n`);
    expect(counts).toEqual({ lines: 7, errors: 6 });
    expect(lines).toHaveLength(7);
    expect(lines[0]).toEqual({ error: "invalid JSON" });
    expect(lines[1]).toEqual({ id: "empty", error: "empty text" });
    expect(lines[2]).toEqual({ id: "num", error: "text must be a string" });
    expect(lines[3]!.error).toBeDefined();
    expect(lines[4]!.error).toBeDefined();
    expect(lines[5]!.error).toBeDefined();
    expect(lines[6]).toMatchObject({ id: "ok", intent: ["question"] });
  });

  it("accepts another analyzer", async () => {
    const { lines } = await run(JSON.stringify({ id: "v", text: "great" }), vaderAnalyzer);
    expect(lines[0]).toMatchObject({ id: "v", sentiment: { label: "positive" }, spam: null, urgency: null });
  });
});
