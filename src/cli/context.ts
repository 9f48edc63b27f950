/**
 * Opens what a CLI command needs (config + database) and closes it afterwards.
 *
 * Commands import their heavy modules inside their actions (`await import(…)`), not at the top of the
 * file: `rapport --help` and every command would otherwise load the whole server first (about 2 s).
 */
import type { Database } from "../store/db.ts";

export async function withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const { loadConfig } = await import("../config.ts");
  const { openDatabase } = await import("../store/db.ts");
  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** Prints a value as pretty JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
