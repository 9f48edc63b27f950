import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { asApi, inbound } from "../../test/helpers/services.ts";
import { pickAgent } from "./assignment.service.ts";
import { AuthService } from "./auth.service.ts";
import { createServices } from "./container.ts";

it("picks agents by continuity, round-robin or least load, within capacity", () => {
  const c = (id: string, load: number, capacity: number, last: string | null) => ({
    agent_id: id,
    name: id,
    load,
    capacity,
    last_assigned_at: last,
  });
  const team = [
    c("ana", 2, 5, "2026-11-20T10:00:00Z"),
    c("bo", 4, 5, null),
    c("cy", 5, 5, "2026-11-20T09:00:00Z"),
  ];
  expect(pickAgent("round_robin", team)).toEqual({ agentId: "bo", reason: "round_robin" });
  expect(pickAgent("least_loaded", team)).toEqual({ agentId: "ana", reason: "least_loaded" });
  expect(pickAgent("round_robin", team, "ana")).toEqual({ agentId: "ana", reason: "continuity" });
  // cy is at capacity: no continuity with a full agent.
  expect(pickAgent("least_loaded", team, "cy")).toEqual({ agentId: "ana", reason: "least_loaded" });
  expect(pickAgent("manual", team)).toBeNull();
  expect(pickAgent("round_robin", [c("cy", 5, 5, null)])).toBeNull();
});

describeEachEngine("lifecycle and assignment", (ctx) => {
  const agent = async (email: string, availability: "online" | "offline" = "online") => {
    const created = await new AuthService(ctx.database.db).createAgent({
      email,
      name: email.split("@")[0]!,
      password: "long enough pw",
    });
    await ctx.database.db.execute(
      sql`UPDATE agents SET availability = ${availability} WHERE id = ${created.id}`,
    );
    return created.id;
  };

  it("resolves, reopens on a new message, and keeps the audit trail", async () => {
    const services = createServices(ctx.database);
    const admin = await agent("life-admin@example.com");
    const first = inbound({ channel: "life" });
    const stored = await services.ingest.ingest([asApi(first)]);
    const id = (stored.outcomes[0] as { conversationId: string }).conversationId;
    expect((await services.queue.page({ channel: "life", limit: 10 })).items).toHaveLength(1);

    await services.lifecycle.setStatus(id, "resolved", { kind: "agent", id: admin });
    expect((await services.queue.page({ channel: "life", limit: 10 })).items).toHaveLength(0);
    const again = inbound({
      channel: "life",
      author: first.author,
      inReplyToExternalId: first.externalId,
      createdAt: new Date().toISOString(),
    });
    await services.ingest.ingest([asApi(again)]);
    expect((await services.queue.page({ channel: "life", limit: 10 })).items).toHaveLength(1);
    await services.lifecycle.setStatus(id, "waiting", { kind: "agent", id: admin });
    expect((await services.queue.page({ channel: "life", limit: 10 })).items).toHaveLength(0);

    const history = await services.lifecycle.history(id);
    expect(history.map((h) => [h.action, h.actor_kind, h.actor_name])).toEqual([
      ["conversation.resolved", "agent", "life-admin"],
      ["conversation.reopened", "system", null],
      ["conversation.waiting", "agent", "life-admin"],
    ]);
    const [row] = await ctx.database.rows<{ resolved_at: unknown; status: string }>(
      sql`SELECT resolved_at, status FROM conversations WHERE id = ${id}`,
    );
    expect(row).toEqual({ resolved_at: null, status: "waiting" });
  });

  it("routes new conversations to the channel's team and its agents: continuity, round-robin, capacity", async () => {
    const services = createServices(ctx.database);
    const ana = await agent("rr-ana@example.com");
    const bo = await agent("rr-bo@example.com");
    const off = await agent("rr-off@example.com", "offline");
    const [team] = await ctx.database.rows<{ id: string }>(
      sql`INSERT INTO teams (name, assignment_mode) VALUES ('rr team', 'round_robin') RETURNING id`,
    );
    await ctx.database.db.execute(
      sql`INSERT INTO team_members (team_id, agent_id) VALUES (${team!.id}, ${ana}), (${team!.id}, ${bo}), (${team!.id}, ${off})`,
    );
    await ctx.database.db.execute(sql`UPDATE agents SET capacity = 2 WHERE id IN (${ana}, ${bo})`);
    await services.ingest.ingest([asApi(inbound({ channel: "rr" }))]);
    await ctx.database.db.execute(sql`UPDATE channels SET team_id = ${team!.id} WHERE key = 'rr'`);
    // That first conversation predates the team; it stays unassigned. Now five new ones arrive.
    const messages = Array.from({ length: 5 }, (_, i) =>
      inbound({ channel: "rr", author: { externalId: `rr-p${i}` } }),
    );
    await services.ingest.ingest([asApi(messages[0]!)]);
    await services.ingest.ingest([asApi(messages[1]!)]);
    await services.ingest.ingest(messages.slice(2).map(asApi));
    const rows = await ctx.database.rows<{
      external_id: string;
      agent: string | null;
      team: string | null;
    }>(sql`
      SELECT m.external_id, a.email AS agent, c.assignee_team_id AS team FROM conversations c
      JOIN messages m ON m.conversation_id = c.id LEFT JOIN agents a ON a.id = c.assignee_agent_id
      JOIN channels ch ON ch.id = c.channel_id WHERE ch.key = 'rr' ORDER BY m.created_at`);
    const assigned = rows.filter((r) => r.team).map((r) => r.agent);
    expect(assigned).toHaveLength(5);
    // Alternating while both have room (capacity 2 each), never the offline member, then the team only.
    expect(assigned.slice(0, 4).sort()).toEqual([
      "rr-ana@example.com",
      "rr-ana@example.com",
      "rr-bo@example.com",
      "rr-bo@example.com",
    ]);
    expect(assigned[0]).not.toBe(assigned[1]);
    expect(assigned[4]).toBeNull();

    // Continuity: Bo helped this person before, so their new conversation goes to Bo.
    await ctx.database.db.execute(sql`UPDATE agents SET capacity = 10 WHERE id IN (${ana}, ${bo})`);
    const person = { externalId: "rr-returning" };
    const old = inbound({ channel: "rr", author: person });
    const stored = await services.ingest.ingest([asApi(old)]);
    const oldConversation = (stored.outcomes[0] as { conversationId: string }).conversationId;
    await ctx.database.db.execute(sql`UPDATE agents SET external_ref = 'agent:bo' WHERE id = ${bo}`);
    await services.ingest.ingest([
      asApi(
        inbound({
          channel: "rr",
          direction: "out",
          inReplyToExternalId: old.externalId,
          author: { externalId: "agent:bo" },
        }),
      ),
    ]);
    await services.lifecycle.setStatus(oldConversation, "resolved", { kind: "system", id: null });
    const fresh = await services.ingest.ingest([
      asApi(inbound({ channel: "rr", author: person, text: "Me again, new problem" })),
    ]);
    const freshId = (fresh.outcomes[0] as { conversationId: string }).conversationId;
    const [chosen] = await ctx.database.rows<{ agent: string }>(
      sql`SELECT assignee_agent_id AS agent FROM conversations WHERE id = ${freshId}`,
    );
    expect(chosen!.agent).toBe(bo);
    const history = await services.lifecycle.history(freshId);
    expect(history[0]).toMatchObject({ action: "conversation.assigned", actor_kind: "system" });
    expect((history[0]!.data as { reason: string }).reason).toBe("continuity");
  });

  it("gives an offline agent's open work back to the team after the grace period", async () => {
    const services = createServices(ctx.database);
    const gone = await agent("gone@example.com");
    const [team] = await ctx.database.rows<{ id: string }>(
      sql`INSERT INTO teams (name, offline_grace_minutes) VALUES ('grace team', 10) RETURNING id`,
    );
    const stored = await services.ingest.ingest([asApi(inbound({ channel: "grace" }))]);
    const id = (stored.outcomes[0] as { conversationId: string }).conversationId;
    await services.lifecycle.assign(id, { agentId: gone, teamId: team!.id }, { kind: "agent", id: gone });
    await services.lifecycle.setAvailability(gone, "offline");
    expect(await services.assignment.releaseOfflineAgents(ctx.database.db)).toBe(0);
    await ctx.database.db.execute(
      sql`UPDATE agents SET availability_changed_at = now() - interval '11 minutes' WHERE id = ${gone}`,
    );
    expect(await services.assignment.releaseOfflineAgents(ctx.database.db)).toBe(1);
    const [row] = await ctx.database.rows<{ agent: string | null; team: string }>(
      sql`SELECT assignee_agent_id AS agent, assignee_team_id AS team FROM conversations WHERE id = ${id}`,
    );
    expect(row).toEqual({ agent: null, team: team!.id });
    await expect(
      services.lifecycle.assign(
        id,
        { agentId: "00000000-0000-0000-0000-000000000000" },
        { kind: "system", id: null },
      ),
    ).rejects.toThrow(/no agent/);
  });
});
