/** Teams, their members, channels' teams, and the agent directory. */
import { asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { agents, channels, teamMembers, teams } from "./schema.ts";

export type AssignmentMode = (typeof teams.$inferSelect)["assignmentMode"];

export function teamRepository(db: Db) {
  const membersOf = async (teamIds: string[]) =>
    teamIds.length === 0
      ? []
      : db
          .select({
            teamId: teamMembers.teamId,
            id: agents.id,
            name: agents.name,
            availability: agents.availability,
          })
          .from(teamMembers)
          .innerJoin(agents, eq(agents.id, teamMembers.agentId))
          .where(inArray(teamMembers.teamId, teamIds))
          .orderBy(asc(agents.name));
  return {
    async list() {
      const rows = await db.select().from(teams).orderBy(asc(teams.name));
      const members = await membersOf(rows.map((r) => r.id));
      return rows.map((t) => ({
        id: t.id,
        name: t.name,
        assignmentMode: t.assignmentMode,
        offlineGraceMinutes: t.offlineGraceMinutes,
        members: members.filter((m) => m.teamId === t.id).map(({ teamId: _, ...m }) => m),
      }));
    },
    async find(id: string) {
      return (await this.list()).find((t) => t.id === id);
    },
    async create(values: {
      name: string;
      assignmentMode: AssignmentMode;
      offlineGraceMinutes: number;
    }): Promise<string> {
      const [row] = await db
        .insert(teams)
        .values(values)
        .onConflictDoNothing({ target: teams.name })
        .returning({ id: teams.id });
      return row?.id ?? "";
    },
    async update(
      id: string,
      values: Partial<{ name: string; assignmentMode: AssignmentMode; offlineGraceMinutes: number }>,
    ) {
      if (Object.keys(values).length === 0) return;
      await db.update(teams).set(values).where(eq(teams.id, id));
    },
    async setMembers(id: string, agentIds: string[]): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.delete(teamMembers).where(eq(teamMembers.teamId, id));
        if (agentIds.length > 0)
          await tx.insert(teamMembers).values(agentIds.map((agentId) => ({ teamId: id, agentId })));
      });
    },
    /** Which of these ids are agents who can sign in. */
    async humanAgents(ids: string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .select({ id: agents.id })
        .from(agents)
        .where(sql`${inArray(agents.id, ids)} AND ${isNotNull(agents.email)}`);
      return rows.map((r) => r.id);
    },
    async agents() {
      return db
        .select({
          id: agents.id,
          name: agents.name,
          email: agents.email,
          role: agents.role,
          availability: agents.availability,
          capacity: agents.capacity,
          openConversations: sql<number>`(SELECT count(*)::int FROM conversations c WHERE c.assignee_agent_id = "agents"."id" AND c.status IN ('open', 'waiting'))`,
        })
        .from(agents)
        .where(isNotNull(agents.email))
        .orderBy(asc(agents.name));
    },
    async setChannelTeam(channelId: string, teamId: string | null): Promise<boolean> {
      const rows = await db
        .update(channels)
        .set({ teamId })
        .where(eq(channels.id, channelId))
        .returning({ id: channels.id });
      return rows.length > 0;
    },
  };
}
