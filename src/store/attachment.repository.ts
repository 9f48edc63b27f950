/** Messages' attachments (stored by the ingest pipeline). */
import { and, eq } from "drizzle-orm";
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
