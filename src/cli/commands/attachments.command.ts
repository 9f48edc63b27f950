/**
 * `rapport attachments fetch-missing` — downloads, where the platform still has them, the files of
 * messages stored before Rapport kept platform files (docs/attachments.md).
 */
import type { Command } from "commander";
import { printJson, withDatabase } from "../context.ts";
import { progressBar } from "../progress.ts";

export function registerAttachments(program: Command): void {
  const command = program.command("attachments").description("Files people attached to their messages.");
  command
    .command("fetch-missing")
    .description(
      "Find the platform URLs of files stored without content and without a source (Mastodon and Bluesky messages ingested before files were downloaded) in their raw events, and queue their download. A running `rapport serve` or `rapport worker` downloads them.",
    )
    .option("--channel <key>", "only this channel's messages")
    .option(
      "--retry-failed",
      "also queue again the files whose download gave up after its attempts (the platform was down)",
    )
    .option("--json", "print a JSON summary { messages, files, queued, withoutUrl[, retried] }")
    .action(async (opts: { channel?: string; retryFailed?: boolean; json?: boolean }) => {
      const { createServices } = await import("../../services/container.ts");
      const { createConnectorRegistry } = await import("../../channels/registry.ts");
      const { AttachmentBackfill } = await import("../../services/attachment.backfill.ts");
      await withDatabase(async (database) => {
        const services = createServices(database);
        createConnectorRegistry().registerFormats(services.normalizers);
        const backfill = new AttachmentBackfill(database, services.normalizers);
        const channel = opts.channel ?? null;
        const total = await backfill.pending(channel);
        const bar = progressBar("Looking for files", "messages");
        const result = await backfill.run({ channel, onProgress: (done) => bar.update(done, total) });
        bar.stop();
        const retried = opts.retryFailed ? await backfill.retryFailed(channel) : null;
        if (opts.json) printJson({ ...result, ...(retried ? { retried: retried.files } : {}) });
        else {
          if (retried)
            console.log(
              `Queued ${retried.files} file${retried.files === 1 ? "" : "s"} whose download had given up to be tried again.`,
            );
          console.log(
            result.messages === 0
              ? "No files to look for: every attachment is stored, being downloaded, or was looked for already."
              : `Found ${result.files} file URL${result.files === 1 ? "" : "s"} in ${result.messages} messages; queued ${result.queued} download${result.queued === 1 ? "" : "s"} (a running server or worker takes them). ${result.withoutUrl} file${result.withoutUrl === 1 ? "" : "s"} had no URL in the raw event.`,
          );
        }
      });
    });
}
