/** Saved replies: the team's shared templates. */
import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { savedReplies } from "./schema.ts";

const columns = { id: savedReplies.id, title: savedReplies.title, text: savedReplies.text };

export function savedReplyRepository(db: Db) {
  return {
    list() {
      return db.select(columns).from(savedReplies).orderBy(asc(savedReplies.title), asc(savedReplies.id));
    },
    async find(id: string) {
      const [row] = await db.select(columns).from(savedReplies).where(eq(savedReplies.id, id));
      return row;
    },
    async create(values: { title: string; text: string; createdByAgentId: string | null }) {
      const [row] = await db.insert(savedReplies).values(values).returning(columns);
      return row!;
    },
    async update(id: string, values: { title?: string; text?: string }) {
      const [row] = await db
        .update(savedReplies)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(savedReplies.id, id))
        .returning(columns);
      return row;
    },
    async remove(id: string): Promise<boolean> {
      const rows = await db
        .delete(savedReplies)
        .where(eq(savedReplies.id, id))
        .returning({ id: savedReplies.id });
      return rows.length > 0;
    },
  };
}
