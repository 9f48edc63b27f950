/**
 * `rapport corrections export|report` — agents' corrections of the analysis, the workspace's own
 * labelled examples (docs/corrections.md): write them out as JSON lines, and see
 * how the current analyzer does on them.
 */
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { type Command, InvalidArgumentError } from "commander";
import { AppError } from "../../core/errors.ts";
import { printJson, withDatabase } from "../context.ts";

const FIELDS = ["sentiment", "intent", "urgency", "spam", "language"] as const;
type Field = (typeof FIELDS)[number];

function fieldOption(value: string): Field {
  if (!(FIELDS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`use one of ${FIELDS.join(", ")}.`);
  return value as Field;
}

function sinceOption(value: string): string {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new InvalidArgumentError("use a date such as 2026-11-01.");
  return at.toISOString();
}

export function registerCorrections(program: Command): void {
  const command = program
    .command("corrections")
    .description("Agents' corrections of the analysis: export them, and measure the analyzer on them.");
  command
    .command("export")
    .description(
      "Write every correction as one JSON line: { messageId, conversationId, channel, field, machine, human, analyzerVersion, text, agent, correctedAt }.",
    )
    .option("--field <field>", `only one field (${FIELDS.join(", ")})`, fieldOption)
    .option("--since <date>", "only corrections made since this date", sinceOption)
    .option("--output <file>", "write to this file instead of stdout")
    .action(async (opts: { field?: Field; since?: string; output?: string }) => {
      const { correctionsRepository } = await import("../../store/corrections.repository.ts");
      const { presentCorrection } = await import("../../services/corrections.service.ts");
      await withDatabase(async (database) => {
        const out: NodeJS.WritableStream = opts.output ? createWriteStream(opts.output) : process.stdout;
        let count = 0;
        const filter = {
          ...(opts.field ? { field: opts.field } : {}),
          ...(opts.since ? { since: opts.since } : {}),
        };
        for await (const page of correctionsRepository(database).pages(filter)) {
          const chunk = page.map((c) => `${JSON.stringify(presentCorrection(c))}\n`).join("");
          if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
          count += page.length;
        }
        if (opts.output) {
          await new Promise<void>((resolve) => out.end(() => resolve()));
          console.error(`Wrote ${count} correction${count === 1 ? "" : "s"} to ${opts.output}.`);
        }
      });
    });
  command
    .command("report")
    .description(
      "Analyse each corrected message again with the current analyzer and show how often it now agrees with the agent, field by field, with what agents changed most.",
    )
    .option("--input <file>", "read an export (JSON lines) instead of the database")
    .option("--field <field>", `only one field (${FIELDS.join(", ")})`, fieldOption)
    .option("--json", "print JSON")
    .action(async (opts: { input?: string; field?: Field; json?: boolean }) => {
      const { correctionsReport } = await import("../../services/corrections.report.ts");
      const { rapportAnalyzer } = await import("../../analysis/rapport.analyzer.ts");
      const { createServices } = await import("../../services/container.ts");
      // Each field's figures stand alone, so --field keeps that field's row.
      const fields = opts.input
        ? correctionsReport(await readExport(opts.input), rapportAnalyzer)
        : await withDatabase(
            async (database) => (await createServices(database).corrections.report()).fields,
          );
      const report = opts.field ? fields.filter((f) => f.field === opts.field) : fields;
      if (opts.json) return printJson({ analyzer: rapportAnalyzer.version, fields: report });
      if (report.length === 0) {
        console.log(
          "No corrections yet: agents correct a message's analysis from its chips in the workspace.",
        );
        return;
      }
      console.log(`Analyzer ${rapportAnalyzer.version} on agents' corrections (each text analysed alone):\n`);
      for (const r of report) {
        const share = ((100 * r.agreesNow) / r.corrections).toFixed(1);
        console.log(
          `${r.field}: ${r.corrections} corrected, the analyzer now agrees on ${r.agreesNow} (${share}%)`,
        );
        for (const c of r.confusion.slice(0, 5)) console.log(`    ${c.machine} → ${c.human}: ${c.count}`);
      }
    });
}

type Example = import("../../services/corrections.report.ts").CorrectionExample;

/** Reads an export; a line that is not a correction stops with its line number. */
async function readExport(file: string): Promise<Example[]> {
  if (!existsSync(file)) throw new AppError("bad_request", `${file}: no such file`);
  const examples: Example[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new AppError("bad_request", `${file} line ${n}: not JSON`);
    }
    const e = value as Partial<Example>;
    const human = e.human;
    if (
      typeof e.text !== "string" ||
      !(FIELDS as readonly unknown[]).includes(e.field) ||
      !(typeof human === "string" || (Array.isArray(human) && human.every((h) => typeof h === "string")))
    )
      throw new AppError(
        "bad_request",
        `${file} line ${n}: needs text, field (${FIELDS.join(", ")}) and human`,
      );
    examples.push({ field: e.field as Field, machine: e.machine ?? null, human, text: e.text });
  }
  return examples;
}
