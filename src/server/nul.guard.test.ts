import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { buildChannel, buildConversation, buildPerson } from "../../test/helpers/factories.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { createServices } from "../services/container.ts";
import { buildApp } from "./app.ts";
import { findNul } from "./nul.guard.ts";

describe("findNul", () => {
  it("names the first string or key that holds U+0000", () => {
    expect(findNul({ a: "ok", b: ["fine", "x\u0000y"] }, "body")).toBe("body.b.1");
    expect(findNul({ "k\u0000": 1 }, "body")).toBe("body");
    expect(findNul({ a: { b: "\u0000" } }, "querystring")).toBe("querystring.a.b");
    expect(findNul({ a: "text", n: 1, none: null, list: [true] }, "body")).toBeNull();
    expect(findNul(undefined, "body")).toBeNull();
  });
});

describeEachEngine("U+0000 in requests", (ctx) => {
  let app: FastifyInstance;
  let headers: Record<string, string>;
  let conversationId: string;

  beforeAll(async () => {
    // The real pipeline behind /api/ingest: its bodies are cleaned, not refused.
    app = await buildApp({ database: ctx.database, services: createServices(ctx.database) });
    await app.ready();
    ({ headers } = await agentWithToken(ctx.database, "nul@example.com", { role: "admin" }));
    const db = ctx.database.db;
    const channel = await buildChannel(db, { key: "nul-x" });
    const person = await buildPerson(db);
    conversationId = (await buildConversation(db, { channelId: channel.id, personId: person.id })).id;
  });
  afterAll(() => app.close());

  it("answers 400 naming the field, for searches, filters and agents' text (PostgreSQL cannot hold it)", async () => {
    const cases: Array<[method: "GET" | "POST", url: string, body: unknown, field: string]> = [
      ["GET", "/api/conversations?q=refund%00", undefined, "querystring.q"],
      ["GET", "/api/people?q=%00", undefined, "querystring.q"],
      ["GET", "/api/queue?channel=%00", undefined, "querystring.channel"],
      ["GET", "/api/reports/fairness?channel=x%00", undefined, "querystring.channel"],
      ["GET", "/api/reports/happiness?channel=x%00", undefined, "querystring.channel"],
      ["POST", `/api/conversations/${conversationId}/notes`, { text: "a\u0000b" }, "body.text"],
      ["POST", `/api/conversations/${conversationId}/labels`, { name: "vip\u0000" }, "body.name"],
      ["POST", "/api/teams", { name: "Rail\u0000" }, "body.name"],
      ["POST", "/api/webhooks/x%00", { text: "hello" }, "params.channelKey"],
    ];
    for (const [method, url, payload, field] of cases) {
      const response = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      expect(response.statusCode, `${url} ${response.body}`).toBe(400);
      expect(response.json().error, url).toMatchObject({
        code: "validation_failed",
        message: `${field}: must not contain the NUL character (U+0000)`,
      });
    }
  });

  it("keeps a person's message that holds U+0000, with U+FFFD in its place", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/ingest",
      headers,
      payload: {
        channel: "nul-x",
        externalId: "nul-1",
        direction: "in",
        author: { externalId: "u-nul" },
        text: "my ticket\u0000 never came",
        createdAt: "2026-12-01T09:00:00Z",
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    const [outcome] = response.json().outcomes;
    expect(outcome.status).toBe("stored");
    const detail = await app.inject({
      method: "GET",
      url: `/api/conversations/${outcome.conversationId}`,
      headers,
    });
    expect(detail.json().messages[0].text).toBe("my ticket\uFFFD never came");
  });
});
