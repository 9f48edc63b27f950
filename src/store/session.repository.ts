/** Browser sessions. `id` is the SHA-256 of the cookie value; the value itself is never stored. */
import { and, eq, gt, lte } from "drizzle-orm";
import type { AgentRow } from "./agent.repository.ts";
import type { Db } from "./db.ts";
import { agents, sessions } from "./schema.ts";

export type SessionRow = typeof sessions.$inferSelect;

export function sessionRepository(db: Db) {
  return {
    async insert(values: { id: string; agentId: string; expiresAt: Date }): Promise<SessionRow> {
      const [row] = await db.insert(sessions).values(values).returning();
      return row!;
    },
    /** The unexpired session with this id, and its agent. */
    async findActive(id: string, now: Date): Promise<{ session: SessionRow; agent: AgentRow } | undefined> {
      const [row] = await db
        .select({ session: sessions, agent: agents })
        .from(sessions)
        .innerJoin(agents, eq(agents.id, sessions.agentId))
        .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now)))
        .limit(1);
      return row;
    },
    async extend(id: string, expiresAt: Date): Promise<void> {
      await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, id));
    },
    async delete(id: string): Promise<SessionRow | undefined> {
      const [row] = await db.delete(sessions).where(eq(sessions.id, id)).returning();
      return row;
    },
    async deleteExpired(now: Date): Promise<number> {
      const rows = await db
        .delete(sessions)
        .where(lte(sessions.expiresAt, now))
        .returning({ id: sessions.id });
      return rows.length;
    },
  };
}

export type SessionRepository = ReturnType<typeof sessionRepository>;
