/** Who is viewing or replying to a conversation right now. Rows expire; clients renew them. */
import { sql } from "drizzle-orm";
import type { Db } from "./db.ts";

export function presenceRepository(db: Db) {
  return {
    async upsert(
      conversationId: string,
      agentId: string,
      activity: "viewing" | "replying",
      expiresAt: Date,
    ): Promise<void> {
      await db.execute(sql`
        INSERT INTO conversation_presence (conversation_id, agent_id, activity, expires_at)
        VALUES (${conversationId}, ${agentId}, ${activity}, ${expiresAt.toISOString()}::timestamptz)
        ON CONFLICT (conversation_id, agent_id) DO UPDATE SET activity = excluded.activity, expires_at = excluded.expires_at`);
    },
    async remove(conversationId: string, agentId: string): Promise<void> {
      await db.execute(
        sql`DELETE FROM conversation_presence WHERE conversation_id = ${conversationId} AND agent_id = ${agentId}`,
      );
    },
    async active(conversationId: string, now: Date) {
      const result = (await db.execute(sql`
        SELECT p.agent_id AS "agentId", a.name, p.activity,
          to_char(p.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "expiresAt"
        FROM conversation_presence p JOIN agents a ON a.id = p.agent_id
        WHERE p.conversation_id = ${conversationId} AND p.expires_at > ${now.toISOString()}::timestamptz
        ORDER BY a.name`)) as unknown as {
        rows: Array<{ agentId: string; name: string; activity: "viewing" | "replying"; expiresAt: string }>;
      };
      return result.rows;
    },
  };
}
