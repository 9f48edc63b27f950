/** Messages' attachments (stored by the ingest pipeline; files platforms keep, downloaded by a job). */
import { and, asc, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { MAX_ATTACHMENT_BYTES } from "../core/inbound.ts";
import type { Db } from "./db.ts";
import { attachments } from "./schema.ts";

/** The job queue that downloads files platforms keep (payload `{ messageId }`). */
export const MEDIA_QUEUE = "attachments.fetch";
/** Attempts before giving up: with the worker's backoff from 5 s, about 40 minutes of retrying. */
export const MEDIA_ATTEMPTS = 10;
/** How the reason of a file whose download gave up after its attempts starts (it may be retried). */
export const GAVE_UP = "not downloaded after";

/** Queues one download job per message, in the caller's transaction. */
export async function enqueueDownloads(tx: Db, messageIds: string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await tx.execute(sql`
    INSERT INTO jobs (queue, payload, max_attempts)
    SELECT ${MEDIA_QUEUE}, jsonb_build_object('messageId', value), ${MEDIA_ATTEMPTS}
    FROM json_array_elements_text(${JSON.stringify(messageIds)}::json)`);
}

/** Whether a file can be downloaded from Rapport: kept, still being downloaded from the platform, or not kept. */
export type AttachmentStatus = "stored" | "downloading" | "unavailable";

export interface AttachmentState {
  stored: boolean;
  size: number;
  sourceUrl: string | null;
  fetchError: string | null;
}

/** An attachment's status, and why it is unavailable (null otherwise). */
export function attachmentState(a: AttachmentState): { status: AttachmentStatus; note: string | null } {
  if (a.stored) return { status: "stored", note: null };
  if (a.sourceUrl && !a.fetchError) return { status: "downloading", note: null };
  if (a.fetchError) return { status: "unavailable", note: a.fetchError };
  if (a.size > MAX_ATTACHMENT_BYTES)
    return {
      status: "unavailable",
      note: "larger than the 10 MB kept per attachment; the original is in the raw event",
    };
  return { status: "unavailable", note: "only its name and type were kept" };
}

export function attachmentRepository(db: Db) {
  return {
    async get(messageId: string, position: number) {
      const [row] = await db
        .select()
        .from(attachments)
        .where(and(eq(attachments.messageId, messageId), eq(attachments.position, position)));
      return row;
    },
    /** The attachments of several messages (without their content), in order. */
    async listFor(messageIds: string[]) {
      if (messageIds.length === 0) return [];
      return db
        .select({
          messageId: attachments.messageId,
          position: attachments.position,
          filename: attachments.filename,
          contentType: attachments.contentType,
          size: attachments.size,
          stored: sql<boolean>`${attachments.content} IS NOT NULL`,
          sourceUrl: attachments.sourceUrl,
          fetchError: attachments.fetchError,
        })
        .from(attachments)
        .where(inArray(attachments.messageId, messageIds))
        .orderBy(asc(attachments.messageId), asc(attachments.position));
    },
    async list(messageId: string) {
      return db
        .select({
          position: attachments.position,
          filename: attachments.filename,
          contentType: attachments.contentType,
          size: attachments.size,
        })
        .from(attachments)
        .where(eq(attachments.messageId, messageId))
        .orderBy(attachments.position);
    },
    /** A message's files that wait to be downloaded from the platform. */
    async toFetch(messageId: string) {
      return db
        .select({ position: attachments.position, sourceUrl: attachments.sourceUrl })
        .from(attachments)
        .where(
          and(
            eq(attachments.messageId, messageId),
            isNull(attachments.content),
            isNull(attachments.fetchError),
            isNotNull(attachments.sourceUrl),
          ),
        )
        .orderBy(attachments.position);
    },
    /** Keeps a downloaded file (its real size; the server's content type when it named one). */
    async storeFetched(messageId: string, position: number, content: Buffer, contentType: string | null) {
      await db
        .update(attachments)
        .set({
          content,
          size: content.length,
          ...(contentType ? { contentType } : {}),
          fetchError: null,
        })
        .where(and(eq(attachments.messageId, messageId), eq(attachments.position, position)));
    },
    /** Records why a file could not be downloaded (it is not tried again). */
    async fetchFailed(messageId: string, position: number, reason: string) {
      await db
        .update(attachments)
        .set({ fetchError: reason.slice(0, 500) })
        .where(and(eq(attachments.messageId, messageId), eq(attachments.position, position)));
    },
  };
}
