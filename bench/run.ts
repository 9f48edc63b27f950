/**
 * `npm run bench`: runs Rapport's benchmarks (analysis messages/s against vader-sentiment, then import) and writes their results into docs/benchmarks.md
 * (between the markers of each section). Every figure is a ratio against a baseline measured in the
 * same run on the same machine.
 * `npm run bench -- reports` runs only the named benchmarks (import, reports); no names runs them all.
 *   BENCH_MESSAGES (default 200000)   how many messages the import benchmark generates
 *   BENCH_CONVERSATIONS (default 1000000)  how many conversations the reports benchmark seeds
 *   BENCH_RUNS (default 20)            how many times the reports benchmark runs each report
 *   BENCH_DATABASE_URL                 PostgreSQL to create throw-away databases on
 *                                      (default postgres://postgres@127.0.0.1:5432/test when reachable)
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import pg from "pg";
import { analysisTable, benchAnalysis } from "./analysis.bench.ts";
import { benchImport } from "./import.bench.ts";
import { benchReports } from "./reports.bench.ts";

const docs = new URL("../docs/benchmarks.md", import.meta.url);

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function writeSection(name: string, body: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  let text = existsSync(docs) ? readFileSync(docs, "utf8") : "# Benchmarks\n";
  const block = `${start}\n${body.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(docs, text);
}

// The analysis bench runs first, on a quiet process, before the import bench fills the heap.
const analysis = benchAnalysis();
const analysisBody = analysisTable(analysis);
console.log(analysisBody);
writeSection(
  "analysis",
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}; load average ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" / ")} (a shared machine: absolute rates move, the ratio is steadier).\n\n${analysisBody}`,
);

const messages = Number(process.env.BENCH_MESSAGES ?? 200_000);
const candidate = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const postgresUrl = (await reachable(candidate)) ? candidate : undefined;
if (!postgresUrl) console.warn(`PostgreSQL at ${candidate} is not reachable: measuring PGlite only.`);

const selected = process.argv.slice(2);
const wanted = (name: string) => selected.length === 0 || selected.includes(name);
const date = new Date().toISOString().slice(0, 10);

if (wanted("import")) {
  const rows = await benchImport({
    messages,
    ...(postgresUrl ? { postgresUrl } : {}),
    log: (s) => console.log(s),
  });
  const table = [
    "| engine | messages | raw multi-row INSERT (rows/s) | Rapport import (messages/s) | ratio |",
    "|---|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.engine} | ${r.messages.toLocaleString("en")} | ${Math.round(r.rawPerSecond).toLocaleString("en")} | ${Math.round(r.rapportPerSecond).toLocaleString("en")} | ${(r.ratio * 100).toFixed(0)}% |`,
    ),
  ].join("\n");
  console.log(table);
  writeSection(
    "import",
    `Measured ${date} on ${machine()}; load average after the run ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" / ")} (a shared machine: absolute rates move, and the ratio moves too, see below).\n\n${table}`,
  );
}

if (wanted("reports")) {
  if (!postgresUrl) {
    console.warn("Skipping the reports benchmark: it needs PostgreSQL (set BENCH_DATABASE_URL).");
  } else {
    const conversations = Number(process.env.BENCH_CONVERSATIONS ?? 1_000_000);
    const runs = Number(process.env.BENCH_RUNS ?? 20);
    const result = await benchReports({ postgresUrl, conversations, runs, log: (s) => console.log(s) });
    const table = [
      "| report | scope | runs | p50 (ms) | p99 (ms) |",
      "|---|---|---:|---:|---:|",
      ...result.rows.map(
        (r) => `| ${r.report} | ${r.scope} | ${r.runs} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} |`,
      ),
    ].join("\n");
    console.log(table);
    writeSection(
      "reports",
      `Measured ${date} on ${machine()}, PostgreSQL 15 (local, default settings), ${result.conversations.toLocaleString("en")} conversations seeded by \`bench/seed-large.ts\` in ${result.seedSeconds.toFixed(0)} s; load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(" / ")} at the end (a shared machine). Target: under 1 s.\n\n${table}`,
    );
  }
}
