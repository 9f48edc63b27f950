/** `rapport migrate` — applies pending migrations (serve does this too, at start). */
import type { Command } from "commander";
import { withDatabase } from "../context.ts";

export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description("Apply pending database migrations (DATABASE_URL or RAPPORT_DATA).")
    .action(async () => {
      await withDatabase(async (database) => {
        console.log(`Database is up to date (${database.engine}).`);
      });
    });
}
