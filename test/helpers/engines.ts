/**
 * Runs an integration suite on every engine: PGlite always, PostgreSQL when TEST_DATABASE_URL is set.
 * Each suite gets a fresh database (an in-memory PGlite, or a throw-away PostgreSQL database).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe } from "vitest";
import { type Database, type Engine, openDatabase } from "../../src/store/db.ts";

export interface EngineContext {
  engine: Engine;
  /** Valid inside tests (after beforeAll). */
  database: Database;
  /** The URL the database was opened with (memory:// or a postgres:// URL). */
  url: string;
}

export const engines: Engine[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

/** Creates an empty PostgreSQL database next to TEST_DATABASE_URL and returns its URL and a dropper. */
export async function createThrowawayPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `rapport_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

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
