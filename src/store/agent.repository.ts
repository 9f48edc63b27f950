/** Agents: the people who answer. */
import { eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { agents } from "./schema.ts";

export type AgentRow = typeof agents.$inferSelect;
export type NewAgent = typeof agents.$inferInsert;

export function agentRepository(db: Db) {
  return {
    async insert(values: NewAgent): Promise<AgentRow> {
      const [row] = await db.insert(agents).values(values).returning();
      return row!;
    },
    async findByEmail(email: string): Promise<AgentRow | undefined> {
      const [row] = await db.select().from(agents).where(eq(agents.email, email)).limit(1);
      return row;
    },
    /** How many agents can sign in (have an email): zero means a fresh workspace. */
    async countWithEmail(): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(agents)
        .where(isNotNull(agents.email));
      return row?.n ?? 0;
    },
    /** Links an agent to the author id their replies carry on every platform (e.g. "agent:maria"). */
    async setExternalRef(id: string, externalRef: string): Promise<void> {
      await db.update(agents).set({ externalRef }).where(eq(agents.id, id));
    },
    async setAvailability(id: string, availability: AgentRow["availability"]): Promise<void> {
      await db
        .update(agents)
        .set({ availability, availabilityChangedAt: new Date() })
        .where(eq(agents.id, id));
    },
    async findById(id: string): Promise<AgentRow | undefined> {
      const [row] = await db.select().from(agents).where(eq(agents.id, id)).limit(1);
      return row;
    },
  };
}

export type AgentRepository = ReturnType<typeof agentRepository>;
