/**
 * The `attachments.fetch` job: downloads the files a platform keeps for one message (docs/attachments.md).
 * Each file is stored, or marked with why it cannot be (a 404, too large, a refused address); a server
 * error, a timeout or a refused connection is retried by the worker with backoff, and on the last
 * attempt the file is marked with the last reason, so nobody waits for it forever. The message's
 * `message.updated` event tells the workspace and webhooks that its files changed.
 */

import { eq } from "drizzle-orm";
import { z } from "zod";
import type { EventBus, RapportEvent } from "../services/events.ts";
import { attachmentRepository, GAVE_UP } from "../store/attachment.repository.ts";
import type { Database } from "../store/db.ts";
import { messages } from "../store/schema.ts";
import { fetchMedia, type MediaFetchOptions, type MediaFetchResult } from "./media.fetch.ts";
import { type JobHandler, PermanentJobError } from "./worker.ts";

export interface AttachmentJobDeps {
  database: Database;
  events: EventBus;
  media?: MediaFetchOptions;
}

const payloadSchema = z.object({ messageId: z.uuid() });

export function attachmentJob(deps: AttachmentJobDeps): JobHandler {
  return async (payload, job) => {
    const parsed = payloadSchema.safeParse(payload);
    if (!parsed.success) throw new PermanentJobError("The job names no message.");
    const { messageId } = parsed.data;
    const files = await attachmentRepository(deps.database.db).toFetch(messageId);
    if (files.length === 0) return; // Stored already (a job retaken after a crash), or the message is gone.
    const last = job.attempts >= job.maxAttempts;
    const results: Array<{ file: (typeof files)[number]; result: MediaFetchResult }> = [];
    for (const file of files) results.push({ file, result: await fetchMedia(file.sourceUrl!, deps.media) });
    const later = results.flatMap(({ file, result }) =>
      !result.ok && !result.permanent && !last ? [`file ${file.position}: ${result.reason}`] : [],
    );
    if (later.length < results.length) {
      const { events, journal } = await deps.database.db.transaction(async (tx) => {
        const repo = attachmentRepository(tx);
        for (const { file, result } of results) {
          if (result.ok)
            await repo.storeFetched(messageId, file.position, result.content, result.contentType);
          else if (result.permanent) await repo.fetchFailed(messageId, file.position, result.reason);
          else if (last)
            await repo.fetchFailed(
              messageId,
              file.position,
              `${GAVE_UP} ${job.attempts} attempts: ${result.reason}`,
            );
        }
        const [message] = await tx
          .select({ conversationId: messages.conversationId })
          .from(messages)
          .where(eq(messages.id, messageId));
        const changed: RapportEvent[] = message
          ? [{ type: "message.updated", messageId, conversationId: message.conversationId }]
          : [];
        return { events: changed, journal: await deps.events.stage(tx, changed) };
      });
      deps.events.publish(events, journal);
    }
    if (later.length > 0) throw new Error(`Not downloaded yet — ${later.join("; ")}`);
  };
}
