import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import {
  buildChannel,
  buildConversation,
  buildIdentity,
  buildMessage,
  buildPerson,
  labelConversation,
} from "../../test/helpers/factories.ts";
import { agentWithToken, testApp } from "../../test/helpers/server.ts";

describeEachEngine("conversations API", (ctx) => {
  let app: FastifyInstance;
  let headers: Record<string, string>;
  let agentId: string;
  const ids: Record<string, string> = {};

  const list = async (query: string) => {
    const response = await app.inject({ method: "GET", url: `/api/conversations${query}`, headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { items: { id: string; [k: string]: unknown }[]; nextCursor: string | null };
  };

  beforeAll(async () => {
    const db = ctx.database.db;
    app = await testApp(ctx.database);
    const signedIn = await agentWithToken(ctx.database, "grace@example.com");
    headers = signedIn.headers;
    agentId = signedIn.agent.id;

    const mastodon = await buildChannel(db, { key: "mastodon-main", kind: "mastodon", name: "Mastodon" });
    const email = await buildChannel(db, { key: "support-email", kind: "email", name: "Support" });
    const person = await buildPerson(db, { displayName: "Lin" });
    const identity = await buildIdentity(db, {
      personId: person.id,
      platform: "mastodon",
      handle: "@lin@social",
    });
    const t = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes));

    const refund = await buildConversation(db, {
      channelId: mastodon.id,
      personId: person.id,
      status: "open",
      lastMessageAt: t(30),
      firstInboundAt: t(10),
      messageCount: 2,
      assigneeAgentId: agentId,
      awaitingReply: true,
    });
    ids.refund = refund.id;
    await buildMessage(db, {
      conversationId: refund.id,
      channelId: mastodon.id,
      authorIdentityId: identity.id,
      text: "My refund never arrived and I am furious",
      createdAt: t(10),
      sentimentScore: -0.7,
      sentimentLabel: "negative",
      intent: ["complaint"],
      urgency: "high",
      spamScore: 0.01,
      spamLabel: "ham",
      language: "en",
      analysis: { reasons: ["furious"] },
    });
    await buildMessage(db, {
      conversationId: refund.id,
      channelId: mastodon.id,
      direction: "out",
      authorAgentId: agentId,
      text: "Sorry about that — looking into it now.",
      createdAt: t(30),
      deliveryStatus: "sent",
    });
    await labelConversation(db, refund.id, "billing");

    const thanks = await buildConversation(db, {
      channelId: email.id,
      personId: person.id,
      status: "resolved",
      lastMessageAt: t(20),
    });
    ids.thanks = thanks.id;
    await buildMessage(db, { conversationId: thanks.id, channelId: email.id, text: "Thanks, all good now" });

    const spam = await buildConversation(db, { channelId: email.id, status: "spam", lastMessageAt: t(5) });
    ids.spam = spam.id;
    await buildMessage(db, { conversationId: spam.id, channelId: email.id, text: "Buy cheap followers" });

    // Equal timestamps and no activity at all: pagination must still visit each exactly once.
    for (let i = 0; i < 4; i++) {
      const tie = await buildConversation(db, {
        channelId: email.id,
        status: "waiting",
        lastMessageAt: i < 2 ? t(1) : null,
      });
      ids[`tie${i}`] = tie.id;
    }
  });
  afterAll(() => app.close());

  it("lists newest activity first with channel, person, assignee, labels, preview and sentiment", async () => {
    const page = await list("");
    expect(page.items.map((c) => c.id).slice(0, 3)).toEqual([ids.refund, ids.thanks, ids.spam]);
    expect(page.items[0]).toMatchObject({
      channel: { key: "mastodon-main", kind: "mastodon", name: "Mastodon" },
      person: { displayName: "Lin" },
      status: "open",
      assignee: { id: agentId, name: "grace" },
      labels: ["billing"],
      messageCount: 2,
      awaitingReply: true,
      firstInboundAt: "2026-01-01T12:10:00.000Z",
      lastMessageAt: "2026-01-01T12:30:00.000Z",
      preview: "Sorry about that — looking into it now.",
      lastSentiment: "negative",
    });
    expect(page.items.find((c) => c.id === ids.spam)).toMatchObject({
      person: null,
      assignee: null,
      labels: [],
    });
    expect(page.nextCursor).toBeNull();
  });

  it("filters by status (comma list), channel, assignee and label", async () => {
    const idsOf = async (q: string) => (await list(q)).items.map((c) => c.id);
    expect(await idsOf("?status=resolved,spam")).toEqual([ids.thanks, ids.spam]);
    expect(await idsOf("?status=waiting")).toHaveLength(4);
    expect(await idsOf("?channel=mastodon-main")).toEqual([ids.refund]);
    expect(await idsOf("?assignee=me")).toEqual([ids.refund]);
    expect(await idsOf(`?assignee=${agentId}`)).toEqual([ids.refund]);
    expect(await idsOf("?assignee=none&status=open")).toEqual([]);
    expect((await idsOf("?assignee=none")).length).toBe(6);
    expect(await idsOf("?label=billing")).toEqual([ids.refund]);
    expect(await idsOf("?label=unknown")).toEqual([]);
    expect(await idsOf("?channel=support-email&status=resolved")).toEqual([ids.thanks]);
  });

  it("searches message text with web-search syntax", async () => {
    const idsOf = async (q: string) => (await list(`?q=${encodeURIComponent(q)}`)).items.map((c) => c.id);
    expect(await idsOf("refund")).toEqual([ids.refund]);
    expect(await idsOf('"cheap followers"')).toEqual([ids.spam]);
    expect(await idsOf("refund -furious")).toEqual([]);
    expect(await idsOf("looking")).toEqual([ids.refund]); // outbound text counts too
  });

  it("paginates with an opaque cursor, visiting every conversation exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof list>> = await list(
        `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(7);
    expect(seen.slice(0, 3)).toEqual([ids.refund, ids.thanks, ids.spam]);
    expect(seen.slice(5).sort()).toEqual([ids.tie2, ids.tie3].sort()); // no activity sorts last
  });

  it("returns one conversation with all messages in order, authors and analysis", async () => {
    const response = await app.inject({ method: "GET", url: `/api/conversations/${ids.refund}`, headers });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ id: ids.refund, channel: { key: "mastodon-main" }, labels: ["billing"] });
    expect(body.messages).toHaveLength(2);
    expect(body.messages[0]).toMatchObject({
      direction: "in",
      text: "My refund never arrived and I am furious",
      createdAt: "2026-01-01T12:10:00.000Z",
      author: { kind: "identity", platform: "mastodon", handle: "@lin@social" },
      sentimentScore: -0.7,
      sentimentLabel: "negative",
      intent: ["complaint"],
      urgency: "high",
      spamScore: 0.01,
      spamLabel: "ham",
      language: "en",
      analysis: { reasons: ["furious"] },
      deliveryStatus: null,
    });
    expect(body.messages[1]).toMatchObject({
      direction: "out",
      author: { kind: "agent", id: agentId, name: "grace" },
      deliveryStatus: "sent",
    });
  });

  it("answers 404 for an unknown id and a precise 400 for bad input", async () => {
    const missing = await app.inject({
      method: "GET",
      url: "/api/conversations/00000000-0000-4000-8000-000000000000",
      headers,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toEqual({ code: "not_found", message: "The conversation was not found." });

    const cases: [string, RegExp][] = [
      ["/api/conversations/not-a-uuid", /^params\.id: must be a UUID$/],
      ["/api/conversations?limit=0", /^querystring\.limit: must be between 1 and 100$/],
      ["/api/conversations?limit=101", /^querystring\.limit: must be between 1 and 100$/],
      ["/api/conversations?limit=ten", /^querystring\.limit: /],
      [
        "/api/conversations?status=open,closed",
        /^querystring\.status: must be one or more of .*got "closed"/,
      ],
      ["/api/conversations?assignee=bob", /^querystring\.assignee: must be an agent id/],
      ["/api/conversations?cursor=abc", /^querystring\.cursor: is not a cursor returned by this API$/],
      // Well-formed, but no cursor this API writes holds year 0000 (PostgreSQL has no such instant).
      [
        `/api/conversations?cursor=${Buffer.from(JSON.stringify(["0000-01-01T00:00:00Z", "01a23820-0e51-708b-8ffd-2085ce829a95"])).toString("base64url")}`,
        /^querystring\.cursor: is not a cursor returned by this API$/,
      ],
    ];
    for (const [url, message] of cases) {
      const response = await app.inject({ method: "GET", url, headers });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code, url).toBe("validation_failed");
      expect(response.json().error.message, url).toMatch(message);
    }
  });

  it("refuses assignee=me for a token that acts as no agent", async () => {
    const { AuthService } = await import("../services/auth.service.ts");
    const workspace = await new AuthService(ctx.database.db).createToken({ name: "workspace" });
    const response = await app.inject({
      method: "GET",
      url: "/api/conversations?assignee=me",
      headers: { authorization: `Bearer ${workspace.token}` },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.message).toMatch(/acts as no agent/);
  });
});
