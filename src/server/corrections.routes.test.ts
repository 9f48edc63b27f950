import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { asApi, inbound } from "../../test/helpers/services.ts";
import type { Analysis, Analyzer } from "../analysis/analyzer.ts";
import { createServices } from "../services/container.ts";
import { ReanalyzeService } from "../services/reanalyze.service.ts";
import { buildApp } from "./app.ts";

type Message = {
  id: string;
  direction: string;
  sentimentLabel: string;
  sentimentScore: number;
  intent: string[];
  urgency: string;
  spamLabel: string;
  corrections: Array<{ field: string; machine: unknown; human: unknown; agent: { name: string } | null }>;
};

describeEachEngine("agents' corrections of the analysis over HTTP", (ctx) => {
  async function setUp(channel: string) {
    const services = createServices(ctx.database);
    const app = await buildApp({ database: ctx.database, services });
    const { headers } = await agentWithToken(ctx.database, `${channel}@example.com`, { name: "Noor Haddad" });
    const ingested = async (text: string) => {
      const stored = await services.ingest.ingest([asApi(inbound({ channel, text }))]);
      const { conversationId, messageId } = stored.outcomes[0] as {
        conversationId: string;
        messageId: string;
      };
      return { conversationId, messageId };
    };
    const messageOf = async (conversationId: string, messageId: string) => {
      const res = await app.inject({ method: "GET", url: `/api/conversations/${conversationId}`, headers });
      return (res.json().messages as Message[]).find((m) => m.id === messageId)!;
    };
    const put = (messageId: string, payload: unknown) =>
      app.inject({
        method: "PUT",
        url: `/api/messages/${messageId}/analysis`,
        headers,
        payload: payload as object,
      });
    const whyOf = async (conversationId: string) => {
      const res = await app.inject({ method: "GET", url: "/api/queue?limit=100", headers });
      return (res.json().items as Array<{ id: string; why: string[] }>).find((i) => i.id === conversationId)
        ?.why;
    };
    return { services, app, headers, ingested, messageOf, put, whyOf };
  }

  it("puts the agent's labels everywhere the analysis is read, keeps the analyzer's, and takes them back", async () => {
    const { app, headers, ingested, messageOf, put, whyOf } = await setUp("corr-a");
    const { conversationId, messageId } = await ingested("Thank you so much, the new timetable is great!");
    const before = await messageOf(conversationId, messageId);
    expect(before.sentimentLabel).toBe("positive");
    expect(before.corrections).toEqual([]);
    expect(await whyOf(conversationId)).not.toContain("complaint");

    const corrected = await put(messageId, { sentiment: "negative", intent: ["complaint"] });
    expect(corrected.statusCode).toBe(200);
    expect(
      corrected
        .json()
        .corrections.map((c: { field: string; human: unknown; agent: { name: string } }) => [
          c.field,
          c.human,
          c.agent.name,
        ]),
    ).toEqual([
      ["intent", ["complaint"], "Noor Haddad"],
      ["sentiment", "negative", "Noor Haddad"],
    ]);
    const after = await messageOf(conversationId, messageId);
    expect(after.sentimentLabel).toBe("negative");
    // The score moves into the corrected label's range, so the reports read what the agent said.
    expect(after.sentimentScore).toBe(-0.6);
    expect(after.intent).toEqual(["complaint"]);
    const sentiment = after.corrections.find((c) => c.field === "sentiment")!;
    expect(sentiment.machine).toEqual({ label: "positive", score: before.sentimentScore });
    // The queue's need signals follow the agent's labels.
    expect(await whyOf(conversationId)).toEqual(
      expect.arrayContaining(["complaint", "unhappy (negative sentiment)"]),
    );

    // The same label again changes nothing; the analyzer's own label takes the correction back.
    expect((await put(messageId, { sentiment: "negative" })).json().corrections).toHaveLength(2);
    const back = await put(messageId, { sentiment: "positive" });
    expect(back.json().corrections.map((c: { field: string }) => c.field)).toEqual(["intent"]);
    const restored = await messageOf(conversationId, messageId);
    expect([restored.sentimentLabel, restored.sentimentScore]).toEqual(["positive", before.sentimentScore]);

    const reverted = await app.inject({
      method: "DELETE",
      url: `/api/messages/${messageId}/analysis/intent`,
      headers,
    });
    expect(reverted.json()).toEqual({ corrections: [] });
    expect((await messageOf(conversationId, messageId)).intent).toEqual(before.intent);
    const again = await app.inject({
      method: "DELETE",
      url: `/api/messages/${messageId}/analysis/intent`,
      headers,
    });
    expect(again.statusCode).toBe(404);

    const history = await app.inject({
      method: "GET",
      url: `/api/conversations/${conversationId}/history`,
      headers,
    });
    expect(
      history
        .json()
        .items.filter((e: { action: string }) => e.action === "message.analysis_corrected")
        .map((e: { data: { field: string; from: unknown; to: unknown } }) => [
          e.data.field,
          e.data.from,
          e.data.to,
        ]),
    ).toEqual([
      ["sentiment", "positive", "negative"],
      ["intent", before.intent, ["complaint"]],
      ["sentiment", "negative", "positive"],
      ["intent", ["complaint"], before.intent],
    ]);
  });

  it("marks a message urgent for the queue, and answers bad input with a precise 4xx", async () => {
    const { services, app, headers, ingested, put, whyOf } = await setUp("corr-b");
    const { conversationId, messageId } = await ingested("When does the ticket office open on Sundays?");
    expect(await whyOf(conversationId)).not.toContain("urgent: marked urgent by an agent");
    // An SLA policy for urgent messages: the agent's label picks it, as the analyzer's would.
    const admin = await agentWithToken(ctx.database, "corr-b-admin@example.com", { role: "admin" });
    const policy = await app.inject({
      method: "POST",
      url: "/api/sla/policies",
      headers: admin.headers,
      payload: { name: "Urgent", urgency: "high", firstResponseMinutes: 15 },
    });
    expect(policy.statusCode, policy.body).toBe(201);
    const policyOf = async () =>
      (
        await ctx.database.rows<{ sla_policy_id: string | null }>(
          sql`SELECT sla_policy_id FROM conversations WHERE id = ${conversationId}::uuid`,
        )
      )[0]!.sla_policy_id;
    expect(await policyOf()).not.toBe(policy.json().id);
    expect((await put(messageId, { urgency: "high", spam: "ham" })).statusCode).toBe(200);
    expect(await whyOf(conversationId)).toContain("urgent: marked urgent by an agent");
    expect(await policyOf()).toBe(policy.json().id);

    const cases: Array<[unknown, string]> = [
      [{}, "name at least one"],
      [{ sentiment: "angry" }, "body.sentiment"],
      [{ intent: [] }, "body.intent"],
      [{ intent: ["rant"] }, "body.intent"],
      [{ language: "English" }, "ISO 639-1"],
      [{ mood: "sad" }, "mood"],
    ];
    for (const [payload, message] of cases) {
      const res = await put(messageId, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.message).toContain(message);
    }
    expect((await put("00000000-0000-0000-0000-000000000000", { sentiment: "neutral" })).statusCode).toBe(
      404,
    );
    expect(
      (
        await app.inject({
          method: "PUT",
          url: "/api/messages/nope/analysis",
          headers,
          payload: { spam: "ham" },
        })
      ).statusCode,
    ).toBe(400);
    const bad = await app.inject({
      method: "DELETE",
      url: `/api/messages/${messageId}/analysis/mood`,
      headers,
    });
    expect(bad.statusCode).toBe(400);
    // Our own replies have no analysis to correct.
    const [agent] = await ctx.database.rows<{ id: string }>(
      sql`SELECT id FROM agents WHERE name = 'Noor Haddad'`,
    );
    const reply = await services.replies.reply(
      conversationId,
      { id: agent!.id, name: "Noor Haddad", signature: null },
      "Sundays 9 to 5.",
    );
    const outbound = await put(reply.messageId, { sentiment: "neutral" });
    expect(outbound.statusCode).toBe(400);
    expect(outbound.json().error.message).toContain("Only messages from people");
    expect(
      (await app.inject({ method: "PUT", url: `/api/messages/${messageId}/analysis`, payload: {} }))
        .statusCode,
    ).toBe(401);
  });

  it("lists every correction a page at a time, and keeps them through a re-analysis", async () => {
    const { app, headers, ingested, put } = await setUp("corr-c");
    const first = await ingested("My parcel never arrived and nobody answers.");
    const second = await ingested("Lovely staff at the Leeds station today.");
    await put(first.messageId, { sentiment: "neutral" });
    await put(second.messageId, { spam: "spam", language: "fr" });

    const seen: Array<[string, string, string]> = [];
    let cursor: string | null = null;
    do {
      const res = await app.inject({
        method: "GET",
        url: `/api/analysis/corrections?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        headers,
      });
      expect(res.statusCode).toBe(200);
      const page = res.json() as {
        items: Array<{ messageId: string; field: string; text: string }>;
        nextCursor: string | null;
      };
      for (const item of page.items) seen.push([item.messageId, item.field, item.text]);
      cursor = page.nextCursor;
    } while (cursor);
    const mine = seen.filter(([id]) => id === first.messageId || id === second.messageId);
    expect(mine.map(([, field]) => field).sort()).toEqual(["language", "sentiment", "spam"]);
    expect(new Set(seen.map(([id, field]) => `${id}/${field}`)).size).toBe(seen.length);
    expect(mine.find(([, f]) => f === "sentiment")![2]).toBe("My parcel never arrived and nobody answers.");
    const filtered = await app.inject({
      method: "GET",
      url: "/api/analysis/corrections?field=spam",
      headers,
    });
    expect(filtered.json().items.every((i: { field: string }) => i.field === "spam")).toBe(true);
    expect(
      (await app.inject({ method: "GET", url: "/api/analysis/corrections?cursor=abc", headers })).statusCode,
    ).toBe(400);

    // The current analyzer read again on the corrected texts: it still says what it said.
    const report = await app.inject({ method: "GET", url: "/api/analysis/corrections/report", headers });
    expect(report.statusCode).toBe(200);
    const fields = report.json().fields as Array<{ field: string; corrections: number; agreesNow: number }>;
    expect(fields.map((f) => f.field)).toEqual(expect.arrayContaining(["sentiment", "spam", "language"]));
    expect(fields.every((f) => f.corrections >= 1 && f.agreesNow === 0)).toBe(true);
    expect(report.json().limited).toBe(false);
    // Bounded per request: only the newest corrections are analysed again.
    const newest = await app.inject({
      method: "GET",
      url: "/api/analysis/corrections/report?limit=1",
      headers,
    });
    expect(newest.json().limited).toBe(true);
    // The second message's spam and language corrections were made together: one of them.
    const only = newest.json().fields as Array<{ field: string; corrections: number }>;
    expect(only).toHaveLength(1);
    expect(["spam", "language"]).toContain(only[0]!.field);
    expect(only[0]!.corrections).toBe(1);
    expect(
      (await app.inject({ method: "GET", url: "/api/analysis/corrections/report?limit=0", headers }))
        .statusCode,
    ).toBe(400);
    const future = await app.inject({
      method: "GET",
      url: "/api/analysis/corrections/report?since=2999-01-01T00:00:00Z",
      headers,
    });
    expect(future.json().fields).toEqual([]);
    // Year 0000 is a valid ISO date PostgreSQL has no instant for: read as its first one.
    for (const url of ["/api/analysis/corrections/report", "/api/analysis/corrections"]) {
      const always = await app.inject({ method: "GET", url: `${url}?since=0000-01-01T00:00:00Z`, headers });
      expect(always.statusCode, always.body).toBe(200);
    }
    expect(
      (await app.inject({ method: "GET", url: "/api/analysis/corrections/report?since=yesterday", headers }))
        .statusCode,
    ).toBe(400);

    // A new analyzer: it now agrees with the agent on the first message's sentiment (that correction
    // goes) and still says otherwise on the second (those stay, with the new analyzer's value recorded).
    const next: Analyzer = {
      version: "test-next",
      analyze(text): Analysis {
        const neutral = text.startsWith("My parcel");
        return {
          sentiment: neutral ? { score: 0, label: "neutral" } : { score: 0.8, label: "positive" },
          intent: ["praise"],
          urgency: { level: "normal", reasons: [] },
          spam: { score: 0.2, label: "ham", reasons: [] },
          language: "en",
        };
      },
    };
    await new ReanalyzeService(ctx.database, next).run({ all: true });
    const rows = await ctx.database.rows<{
      message_id: string;
      field: string;
      machine: unknown;
      analyzer_version: string;
    }>(
      sql`SELECT message_id, field, machine, analyzer_version FROM analysis_corrections
          WHERE message_id IN (${first.messageId}::uuid, ${second.messageId}::uuid) ORDER BY field`,
    );
    expect(
      rows.map((r) => [r.message_id === second.messageId, r.field, r.machine, r.analyzer_version]),
    ).toEqual([
      [true, "language", "en", "test-next"],
      [true, "spam", { label: "ham", score: 0.2 }, "test-next"],
    ]);
    const [kept] = await ctx.database.rows<{
      spam_label: string;
      spam_score: number;
      language: string;
      sentiment_label: string;
    }>(
      sql`SELECT spam_label, spam_score, language, sentiment_label FROM messages WHERE id = ${second.messageId}::uuid`,
    );
    expect(kept).toEqual({ spam_label: "spam", spam_score: 1, language: "fr", sentiment_label: "positive" });
  });
});
