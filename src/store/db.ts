/**
 * Opens Rapport's database: embedded PGlite in a data folder by default, or a real PostgreSQL when a
 * `postgres://` URL is given. Both speak the same SQL and run the same migrations.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { acquireLock, type Lock } from "./lockfile.ts";
import * as schema from "./schema.ts";

export type Schema = typeof schema;
/** A drizzle handle that works on both engines; transactions (`tx`) have the same shape. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Engine = "pglite" | "postgres";

export interface Database {
  readonly engine: Engine;
  readonly db: Db;
  /** Runs a raw statement and returns its rows. */
  rows<T = Record<string, unknown>>(query: SQL, on?: Db): Promise<T[]>;
  /** Subscribes to a NOTIFY channel; returns an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgres://…` for PostgreSQL; a folder path for PGlite; `memory://` for a throw-away PGlite. */
  url: string;
  /** Run migrations on open (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = isPostgresUrl(options.url) ? await openPostgres(options) : await openPglite(options.url);
  if (options.migrate !== false) {
    await database.migrate();
  }
  return database;
}

type Opened = Database & { migrate(): Promise<void> };

async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

async function openPglite(url: string): Promise<Opened> {
  let lock: Lock | undefined;
  let client: PGlite;
  if (url === "memory://" || url === "") {
    client = new PGlite();
  } else {
    const dir = path.resolve(url);
    mkdirSync(dir, { recursive: true });
    // PGlite has no guard against two processes opening one folder; corrupting it would lose data.
    lock = acquireLock(path.join(dir, "rapport.lock"));
    try {
      client = new PGlite(path.join(dir, "pgdata"));
    } catch (error) {
      lock.release();
      throw error;
    }
  }
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    engine: "pglite",
    db,
    rows: (query, on) => rowsOf(on ?? db, query),
    async listen(channel, onPayload) {
      const unsubscribe = await client.listen(channel, onPayload);
      return async () => unsubscribe();
    },
    async notify(channel, payload) {
      await client.query("SELECT pg_notify($1, $2)", [channel, payload]);
    },
    async migrate() {
      await migratePglite(drizzlePglite(client), { migrationsFolder });
    },
    async close() {
      await client.close();
      lock?.release();
    },
  };
}

async function openPostgres(options: DatabaseOptions): Promise<Opened> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  pool.on("error", () => {
    // An idle client lost its connection; the pool replaces it. Nothing to do here.
  });
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  const listeners: pg.PoolClient[] = [];
  return {
    engine: "postgres",
    db,
    rows: (query, on) => rowsOf(on ?? db, query),
    async listen(channel, onPayload) {
      const client = await pool.connect();
      listeners.push(client);
      client.on("notification", (message) => {
        if (message.channel === channel) onPayload(message.payload ?? "");
      });
      await client.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
      return async () => {
        await client.query(`UNLISTEN "${channel.replaceAll('"', '""')}"`).catch(() => {});
        client.release();
        listeners.splice(listeners.indexOf(client), 1);
      };
    },
    async notify(channel, payload) {
      await db.execute(sql`SELECT pg_notify(${channel}, ${payload})`);
    },
    async migrate() {
      // Several server processes may start at once; one migrates while the others wait.
      const client = await pool.connect();
      try {
        await client.query("SELECT pg_advisory_lock(727274)");
        await migratePg(drizzlePg(client), { migrationsFolder });
      } finally {
        await client.query("SELECT pg_advisory_unlock(727274)").catch(() => {});
        client.release();
      }
    },
    async close() {
      for (const client of listeners.splice(0)) client.release();
      await pool.end();
    },
  };
}
