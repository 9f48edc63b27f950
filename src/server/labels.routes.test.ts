import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { asApi, inbound } from "../../test/helpers/services.ts";
import { createServices } from "../services/container.ts";
import { buildApp } from "./app.ts";

describeEachEngine("labels and a person's notes and tags", (ctx) => {
  it("adds and removes labels, filters by them, and edits a person's notes and tags", async () => {
    const services = createServices(ctx.database);
    const app = await buildApp({ database: ctx.database, services });
    const { headers } = await agentWithToken(ctx.database, "labels@example.com");
    const stored = await services.ingest.ingest([asApi(inbound({ channel: "labels" }))]);
    const id = (stored.outcomes[0] as { conversationId: string }).conversationId;

    const added = await app.inject({
      method: "POST",
      url: `/api/conversations/${id}/labels`,
      headers,
      payload: { name: "refund" },
    });
    expect(added.json()).toEqual({ labels: ["refund"] });
    await app.inject({
      method: "POST",
      url: `/api/conversations/${id}/labels`,
      headers,
      payload: { name: "vip-free zone" },
    });
    expect(
      (
        await app.inject({
          method: "POST",
          url: `/api/conversations/${id}/labels`,
          headers,
          payload: { name: "" },
        })
      ).statusCode,
    ).toBe(400);
    const filtered = await app.inject({ method: "GET", url: "/api/conversations?label=refund", headers });
    expect(filtered.json().items.map((c: { id: string }) => c.id)).toEqual([id]);
    const list = (await app.inject({ method: "GET", url: "/api/labels", headers })).json().items;
    expect(list).toContainEqual({ name: "refund", color: null, conversations: 1 });
    const removed = await app.inject({
      method: "DELETE",
      url: `/api/conversations/${id}/labels/refund`,
      headers,
    });
    expect(removed.json()).toEqual({ labels: ["vip-free zone"] });
    // A label in another script, percent-encoded in the path.
    const long = "返金のお問い合わせ".repeat(5).slice(0, 50);
    await app.inject({
      method: "POST",
      url: `/api/conversations/${id}/labels`,
      headers,
      payload: { name: long },
    });
    const gone = await app.inject({
      method: "DELETE",
      url: `/api/conversations/${id}/labels/${encodeURIComponent(long)}`,
      headers,
    });
    expect(gone.statusCode, gone.body).toBe(200);
    expect(gone.json()).toEqual({ labels: ["vip-free zone"] });
    const history = (
      await app.inject({ method: "GET", url: `/api/conversations/${id}/history`, headers })
    ).json().items;
    expect(history.map((e: { action: string }) => e.action)).toEqual([
      "conversation.label_added",
      "conversation.label_added",
      "conversation.label_removed",
      "conversation.label_added",
      "conversation.label_removed",
    ]);

    const person = (await app.inject({ method: "GET", url: `/api/conversations/${id}`, headers })).json()
      .person.id;
    const patched = await app.inject({
      method: "PATCH",
      url: `/api/people/${person}`,
      headers,
      payload: { notes: "Prefers email.", tags: ["regular", "regular", "rail"] },
    });
    expect(patched.statusCode).toBe(200);
    const detail = (await app.inject({ method: "GET", url: `/api/people/${person}`, headers })).json();
    expect(detail).toMatchObject({ notes: "Prefers email.", tags: ["regular", "rail"] });
    expect(
      (await app.inject({ method: "PATCH", url: `/api/people/${person}`, headers, payload: {} })).statusCode,
    ).toBe(400);
    await app.close();
  });
});
