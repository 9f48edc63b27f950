/**
 * `tsx bench/import.cpu.ts [messages]`: one Rapport import of generated JSONL into a throw-away
 * PostgreSQL database, reporting wall time and, steadier on a shared machine, the CPU time of the
 * database backends serving it and of this Node process. For comparing variants of the import path
 * (docs/benchmarks.md); `npm run bench -- import` gives the recorded figures.
 *   BENCH_DATABASE_URL   PostgreSQL (default postgres://postgres@127.0.0.1:5432/test), on this machine
 */
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { createServices } from "../src/services/container.ts";
import { runImport } from "../src/services/import/import.runner.ts";
import { openDatabase } from "../src/store/db.ts";
import { createThrowawayPostgres } from "../test/helpers/postgres.ts";
import { generateJsonl } from "./generate.ts";

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, or undefined once it is gone. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

const messages = Number(process.argv[2] ?? 50_000);
const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const file = path.join(tmpdir(), `rapport-bench-${messages}.jsonl`);
if (!existsSync(file)) await generateJsonl(file, messages);

const created = await createThrowawayPostgres(adminUrl);
const database = await openDatabase({ url: created.url });
const dbName = new URL(created.url).pathname.slice(1);
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();

// Backends come and go with the pool: remember each one's CPU when first seen and its latest reading.
const first = new Map<number, number>();
const last = new Map<number, number>();
async function sample(): Promise<void> {
  const { rows } = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [
    dbName,
  ]);
  for (const { pid } of rows) {
    const cpu = cpuSeconds(pid);
    if (cpu === undefined) continue;
    if (!first.has(pid)) first.set(pid, sampling ? 0 : cpu);
    last.set(pid, cpu);
  }
}
let sampling = false;
await sample();
sampling = true;
const timer = setInterval(() => void sample(), 100);

const services = createServices(database);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const summary = await runImport(services.ingest, "jsonl", file);
const seconds = (performance.now() - started) / 1000;
const nodeCpu = process.cpuUsage(cpuBefore);
clearInterval(timer);
await sample();
let databaseCpu = 0;
for (const [pid, cpu] of last) databaseCpu += cpu - (first.get(pid) ?? 0);

console.log(
  JSON.stringify({
    messages: summary.messages,
    duplicates: summary.duplicates,
    deadLetters: summary.deadLetters,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(summary.messages / seconds),
    databaseCpu: Number(databaseCpu.toFixed(2)),
    nodeCpu: Number(((nodeCpu.user + nodeCpu.system) / 1e6).toFixed(2)),
    backends: last.size,
  }),
);
await admin.end();
await database.close();
await created.drop();
