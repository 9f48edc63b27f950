/** Opens what a CLI command needs (config + database) and closes it afterwards. */
import { loadConfig } from "../config.ts";
import { type Database, openDatabase } from "../store/db.ts";

export async function withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
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
