/** Who is viewing or replying to a conversation right now. Rows expire; clients renew them. */
import { sql } from "drizzle-orm";
import type { Db } from "./db.ts";

export function presenceRepository(db: Db) {
  return {
    /** Records presence; true when others should hear of it (new, expired before, or a new activity). */
    async upsert(
      conversationId: string,
      agentId: string,
      activity: "viewing" | "replying",
      expiresAt: Date,
    ): Promise<boolean> {
      const result = (await db.execute(sql`
        WITH prev AS (
          SELECT activity, expires_at > now() AS live FROM conversation_presence
          WHERE conversation_id = ${conversationId} AND agent_id = ${agentId})
        INSERT INTO conversation_presence (conversation_id, agent_id, activity, expires_at)
        VALUES (${conversationId}, ${agentId}, ${activity}, ${expiresAt.toISOString()}::timestamptz)
        ON CONFLICT (conversation_id, agent_id) DO UPDATE SET activity = excluded.activity, expires_at = excluded.expires_at
        RETURNING NOT COALESCE((SELECT live AND activity = ${activity} FROM prev), false) AS changed`)) as unknown as {
        rows: Array<{ changed: boolean }>;
      };
      return result.rows[0]?.changed ?? true;
    },
    /** True when there was presence to remove. */
    async remove(conversationId: string, agentId: string): Promise<boolean> {
      const result = (await db.execute(
        sql`DELETE FROM conversation_presence WHERE conversation_id = ${conversationId} AND agent_id = ${agentId} RETURNING agent_id`,
      )) as unknown as { rows: unknown[] };
      return result.rows.length > 0;
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
