/** `rapport serve [--demo]` — the HTTP API on PGlite (RAPPORT_DATA) or PostgreSQL (DATABASE_URL). */
import type { Command } from "commander";
import { wholeNumber } from "../args.ts";
import type { ServeOptions } from "./serve.run.ts";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(
      "Start the Rapport server (HTTP API, realtime events and the send worker). Runs migrations first.",
    )
    .option(
      "--demo",
      "on first start, create a demo workspace (admin account + ~200 conversations); replies on the demo platforms are marked sent without any network",
    )
    .option("--no-worker", "do not run the send worker in this process (run `rapport worker` instead)")
    .option("--no-pollers", "do not poll the set-up channels (e.g. IMAP mailboxes) in this process")
    .option("-p, --port <port>", "port to listen on (default: PORT or 3000)", wholeNumber(0, 65_535))
    .option("--host <host>", "address to listen on (default: HOST or 127.0.0.1)")
    .action(async (opts: ServeOptions) => (await import("./serve.run.ts")).runServe(opts));
}
