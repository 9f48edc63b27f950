/**
 * The `rapport` command line. Each command lives in ./commands/<name>.command.ts and exports a
 * `register(program)` function; this file only assembles them.
 */
import { Command } from "commander";
import { AppError } from "../core/errors.ts";
import { commands } from "./commands/index.ts";
import { loadParseFormats } from "./commands/parse.command.ts";

const program = new Command()
  .name("rapport")
  .description("Rapport — a self-hosted customer-care inbox where every voice is answered by a real person.")
  .version("0.1.0")
  .showHelpAfterError("(run with --help for usage)");

for (const register of commands) register(program);

try {
  // Commander prints help synchronously (`rapport help parse`): load the formats it lists first.
  if (process.argv.slice(2).includes("parse")) await loadParseFormats();
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof AppError) {
    console.error(`rapport: ${error.message}`);
    process.exitCode = error.status >= 500 ? 1 : 2;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
}
