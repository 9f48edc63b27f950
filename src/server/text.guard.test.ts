import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { buildChannel, buildConversation, buildPerson } from "../../test/helpers/factories.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { createServices } from "../services/container.ts";
import { buildApp } from "./app.ts";
import { findUnstorable } from "./text.guard.ts";

describe("findUnstorable", () => {
  it("names the first string or key that holds U+0000 or a lone surrogate", () => {
    expect(findUnstorable({ a: "ok", b: ["fine", "x\u0000y"] }, "body")).toEqual({
      field: "body.b.1",
      kind: "nul",
    });
    expect(findUnstorable({ "k\u0000": 1 }, "body")).toEqual({ field: "body", kind: "nul" });
    expect(findUnstorable({ a: { b: "\u0000" } }, "querystring")).toEqual({
      field: "querystring.a.b",
      kind: "nul",
    });
    expect(findUnstorable({ a: ["x\ud800"] }, "body")).toEqual({ field: "body.a.0", kind: "surrogate" });
    expect(findUnstorable({ a: "\udc00x" }, "body")).toEqual({ field: "body.a", kind: "surrogate" });
    expect(findUnstorable({ "\ud83d": 1 }, "body")).toEqual({ field: "body", kind: "surrogate" });
    // A surrogate pair is one character (🙂), not a fault.
    expect(findUnstorable({ a: "text 🙂 \ud83d\ude42", n: 1, none: null, list: [true] }, "body")).toBeNull();
    expect(findUnstorable(undefined, "body")).toBeNull();
  });
});

describeEachEngine("U+0000 and lone surrogates in requests", (ctx) => {
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

  it("answers 400 for a lone surrogate in agents' text (jsonb refuses it), naming the field", async () => {
    const cases: Array<[url: string, body: Record<string, string>, field: string]> = [
      [`/api/conversations/${conversationId}/labels`, { name: "vip\ud800" }, "body.name"],
      [`/api/conversations/${conversationId}/notes`, { text: "a\udc00b" }, "body.text"],
      ["/api/teams", { name: "Rail\ud83d" }, "body.name"],
    ];
    for (const [url, body, field] of cases) {
      // JSON.stringify writes a lone surrogate as its escape ("\ud800"), which JSON.parse gives back.
      const payload = JSON.stringify(body);
      expect(payload).toMatch(/\\ud[89a-f]/);
      const response = await app.inject({
        method: "POST",
        url,
        headers: { ...headers, "content-type": "application/json" },
        payload,
      });
      expect(response.statusCode, `${url} ${response.body}`).toBe(400);
      expect(response.json().error.message, url).toBe(
        `${field}: must not contain a lone UTF-16 surrogate (U+D800–U+DFFF without its pair)`,
      );
    }
  });

  /** Ingests one person's message through the API and returns the text agents see. */
  async function storedText(message: Record<string, unknown>): Promise<string> {
    const response = await app.inject({
      method: "POST",
      url: "/api/ingest",
      headers: { ...headers, "content-type": "application/json" },
      // JSON.stringify keeps a lone surrogate as its escape, which the server's JSON.parse gives back.
      payload: JSON.stringify({
        channel: "nul-x",
        direction: "in",
        createdAt: "2026-12-01T09:00:00Z",
        ...message,
      }),
    });
    expect(response.statusCode, response.body).toBe(200);
    const [outcome] = response.json().outcomes;
    expect(outcome.status).toBe("stored");
    const detail = await app.inject({
      method: "GET",
      url: `/api/conversations/${outcome.conversationId}`,
      headers,
    });
    return detail.json().messages[0].text;
  }

  it("keeps a person's message that holds U+0000 or a lone surrogate, with U+FFFD in its place", async () => {
    const nul = { externalId: "nul-1", author: { externalId: "u-nul" }, text: "my ticket\u0000 never came" };
    expect(await storedText(nul)).toBe("my ticket\uFFFD never came");
    const cut = {
      externalId: "surrogate-1",
      author: { externalId: "u-sur", displayName: "Ana \udc00" },
      text: "cut off mid-emoji \ud83d",
    };
    expect(await storedText(cut)).toBe("cut off mid-emoji \uFFFD");
  });
});
