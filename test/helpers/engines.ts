/**
 * Runs an integration suite on every engine: PGlite always, PostgreSQL when TEST_DATABASE_URL is set.
 * Each suite gets a fresh database (an in-memory PGlite, or a throw-away PostgreSQL database).
 */
import { afterAll, beforeAll, describe } from "vitest";
import { type Database, type Engine, openDatabase } from "../../src/store/db.ts";
import { createThrowawayPostgres } from "./postgres.ts";

export { createThrowawayPostgres };

export interface EngineContext {
  engine: Engine;
  /** Valid inside tests (after beforeAll). */
  database: Database;
  /** The URL the database was opened with (memory:// or a postgres:// URL). */
  url: string;
}

export const engines: Engine[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

export function describeEachEngine(name: string, body: (ctx: EngineContext) => void): void {
  for (const engine of engines) {
    describe(`${name} [${engine}]`, () => {
      const ctx = { engine } as EngineContext;
      let drop: (() => Promise<void>) | undefined;
      beforeAll(async () => {
        if (engine === "postgres") {
          const created = await createThrowawayPostgres();
          drop = created.drop;
          ctx.url = created.url;
        } else {
          ctx.url = "memory://";
        }
        ctx.database = await openDatabase({ url: ctx.url, poolSize: 4 });
      });
      afterAll(async () => {
        await ctx.database?.close();
        await drop?.();
      });
      body(ctx);
    });
  }
}
