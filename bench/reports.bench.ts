/**
 * Report latency at scale: seeds BENCH_CONVERSATIONS (default 1,000,000) conversations into a
 * throw-away PostgreSQL database with seedLargeWorkspace, then runs each report N times and reports
 * p50/p99 latency. The target (issue 4): every report answers in under a second.
 */
import { sql } from "drizzle-orm";
import { QueueService } from "../src/services/queue.service.ts";
import { fairnessReport } from "../src/services/reports/fairness.report.ts";
import { happinessReport } from "../src/services/reports/happiness.report.ts";
import type { ReportOptions } from "../src/services/reports/report.scope.ts";
import { slaReport } from "../src/services/reports/sla.report.ts";
import { type Database, openDatabase } from "../src/store/db.ts";
import { createThrowawayPostgres } from "../test/helpers/postgres.ts";
import { seedLargeWorkspace } from "./seed-large.ts";

export interface ReportsBenchRow {
  report: string;
  scope: string;
  runs: number;
  p50: number;
  p99: number;
}

export interface ReportsBenchResult {
  conversations: number;
  seedSeconds: number;
  rows: ReportsBenchRow[];
}

function percentile(sorted: number[], p: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}

async function time(runs: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  await fn(); // warm-up: caches and hint bits, as on a database in use
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

export async function benchReports(options: {
  postgresUrl: string;
  conversations: number;
  runs: number;
  log: (s: string) => void;
}): Promise<ReportsBenchResult> {
  const created = await createThrowawayPostgres(options.postgresUrl);
  let database: Database | undefined;
  try {
    database = await openDatabase({ url: created.url });
    const db = database;
    const seeded = performance.now();
    await seedLargeWorkspace(db, { conversations: options.conversations, log: options.log });
    const seedSeconds = (performance.now() - seeded) / 1000;
    // What autovacuum does to a live table: visibility map for index-only scans, fresh statistics.
    await db.db.execute(sql`VACUUM ANALYZE conversations`);
    options.log(
      `seeded ${options.conversations.toLocaleString("en")} conversations in ${seedSeconds.toFixed(1)} s`,
    );

    const queue = new QueueService(db.db);
    // A cursor 1,000 conversations deep, as a client paging through the queue would hold.
    let deep: { at: string; id: string } | undefined;
    for (let page = 0, after: typeof deep; page < 40; page++) {
      const result = await queue.page({ limit: 25, ...(after ? { after } : {}) });
      after = result.next ?? undefined;
      deep = after;
    }
    const lastMonth: ReportOptions = { from: new Date(Date.now() - 30 * 86_400_000) };
    const cases: Array<{ report: string; scope: string; run: () => Promise<unknown> }> = [
      { report: "fairness", scope: "all time", run: () => fairnessReport(db, {}) },
      { report: "fairness", scope: "last 30 days", run: () => fairnessReport(db, lastMonth) },
      { report: "fairness", scope: "one channel", run: () => fairnessReport(db, { channel: "seed-x" }) },
      { report: "happiness", scope: "all time", run: () => happinessReport(db, {}) },
      { report: "happiness", scope: "last 30 days", run: () => happinessReport(db, lastMonth) },
      { report: "sla", scope: "all time", run: () => slaReport(db, {}) },
      { report: "sla", scope: "last 30 days", run: () => slaReport(db, lastMonth) },
      // The fair queue (GET /api/queue): first page, a filtered page, and a page deep in the queue.
      { report: "queue", scope: "first page (25)", run: () => queue.page({ limit: 25 }) },
      { report: "queue", scope: "one channel (25)", run: () => queue.page({ channel: "seed-x", limit: 25 }) },
      { report: "queue", scope: "unassigned (25)", run: () => queue.page({ assignee: "none", limit: 25 }) },
      {
        report: "queue",
        scope: "page 40 (cursor)",
        run: () => queue.page({ limit: 25, ...(deep ? { after: deep } : {}) }),
      },
    ];
    const rows: ReportsBenchRow[] = [];
    for (const c of cases) {
      const measured = await time(options.runs, c.run);
      rows.push({ report: c.report, scope: c.scope, runs: options.runs, ...measured });
      options.log(
        `${c.report} (${c.scope}): p50 ${measured.p50.toFixed(0)} ms, p99 ${measured.p99.toFixed(0)} ms`,
      );
    }
    return { conversations: options.conversations, seedSeconds, rows };
  } finally {
    await database?.close();
    await created.drop();
  }
}
