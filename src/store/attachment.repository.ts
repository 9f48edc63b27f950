/** Messages' attachments (stored by the ingest pipeline). */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { attachments } from "./schema.ts";

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
  };
}
