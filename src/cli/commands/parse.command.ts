/**
 * `rapport parse PLATFORM FILE… [--json]` — prints the canonical messages Rapport would ingest from a
 * file of raw payloads, or the precise reason each would become a dead letter. No database: it runs
 * the same normalizers as the pipeline (cli/payload-inspector.ts). Exits 1 when any payload fails.
 */
import path from "node:path";
import type { Command } from "commander";
import type { FormatInfo, Inspection } from "../payload-inspector.ts";

/**
 * The formats for the help text. The inspector loads every connector (about a second), so main.ts loads
 * them (loadParseFormats) only when the command line names `parse`, not for other commands.
 */
let formats: FormatInfo[] = [];

export async function loadParseFormats(): Promise<void> {
  if (formats.length === 0) formats = (await import("../payload-inspector.ts")).listFormats();
}

function formatHelp(): string {
  const width = Math.max(...formats.map((f) => f.name.length));
  return formats
    .map(
      (f) =>
        `  ${f.name.padEnd(width)}  ${f.description}${f.reads ? `\n  ${" ".repeat(width)}  also reads ${f.reads}` : ""}`,
    )
    .join("\n");
}

/** Long fields shortened for people (the --json output keeps everything). */
function forPeople(message: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...message };
  if (typeof out.html === "string" && out.html.length > 200)
    out.html = `${out.html.slice(0, 200)}… (${out.html.length} characters)`;
  if (Array.isArray(out.attachments)) {
    out.attachments = out.attachments.map((a: Record<string, unknown>) =>
      typeof a.contentBase64 === "string"
        ? { ...a, contentBase64: `<${a.contentBase64.length} base64 characters>` }
        : a,
    );
  }
  return out;
}

function printForPeople(results: Inspection[]): void {
  for (const result of results) {
    if (result.ok && "ignored" in result) {
      process.stdout.write(
        `· ${result.at}: not a message, would be kept raw and ignored: ${result.ignored}\n`,
      );
    } else if (result.ok && "change" in result) {
      const c = result.change;
      process.stdout.write(
        `✓ ${result.at}: ${c.change} of ${c.channel} ${c.externalId} at ${c.at}${c.text !== undefined ? `: ${JSON.stringify(c.text)}` : ""}\n`,
      );
    } else if (result.ok) {
      const m = result.message;
      const who = m.author.handle ?? m.author.externalId;
      process.stdout.write(
        `✓ ${result.at}: ${m.channel} ${m.externalId} (${m.direction}, ${m.visibility}) by ${who} at ${m.createdAt}\n`,
      );
      const text = JSON.stringify(forPeople(m as unknown as Record<string, unknown>), null, 2);
      process.stdout.write(`${text.replace(/^/gm, "    ")}\n`);
    } else {
      process.stdout.write(`✗ ${result.at}: would be dead-lettered: ${result.reason}\n`);
    }
  }
}

export function registerParse(program: Command): void {
  program
    .command("parse")
    .description(
      "Show what Rapport would ingest from a file of raw payloads (no database): each canonical message, or why it would be dead-lettered",
    )
    .argument("<platform>", "a channel kind or a format (see below)")
    .argument(
      "<files...>",
      "JSON (one payload or an array), JSONL (one per line), or the format's own files (e.g. .eml)",
    )
    .option(
      "--channel <key>",
      "the channel the payloads arrived on: filled into payloads that name none (as a webhook channel's endpoint does) and used for native files such as .eml (default: the format's name)",
    )
    .option("--json", "print { format, ok, failed, results } as JSON")
    .addHelpText(
      "after",
      () => `
Formats:
${formatHelp()}

JSON arrays are counted from item 0, JSONL from line 1. The exit code is 0 when every payload would be
ingested, 1 when any would become a dead letter, 2 for a usage error (unknown format, missing file).

Examples:
  rapport parse canonical messages.jsonl
  rapport parse webhook body.json --channel forum-bridge
  rapport parse email mail.eml --json
  rapport parse email inbox/*.eml`,
    )
    .action(async (platform: string, files: string[], opts: { channel?: string; json?: boolean }) => {
      const { inspectFile } = await import("../payload-inspector.ts");
      let format = platform;
      const results: Inspection[] = [];
      for (const file of files) {
        const inspected = await inspectFile(file, platform, opts.channel ? { channel: opts.channel } : {});
        format = inspected.format;
        const name = path.basename(file);
        // With several files, say which one each payload came from.
        for (const r of inspected.results)
          results.push(files.length > 1 && !r.at.startsWith(name) ? { ...r, at: `${name} ${r.at}` } : r);
      }
      const failed = results.filter((r) => !r.ok).length;
      const ignored = results.filter((r) => r.ok && "ignored" in r).length;
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ format, ok: results.length - failed - ignored, ignored, failed, results }, null, 2)}\n`,
        );
      } else {
        printForPeople(results);
        process.stdout.write(
          `\n${results.length} payload${results.length === 1 ? "" : "s"} (${format}): ${results.length - failed - ignored} would be ingested, ${ignored > 0 ? `${ignored} ignored (not messages), ` : ""}${failed} would be dead-lettered.\n`,
        );
      }
      if (failed > 0 || results.length === 0) process.exitCode = 1;
    });
}
