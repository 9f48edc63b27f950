/** Conversation status and assignment changes, with the rows they need to be decided. */
import { sql } from "drizzle-orm";
import type { Db } from "./db.ts";

export interface ConversationState {
  id: string;
  status: "open" | "waiting" | "resolved" | "spam";
  assignee_agent_id: string | null;
  assignee_team_id: string | null;
  person_id: string | null;
  channel_id: string;
}

export interface Candidate {
  agent_id: string;
  name: string;
  capacity: number;
  load: number;
  last_assigned_at: string | null;
}

const json = (value: unknown) => JSON.stringify(value);

export function lifecycleRepository(db: Db) {
  const rows = async <T>(query: ReturnType<typeof sql>): Promise<T[]> =>
    ((await db.execute(query)) as unknown as { rows: T[] }).rows;
  return {
    /** Locks the conversation row for the rest of the transaction. */
    async lock(id: string): Promise<ConversationState | undefined> {
      const [row] = await rows<ConversationState>(sql`
        SELECT id, status, assignee_agent_id, assignee_team_id, person_id, channel_id
        FROM conversations WHERE id = ${id} FOR UPDATE`);
      return row;
    },

    async setStatus(id: string, status: ConversationState["status"], at: Date): Promise<void> {
      await db.execute(sql`
        UPDATE conversations SET status = ${status}, updated_at = now(),
          resolved_at = CASE WHEN ${status} = 'resolved' THEN ${at.toISOString()}::timestamptz ELSE NULL END
        WHERE id = ${id}`);
    },

    async setAssignee(id: string, agentId: string | null, teamId: string | null): Promise<void> {
      await db.execute(sql`
        UPDATE conversations SET assignee_agent_id = ${agentId}, assignee_team_id = ${teamId}, updated_at = now()
        WHERE id = ${id}`);
    },

    async agentExists(id: string): Promise<{ id: string; name: string; can_sign_in: boolean } | undefined> {
      const [row] = await rows<{ id: string; name: string; can_sign_in: boolean }>(sql`
        SELECT id, name, (email IS NOT NULL) AS can_sign_in FROM agents WHERE id = ${id}`);
      return row;
    },

    async teamOf(id: string): Promise<{ id: string; name: string; assignment_mode: string } | undefined> {
      const [row] = await rows<{ id: string; name: string; assignment_mode: string }>(sql`
        SELECT id, name, assignment_mode FROM teams WHERE id = ${id}`);
      return row;
    },

    /** New conversations without an assignee on channels that name a team. */
    async unassignedWithTeam(
      ids: string[],
    ): Promise<Array<{ id: string; person_id: string | null; team_id: string; assignment_mode: string }>> {
      if (ids.length === 0) return [];
      return rows(sql`
        SELECT c.id, c.person_id, t.id AS team_id, t.assignment_mode
        FROM conversations c JOIN channels ch ON ch.id = c.channel_id JOIN teams t ON t.id = ch.team_id
        WHERE c.assignee_agent_id IS NULL AND c.status = 'open'
          AND c.id IN (SELECT value::uuid FROM json_array_elements_text(${json(ids)}::json))`);
    },

    /** Online members of a team with their capacity and current load (open or waiting conversations). */
    async candidates(teamId: string): Promise<Candidate[]> {
      return rows<Candidate>(sql`
        SELECT a.id AS agent_id, a.name, a.capacity,
          (SELECT count(*)::int FROM conversations c
            WHERE c.assignee_agent_id = a.id AND c.status IN ('open', 'waiting')) AS load,
          to_char(tm.last_assigned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS last_assigned_at
        FROM team_members tm JOIN agents a ON a.id = tm.agent_id
        WHERE tm.team_id = ${teamId} AND a.availability = 'online' AND a.email IS NOT NULL
        ORDER BY a.name, a.id`);
    },

    /** The human agent who most recently replied to this person in another conversation. */
    async lastHelper(personId: string, exceptConversationId: string): Promise<string | undefined> {
      const [row] = await rows<{ agent_id: string }>(sql`
        SELECT m.author_agent_id AS agent_id FROM messages m
        JOIN conversations c ON c.id = m.conversation_id
        JOIN agents a ON a.id = m.author_agent_id
        WHERE c.person_id = ${personId} AND c.id <> ${exceptConversationId}
          AND m.direction = 'out' AND a.email IS NOT NULL
        ORDER BY m.created_at DESC LIMIT 1`);
      return row?.agent_id;
    },

    async markAssigned(teamId: string, agentId: string, at: Date): Promise<void> {
      await db.execute(sql`
        UPDATE team_members SET last_assigned_at = ${at.toISOString()}::timestamptz
        WHERE team_id = ${teamId} AND agent_id = ${agentId}`);
    },

    async setAvailability(agentId: string, availability: "online" | "away" | "offline"): Promise<void> {
      await db.execute(sql`
        UPDATE agents SET availability = ${availability}, availability_changed_at = now()
        WHERE id = ${agentId} AND availability <> ${availability}`);
    },

    /**
     * Gives the open work of agents offline for longer than their team's grace period back to the team.
     * Returns what changed, for the audit trail.
     */
    async releaseOffline(now: Date): Promise<Array<{ id: string; agent_id: string }>> {
      return rows(sql`
        WITH released AS (
          SELECT c.id, c.assignee_agent_id AS agent_id
          FROM conversations c JOIN agents a ON a.id = c.assignee_agent_id
          LEFT JOIN teams t ON t.id = c.assignee_team_id
          WHERE a.availability = 'offline' AND c.status IN ('open', 'waiting')
            AND a.availability_changed_at
              < ${now.toISOString()}::timestamptz - make_interval(mins => COALESCE(t.offline_grace_minutes, 15))
          FOR UPDATE OF c SKIP LOCKED)
        UPDATE conversations c SET assignee_agent_id = NULL, updated_at = now()
        FROM released r WHERE c.id = r.id
        RETURNING c.id, r.agent_id`);
    },

    async audit(
      events: Array<{
        actor_kind: string;
        actor_id: string | null;
        action: string;
        subject_id: string;
        data: unknown;
      }>,
    ): Promise<void> {
      if (events.length === 0) return;
      await db.execute(sql`
        INSERT INTO audit_events (actor_kind, actor_id, action, subject_type, subject_id, data)
        SELECT actor_kind, actor_id, action, 'conversation', subject_id, data
        FROM json_to_recordset(${json(events)}::json)
          AS r(actor_kind text, actor_id text, action text, subject_id text, data jsonb)`);
    },

    async history(conversationId: string) {
      return rows<{
        id: string;
        actor_kind: string;
        actor_id: string | null;
        actor_name: string | null;
        action: string;
        data: unknown;
        created_at: string;
      }>(sql`
        SELECT e.id::text, e.actor_kind, e.actor_id, a.name AS actor_name, e.action, e.data,
          to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
        FROM audit_events e
        LEFT JOIN agents a ON e.actor_kind = 'agent' AND a.id::text = e.actor_id
        WHERE e.subject_type = 'conversation' AND e.subject_id = ${conversationId}
        ORDER BY e.created_at, e.id`);
    },
  };
}
