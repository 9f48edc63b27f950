import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { asApi, inbound } from "../../test/helpers/services.ts";
import { createServices } from "../services/container.ts";
import { buildApp } from "./app.ts";

describeEachEngine("conversation lifecycle, teams and presence over HTTP", (ctx) => {
  it("changes status and assignment, shows who is viewing, and keeps teams admin-only", async () => {
    const services = createServices(ctx.database);
    const app = await buildApp({ database: ctx.database, services });
    const agent = await agentWithToken(ctx.database, "life-http@example.com");
    const { headers: adminHeaders } = await agentWithToken(ctx.database, "life-admin-http@example.com", {
      role: "admin",
      name: "Admin",
    });
    const stored = await services.ingest.ingest([asApi(inbound({ channel: "life-http" }))]);
    const id = (stored.outcomes[0] as { conversationId: string }).conversationId;

    const resolved = await app.inject({
      method: "POST",
      url: `/api/conversations/${id}/status`,
      headers: agent.headers,
      payload: { status: "resolved" },
    });
    expect(resolved.json()).toEqual({ from: "open", to: "resolved" });
    const bad = await app.inject({
      method: "POST",
      url: `/api/conversations/${id}/status`,
      headers: agent.headers,
      payload: { status: "closed" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain("body.status");
    const missing = await app.inject({
      method: "POST",
      url: "/api/conversations/00000000-0000-0000-0000-000000000000/status",
      headers: agent.headers,
      payload: { status: "open" },
    });
    expect(missing.statusCode).toBe(404);

    const mine = await app.inject({
      method: "POST",
      url: `/api/conversations/${id}/assign`,
      headers: agent.headers,
      payload: { agentId: "me" },
    });
    expect(mine.json()).toEqual({ agentId: agent.agent.id, teamId: null });
    const history = await app.inject({
      method: "GET",
      url: `/api/conversations/${id}/history`,
      headers: agent.headers,
    });
    expect(
      history.json().items.map((e: { action: string; actorName: string }) => [e.action, e.actorName]),
    ).toEqual([
      ["conversation.resolved", "life-http"],
      ["conversation.assigned", "life-http"],
    ]);

    const presenceEvents: string[] = [];
    services.events.subscribe((e) => {
      if (e.type === "presence.changed") presenceEvents.push(e.conversationId);
    });
    const present = (activity: string) =>
      app.inject({
        method: "PUT",
        url: `/api/conversations/${id}/presence`,
        headers: agent.headers,
        payload: { activity },
      });
    const viewing = await present("replying");
    expect(viewing.json().items).toMatchObject([{ agentId: agent.agent.id, activity: "replying" }]);
    await present("replying"); // a renewal is not news
    expect(presenceEvents).toEqual([id]);
    const seen = await app.inject({
      method: "GET",
      url: `/api/conversations/${id}/presence`,
      headers: adminHeaders,
    });
    expect(seen.json().items).toHaveLength(1);
    await app.inject({ method: "DELETE", url: `/api/conversations/${id}/presence`, headers: agent.headers });
    expect(
      (
        await app.inject({ method: "GET", url: `/api/conversations/${id}/presence`, headers: adminHeaders })
      ).json().items,
    ).toEqual([]);
    expect(presenceEvents).toEqual([id, id]);

    const forbidden = await app.inject({
      method: "POST",
      url: "/api/teams",
      headers: agent.headers,
      payload: { name: "Care" },
    });
    expect(forbidden.statusCode).toBe(403);
    const team = await app.inject({
      method: "POST",
      url: "/api/teams",
      headers: adminHeaders,
      payload: { name: "Care", assignmentMode: "least_loaded", memberIds: [agent.agent.id] },
    });
    expect(team.statusCode).toBe(201);
    expect(team.json()).toMatchObject({
      name: "Care",
      assignmentMode: "least_loaded",
      members: [{ id: agent.agent.id }],
    });
    // Renaming onto another team's name is a conflict; a change with an unknown member writes nothing.
    const other = await app.inject({
      method: "POST",
      url: "/api/teams",
      headers: adminHeaders,
      payload: { name: "Rail" },
    });
    const patch = (payload: object) =>
      app.inject({ method: "PATCH", url: `/api/teams/${other.json().id}`, headers: adminHeaders, payload });
    const clash = await patch({ name: "Care" });
    expect(clash.statusCode, clash.body).toBe(409);
    expect(clash.json().error).toEqual({
      code: "conflict",
      message: "A team with that name already exists.",
    });
    const unknown = await patch({ name: "Rail & sea", memberIds: ["00000000-0000-4000-8000-000000000000"] });
    expect(unknown.statusCode).toBe(400);
    expect((await patch({})).json()).toMatchObject({ name: "Rail" });
    const channels = (
      await app.inject({ method: "GET", url: "/api/channels", headers: agent.headers })
    ).json().items;
    const channel = channels.find((c: { key: string }) => c.key === "life-http");
    const routed = await app.inject({
      method: "PUT",
      url: `/api/channels/${channel.id}/team`,
      headers: adminHeaders,
      payload: { teamId: team.json().id },
    });
    expect(routed.json()).toEqual({ id: channel.id, teamId: team.json().id });
    const availability = await app.inject({
      method: "PUT",
      url: "/api/agents/me/availability",
      headers: agent.headers,
      payload: { availability: "online" },
    });
    expect(availability.statusCode).toBe(200);
    const agents = (await app.inject({ method: "GET", url: "/api/agents", headers: agent.headers })).json()
      .items;
    expect(agents.find((a: { id: string }) => a.id === agent.agent.id)).toMatchObject({
      availability: "online",
      openConversations: 0,
    });
    // Reopened, the conversation assigned to this agent counts as their open work.
    await app.inject({
      method: "POST",
      url: `/api/conversations/${id}/status`,
      headers: agent.headers,
      payload: { status: "open" },
    });
    const after = (await app.inject({ method: "GET", url: "/api/agents", headers: agent.headers })).json()
      .items;
    expect(after.find((a: { id: string }) => a.id === agent.agent.id)).toMatchObject({
      openConversations: 1,
    });
    await app.close();
  });
});
