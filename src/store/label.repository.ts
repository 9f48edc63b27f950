/** Labels on conversations, and people's notes and tags. */
import { sql } from "drizzle-orm";
import type { Db } from "./db.ts";

export function labelRepository(db: Db) {
  const rows = async <T>(query: ReturnType<typeof sql>): Promise<T[]> =>
    ((await db.execute(query)) as unknown as { rows: T[] }).rows;
  return {
    async list(): Promise<Array<{ name: string; color: string | null; conversations: number }>> {
      return rows(sql`
        SELECT l.name, l.color, count(cl.conversation_id)::int AS conversations
        FROM labels l LEFT JOIN conversation_labels cl ON cl.label_id = l.id
        GROUP BY l.id ORDER BY l.name`);
    },
    /** Adds a label (created on first use); false when the conversation does not exist. */
    async add(conversationId: string, name: string): Promise<boolean> {
      const [exists] = await rows<{ id: string }>(
        sql`SELECT id FROM conversations WHERE id = ${conversationId}`,
      );
      if (!exists) return false;
      await db.execute(sql`INSERT INTO labels (name) VALUES (${name}) ON CONFLICT (name) DO NOTHING`);
      await db.execute(sql`
        INSERT INTO conversation_labels (conversation_id, label_id)
        SELECT ${conversationId}, id FROM labels WHERE name = ${name}
        ON CONFLICT DO NOTHING`);
      return true;
    },
    async remove(conversationId: string, name: string): Promise<void> {
      await db.execute(sql`
        DELETE FROM conversation_labels
        WHERE conversation_id = ${conversationId} AND label_id = (SELECT id FROM labels WHERE name = ${name})`);
    },
    async labelsOf(conversationId: string): Promise<string[]> {
      const found = await rows<{ name: string }>(sql`
        SELECT l.name FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
        WHERE cl.conversation_id = ${conversationId} ORDER BY l.name`);
      return found.map((r) => r.name);
    },
    /** Updates a person's notes and/or tags; false when there is no such person. */
    async updatePerson(id: string, values: { notes?: string | null; tags?: string[] }): Promise<boolean> {
      const found = await rows<{ id: string }>(sql`
        UPDATE people SET
          notes = CASE WHEN ${values.notes !== undefined} THEN ${values.notes ?? null} ELSE notes END,
          tags = CASE WHEN ${values.tags !== undefined}
            THEN ARRAY(SELECT json_array_elements_text(${JSON.stringify(values.tags ?? [])}::json)) ELSE tags END,
          updated_at = now()
        WHERE id = ${id} RETURNING id`);
      return found.length > 0;
    },
  };
}
