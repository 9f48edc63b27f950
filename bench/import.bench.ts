/**
 * Import throughput: Rapport's `import --format jsonl` path (raw events, normalize, dedupe, identities,
 * threading, analysis, messages) against a raw multi-row INSERT of the same rows into a bare table,
 * measured in the same run on PGlite (on disk) and PostgreSQL.
 */
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { sql } from "drizzle-orm";
import type { InboundMessage } from "../src/core/inbound.ts";
import { createServices } from "../src/services/container.ts";
import { runImport } from "../src/services/import/import.runner.ts";
import { type Database, openDatabase } from "../src/store/db.ts";
import { createThrowawayPostgres } from "../test/helpers/postgres.ts";
import { generateJsonl } from "./generate.ts";

export interface ImportBenchRow {
  engine: string;
  messages: number;
  rawPerSecond: number;
  rapportPerSecond: number;
  ratio: number;
}

async function rawInsert(database: Database, file: string): Promise<number> {
  await database.db.execute(sql`CREATE TABLE bench_raw (channel text, external_id text, thread text, in_reply_to text,
    direction text, author_id text, author_handle text, follower_count integer, text text, created_at timestamptz)`);
  const started = performance.now();
  let batch: InboundMessage[] = [];
  let count = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const values = batch.map(
      (m) =>
        sql`(${m.channel}, ${m.externalId}, ${m.threadExternalId ?? null}, ${m.inReplyToExternalId ?? null}, ${m.direction},
          ${m.author.externalId}, ${m.author.handle ?? null}, ${m.author.followerCount ?? null}, ${m.text}, ${m.createdAt})`,
    );
    await database.db.execute(sql`INSERT INTO bench_raw VALUES ${sql.join(values, sql`, `)}`);
    count += batch.length;
    batch = [];
  };
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    batch.push(JSON.parse(line));
    if (batch.length >= 1000) await flush();
  }
  await flush();
  const seconds = (performance.now() - started) / 1000;
  return count / seconds;
}

async function rapportImport(database: Database, file: string, expected: number): Promise<number> {
  const services = createServices(database);
  const started = performance.now();
  const summary = await runImport(services.ingest, "jsonl", file);
  const seconds = (performance.now() - started) / 1000;
  if (summary.messages !== expected) throw new Error(`imported ${summary.messages} of ${expected} messages`);
  return summary.messages / seconds;
}

export async function benchImport(options: {
  messages: number;
  postgresUrl?: string;
  log: (s: string) => void;
}) {
  const dir = mkdtempSync(path.join(tmpdir(), "rapport-bench-"));
  const file = path.join(dir, "messages.jsonl");
  await generateJsonl(file, options.messages);
  options.log(`generated ${options.messages} messages in ${file}`);
  const rows: ImportBenchRow[] = [];
  const engines: Array<{ name: string; open: () => Promise<{ db: Database; done: () => Promise<void> }> }> = [
    {
      name: "PGlite (on disk)",
      open: async () => {
        const data = mkdtempSync(path.join(dir, "pglite-"));
        const db = await openDatabase({ url: data });
        return {
          db,
          done: async () => {
            await db.close();
            rmSync(data, { recursive: true, force: true });
          },
        };
      },
    },
  ];
  if (options.postgresUrl) {
    engines.push({
      name: "PostgreSQL 15 (local)",
      open: async () => {
        const created = await createThrowawayPostgres(options.postgresUrl);
        const db = await openDatabase({ url: created.url });
        return {
          db,
          done: async () => {
            await db.close();
            await created.drop();
          },
        };
      },
    });
  }
  for (const engine of engines) {
    const raw = await engine.open();
    const rawPerSecond = await rawInsert(raw.db, file);
    await raw.done();
    options.log(`${engine.name}: raw INSERT ${rawPerSecond.toFixed(0)} rows/s`);
    const rapport = await engine.open();
    const rapportPerSecond = await rapportImport(rapport.db, file, options.messages);
    await rapport.done();
    options.log(`${engine.name}: Rapport import ${rapportPerSecond.toFixed(0)} messages/s`);
    rows.push({
      engine: engine.name,
      messages: options.messages,
      rawPerSecond,
      rapportPerSecond,
      ratio: rapportPerSecond / rawPerSecond,
    });
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}
