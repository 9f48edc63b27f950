/**
 * `rapport worker` — runs the background job worker (sending replies) without the HTTP server, for
 * scaled deployments: any number of `rapport serve --no-worker` and `rapport worker` processes share one
 * PostgreSQL. (On PGlite the data folder belongs to one process: `rapport serve` runs the worker itself.)
 */
import type { Command } from "commander";
import { wholeNumber } from "../args.ts";
import type { WorkerOptions } from "./worker.run.ts";

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description(
      "Run the background worker alone (sends replies from the outbox and webhook deliveries), for scaled deployments",
    )
    .option("--demo", "send replies on the demo platforms' channels through the demo connector (no network)")
    .option("-c, --concurrency <n>", "jobs run at once (1–64, default 4)", wholeNumber(1, 64))
    .action(async (opts: WorkerOptions) => (await import("./worker.run.ts")).runWorker(opts));
}
