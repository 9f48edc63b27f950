/** Agents: the people who answer. */
import { eq } from "drizzle-orm";
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
    async findById(id: string): Promise<AgentRow | undefined> {
      const [row] = await db.select().from(agents).where(eq(agents.id, id)).limit(1);
      return row;
    },
  };
}

export type AgentRepository = ReturnType<typeof agentRepository>;
