/** `rapport reanalyze [--all]` — re-analyse stored messages with the current analyzer. */
import type { Command } from "commander";
import { printJson, withDatabase } from "../context.ts";
import { progressBar } from "../progress.ts";

export function registerReanalyze(program: Command): void {
  program
    .command("reanalyze")
    .description(
      "Re-analyse stored messages (sentiment, intent, urgency, spam, language) with the current analyzer.",
    )
    .option("--all", "every message, not only those analysed by another analyzer version")
    .option("--json", "print a JSON summary")
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const { createServices } = await import("../../services/container.ts");
      await withDatabase(async (database) => {
        const services = createServices(database);
        const total = await services.reanalyze.pending(opts.all ?? false);
        const bar = progressBar("Re-analysing", "messages");
        const result = await services.reanalyze.run({
          all: opts.all ?? false,
          onProgress: (done) => bar.update(done, total),
        });
        bar.stop();
        if (opts.json) printJson(result);
        else
          console.log(
            `Re-analysed ${result.messages} messages in ${result.conversations} conversations with ${result.version}.`,
          );
      });
    });
}
