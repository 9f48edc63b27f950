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
    /** How many agents have a password (can sign in with one). */
    async countWithPassword(): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(agents)
        .where(isNotNull(agents.passwordHash));
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
    async update(
      id: string,
      values: Partial<Pick<AgentRow, "name" | "signature" | "avatarUrl" | "role" | "capacity">>,
    ): Promise<AgentRow | undefined> {
      if (Object.keys(values).length === 0) return this.findById(id);
      const [row] = await db.update(agents).set(values).where(eq(agents.id, id)).returning();
      return row;
    },
    async countAdmins(): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(agents)
        .where(sql`${agents.role} = 'admin' AND ${agents.passwordHash} IS NOT NULL`);
      return row?.n ?? 0;
    },
    async findById(id: string): Promise<AgentRow | undefined> {
      const [row] = await db.select().from(agents).where(eq(agents.id, id)).limit(1);
      return row;
    },
  };
}

export type AgentRepository = ReturnType<typeof agentRepository>;
