/** API tokens. Only the SHA-256 of the secret is stored. */
import { and, desc, eq, isNull } from "drizzle-orm";
import type { AgentRow } from "./agent.repository.ts";
import type { Db } from "./db.ts";
import { agents, apiTokens } from "./schema.ts";

export type ApiTokenRow = typeof apiTokens.$inferSelect;

export function tokenRepository(db: Db) {
  return {
    async insert(values: { name: string; tokenHash: string; agentId: string | null }): Promise<ApiTokenRow> {
      const [row] = await db.insert(apiTokens).values(values).returning();
      return row!;
    },
    /** The unrevoked token with this hash, and the agent it acts as (if any). */
    async findActiveByHash(
      tokenHash: string,
    ): Promise<{ token: ApiTokenRow; agent: AgentRow | null } | undefined> {
      const [row] = await db
        .select({ token: apiTokens, agent: agents })
        .from(apiTokens)
        .leftJoin(agents, eq(agents.id, apiTokens.agentId))
        .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)))
        .limit(1);
      return row;
    },
    async touch(id: string, at: Date): Promise<void> {
      await db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id));
    },
    async revoke(id: string, at: Date): Promise<ApiTokenRow | undefined> {
      const [row] = await db
        .update(apiTokens)
        .set({ revokedAt: at })
        .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
        .returning();
      return row;
    },
    async list(): Promise<ApiTokenRow[]> {
      return db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt));
    },
  };
}

export type TokenRepository = ReturnType<typeof tokenRepository>;
