import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { asApi, inbound } from "../../test/helpers/services.ts";
import { createServices } from "../services/container.ts";
import { buildApp } from "./app.ts";

describeEachEngine("merging people", (ctx) => {
  it("suggests, merges and undoes a merge of one person's two records", async () => {
    const services = createServices(ctx.database);
    const app = await buildApp({ database: ctx.database, services });
    const { headers } = await agentWithToken(ctx.database, "merge@example.com");
    const handle = `ada_${Date.now()}`;
    const onX = inbound({
      channel: "merge-x",
      author: { externalId: "x-1", handle, displayName: "Ada Lovelace" },
    });
    const onMastodon = inbound({
      channel: "merge-m",
      author: { externalId: "m-9", handle, displayName: "Ada L." },
    });
    const stored = await services.ingest.ingest([asApi(onX), asApi(onMastodon)]);
    const conversationOf = (i: number) => (stored.outcomes[i] as { conversationId: string }).conversationId;
    const personOf = async (conversationId: string) =>
      (await app.inject({ method: "GET", url: `/api/conversations/${conversationId}`, headers })).json()
        .person.id as string;
    const a = await personOf(conversationOf(0));
    const b = await personOf(conversationOf(1));
    expect(a).not.toBe(b);

    const suggested = await app.inject({
      method: "GET",
      url: `/api/people/merge-suggestions?person=${a}`,
      headers,
    });
    expect(suggested.json().items).toContainEqual({
      reason: "same handle",
      value: handle.toLowerCase(),
      personIds: expect.arrayContaining([a, b]),
    });

    const merged = await app.inject({
      method: "POST",
      url: `/api/people/${a}/merge`,
      headers,
      payload: { personId: b },
    });
    expect(merged.statusCode).toBe(200);
    expect(merged.json()).toMatchObject({
      keptPersonId: a,
      mergedPersonId: b,
      conversationIds: [conversationOf(1)],
    });
    const person = (await app.inject({ method: "GET", url: `/api/people/${a}`, headers })).json();
    expect(person.identities.map((i: { platform: string }) => i.platform).sort()).toEqual([
      "merge-m",
      "merge-x",
    ]);
    expect(person.conversations).toHaveLength(2);
    expect(await personOf(conversationOf(1))).toBe(a);
    expect(
      (await app.inject({ method: "GET", url: `/api/people/merge-suggestions?person=${a}`, headers })).json()
        .items,
    ).toEqual([]);
    // A new message from the merged identity lands on the kept person.
    const later = await services.ingest.ingest([
      asApi(inbound({ channel: "merge-m", author: onMastodon.author })),
    ]);
    expect(await personOf((later.outcomes[0] as { conversationId: string }).conversationId)).toBe(a);

    const again = await app.inject({
      method: "POST",
      url: `/api/people/${a}/merge`,
      headers,
      payload: { personId: b },
    });
    expect(again.statusCode).toBe(409);
    const undo = await app.inject({
      method: "POST",
      url: `/api/people/merges/${merged.json().id}/undo`,
      headers,
    });
    expect(undo.statusCode).toBe(200);
    expect(await personOf(conversationOf(1))).toBe(b);
    const back = (await app.inject({ method: "GET", url: `/api/people/${a}`, headers })).json();
    expect(back.identities.map((i: { platform: string }) => i.platform)).toEqual(["merge-x"]);
    expect(
      (await app.inject({ method: "POST", url: `/api/people/merges/${merged.json().id}/undo`, headers }))
        .statusCode,
    ).toBe(409);
    expect(
      (await app.inject({ method: "POST", url: `/api/people/${a}/merge`, headers, payload: { personId: a } }))
        .statusCode,
    ).toBe(400);
    // A merge id past PostgreSQL's bigint is a precise 400, not a failed query.
    const huge = await app.inject({
      method: "POST",
      url: "/api/people/merges/9223372036854775808/undo",
      headers,
    });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().error.message).toBe(
      "params.mergeId: must be a merge id (a number of at most 18 digits)",
    );
    await app.close();
  });
});
