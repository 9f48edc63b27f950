/** `rapport dead-letters list|replay` — payloads the pipeline could not read, and retrying them. */
import type { Command } from "commander";
import { deadLetterId, wholeNumber } from "../args.ts";
import { printJson, withDatabase } from "../context.ts";

function preview(payload: unknown, width = 60): string {
  const text = typeof payload === "string" ? payload : JSON.stringify(payload);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export function registerDeadLetters(program: Command): void {
  const command = program
    .command("dead-letters")
    .description("Show and replay payloads that could not be ingested.");
  command
    .command("list")
    .description("List open dead letters (oldest first) with the reason each failed.")
    .option("--all", "include resolved ones")
    .option("--limit <n>", "how many to show (1–100000)", wholeNumber(1, 100_000), 100)
    .option("--json", "print JSON")
    .action(async (opts: { all?: boolean; limit: number; json?: boolean }) => {
      const { createServices } = await import("../../services/container.ts");
      await withDatabase(async (database) => {
        const letters = await createServices(database).deadLetters.list({
          includeResolved: opts.all ?? false,
          limit: opts.limit,
        });
        if (opts.json) return printJson(letters);
        if (letters.length === 0) return console.log("No dead letters: everything received was ingested.");
        for (const d of letters) {
          const where = d.detail?.line ? ` line ${d.detail.line}` : "";
          const state = d.resolvedAt ? "resolved" : `${d.attempts} attempt${d.attempts === 1 ? "" : "s"}`;
          console.log(
            `#${d.id}  ${d.source}${where}  (${state})\n    reason:  ${d.reason}\n    payload: ${preview(d.payload)}`,
          );
        }
      });
    });
  command
    .command("replay")
    .description("Run dead letters through the pipeline again (all open ones, or the given ids).")
    .argument("[ids...]", "dead letter ids, as `list` shows them (12 or #12)", deadLetterId)
    .option("--json", "print JSON")
    .action(async (ids: number[] | undefined, opts: { json?: boolean }) => {
      const { createServices } = await import("../../services/container.ts");
      const { createConnectorRegistry } = await import("../../channels/registry.ts");
      await withDatabase(async (database) => {
        const services = createServices(database);
        // Connectors' payloads (e.g. raw email) replay through the connector's own parser.
        createConnectorRegistry().registerFormats(services.normalizers);
        const result = await services.deadLetters.replay(ids?.length ? ids : undefined);
        if (opts.json) return printJson(result);
        console.log(
          `Replayed ${result.replayed}: ${result.stored} stored, ${result.duplicates} already stored, ${result.stillFailing.length} still failing.`,
        );
        for (const f of result.stillFailing) console.log(`  #${f.id}: ${f.reason}`);
      });
    });
}
