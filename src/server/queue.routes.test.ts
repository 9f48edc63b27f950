import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { asApi, inbound } from "../../test/helpers/services.ts";
import { createServices } from "../services/container.ts";
import { buildApp } from "./app.ts";

describeEachEngine("GET /api/queue", (ctx) => {
  it("lists conversations awaiting a reply in queue order, with score, why and pagination", async () => {
    const services = createServices(ctx.database);
    const app = await buildApp({ database: ctx.database, services });
    const { headers } = await agentWithToken(ctx.database, "queue-api@example.com");
    const base = Date.now();
    const messages = [300, 200, 100].map((minutesAgo, i) =>
      inbound({
        channel: "queue-api",
        createdAt: new Date(base - minutesAgo * 60_000).toISOString(),
        author: { externalId: `qa${i}` },
        text: "Where is my parcel?",
      }),
    );
    const answered = inbound({ channel: "queue-api", author: { externalId: "qa-done" } });
    const reply = inbound({
      channel: "queue-api",
      direction: "out",
      inReplyToExternalId: answered.externalId,
      author: { externalId: "agent:x", displayName: "X" },
      createdAt: new Date(Date.parse(answered.createdAt) + 60_000).toISOString(),
    });
    await services.ingest.ingest([...messages, answered, reply].map(asApi));

    expect((await app.inject({ method: "GET", url: "/api/queue" })).statusCode).toBe(401);
    const first = await app.inject({ method: "GET", url: "/api/queue?channel=queue-api&limit=2", headers });
    expect(first.statusCode).toBe(200);
    const body = first.json();
    expect(body.items).toHaveLength(2);
    expect(body.items[0].why[0]).toMatch(/^waiting 5 h/);
    expect(body.items[0].score).toBeGreaterThan(body.items[1].score);
    const second = await app.inject({
      method: "GET",
      url: `/api/queue?channel=queue-api&limit=2&cursor=${body.nextCursor}`,
      headers,
    });
    expect(second.json().items.map((i: { why: string[] }) => i.why[0]?.slice(0, 9))).toEqual(["waiting 1"]);
    expect(second.json().nextCursor).toBeNull();

    const bad = await app.inject({ method: "GET", url: "/api/queue?team=nope", headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain("team");
    await app.close();
  });
});
