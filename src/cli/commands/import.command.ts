/** `rapport import [--format jsonl|twcs|csv] FILE` — imports history through the ingest pipeline. */
import { existsSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import { AppError } from "../../core/errors.ts";
import { CSV_FIELDS } from "../../services/import/import.types.ts";
import { printJson, withDatabase } from "../context.ts";
import { progressBar } from "../progress.ts";

function collectMapping(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0 || eq === value.length - 1)
    throw new InvalidArgumentError(`expected FIELD=COLUMN, got "${value}"`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() };
}

export function registerImport(program: Command): void {
  program
    .command("import")
    .description("Import messages from a file through the ingest pipeline (re-importing adds nothing).")
    .argument("<file>", "the file to import")
    .addOption(
      new Option("-f, --format <format>", "file format").choices(["jsonl", "twcs", "csv"]).default("jsonl"),
    )
    .option("--channel <key>", "csv: channel key for every row (unless a channel column is mapped)")
    .option(
      "--map <field=column>",
      `csv: map a canonical field to a column (repeatable); fields: ${CSV_FIELDS.join(", ")}`,
      collectMapping,
      {},
    )
    .addOption(
      new Option("--direction <direction>", "csv: direction when no column is mapped").choices(["in", "out"]),
    )
    .option("--json", "print only a JSON summary on stdout")
    .addHelpText(
      "after",
      `
Formats:
  jsonl  one canonical message per line (docs/formats.md)
  twcs   the Customer Support on Twitter CSV (tweet_id, author_id, inbound, created_at, text, …)
  csv    any CSV with a header, given --map FIELD=COLUMN for externalId, author.externalId, text, createdAt

Examples:
  rapport import --format twcs twcs.csv --json
  rapport import --format csv tickets.csv --channel shop-email \\
    --map externalId=id --map author.externalId=email --map text=body --map createdAt=date`,
    )
    .action(
      async (
        file: string,
        opts: {
          format: string;
          channel?: string;
          map: Record<string, string>;
          direction?: "in" | "out";
          json?: boolean;
        },
      ) => {
        if (!existsSync(file)) throw new AppError("not_found", `No such file: ${file}`);
        const { createServices } = await import("../../services/container.ts");
        const { runImport } = await import("../../services/import/import.runner.ts");
        await withDatabase(async (database) => {
          const services = createServices(database);
          const bar = progressBar(`Importing ${opts.format}`, opts.format === "jsonl" ? "bytes" : "rows");
          const started = performance.now();
          const summary = await runImport(
            services.ingest,
            opts.format,
            file,
            {
              ...(opts.channel ? { channel: opts.channel } : {}),
              ...(Object.keys(opts.map).length ? { mapping: opts.map } : {}),
              ...(opts.direction ? { direction: opts.direction } : {}),
            },
            (p) =>
              bar.update(p.done, p.total, {
                messages: p.summary.messages,
                "dead letters": p.summary.deadLetters,
              }),
          );
          bar.stop();
          if (opts.json) printJson(summary);
          else {
            const seconds = (performance.now() - started) / 1000;
            console.log(
              `Imported ${summary.messages} messages (${summary.duplicates} already stored) into ${summary.conversations} new conversations ` +
                `with ${summary.people} new people in ${seconds.toFixed(1)} s.`,
            );
            if (summary.deadLetters > 0) {
              console.log(
                `${summary.deadLetters} rows could not be read: see \`rapport dead-letters list\`.`,
              );
            }
          }
        });
      },
    );
}
