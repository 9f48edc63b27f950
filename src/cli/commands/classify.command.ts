/**
 * `rapport classify`: JSON lines `{"id","text"}` in, one JSON line of analysis out per input line, in order.
 * A bad line (invalid JSON, missing or empty text) gets a line with an `error` field; it never stops the stream.
 */
import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import type { Analyzer } from "../../analysis/analyzer.ts";
import { AppError } from "../../core/errors.ts";

type Id = string | number;

function idOf(value: unknown): Id | undefined {
  if (value && typeof value === "object" && "id" in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === "string" || typeof id === "number") return id;
  }
  return undefined;
}

/** One output line for one input line (without the trailing newline). */
export function classifyLine(line: string, analyzer: Analyzer): { json: string; ok: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { json: JSON.stringify({ error: "invalid JSON" }), ok: false };
  }
  const id = idOf(parsed);
  const text = parsed && typeof parsed === "object" ? (parsed as { text?: unknown }).text : undefined;
  if (typeof text !== "string") {
    return { json: JSON.stringify({ id, error: "text must be a string" }), ok: false };
  }
  if (text.trim().length === 0) return { json: JSON.stringify({ id, error: "empty text" }), ok: false };
  try {
    const a = analyzer.analyze(text);
    return {
      json: JSON.stringify({
        id,
        sentiment: a.sentiment,
        intent: a.intent,
        urgency: a.urgency?.level ?? null,
        urgencyReasons: a.urgency?.reasons ?? [],
        spam: a.spam,
        language: a.language,
      }),
      ok: true,
    };
  } catch (err) {
    return { json: JSON.stringify({ id, error: `analysis failed: ${(err as Error).message}` }), ok: false };
  }
}

/**
 * Streams JSON lines through the analyzer (Rapport's own unless given; its models load here, not when
 * the CLI starts). Blank input lines are skipped; every other line gets an answer.
 */
export async function classifyStream(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  given?: Analyzer,
): Promise<{ lines: number; errors: number }> {
  const analyzer = given ?? (await import("../../analysis/rapport.analyzer.ts")).rapportAnalyzer;
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lines = 0;
  let errors = 0;
  for await (const raw of rl) {
    const line = raw.trim();
    if (line.length === 0) continue;
    const { json, ok } = classifyLine(line, analyzer);
    lines++;
    if (!ok) errors++;
    if (!output.write(`${json}\n`))
      await new Promise<void>((resolve) => output.once("drain", () => resolve()));
  }
  return { lines, errors };
}

/** `rapport classify [--input FILE]`: JSON lines {id, text} in, one analysis line out per input. */
export function registerClassify(program: Command): void {
  program
    .command("classify")
    .description(
      'Analyse texts: reads JSON lines {"id", "text"} and writes one JSON line of analysis per input, in order.',
    )
    .option("-i, --input <file>", "read from a file instead of standard input")
    .addHelpText(
      "after",
      `
Output per line: {"id", "sentiment": {"score", "label"}, "intent": [...], "urgency", "urgencyReasons",
"spam": {"score", "label", "reasons"}, "language"}; a line that cannot be read gets {"id"?, "error"}.

Example:
  echo '{"id":"1","text":"My bag never arrived and nobody answers"}' | rapport classify`,
    )
    .action(async (opts: { input?: string }) => {
      if (opts.input && !existsSync(opts.input))
        throw new AppError("not_found", `No such file: ${opts.input}`);
      const input = opts.input ? createReadStream(opts.input) : process.stdin;
      await classifyStream(input, process.stdout);
    });
}
