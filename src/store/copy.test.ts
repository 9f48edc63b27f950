import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { buildChannel, buildConversation, buildMessage } from "../../test/helpers/factories.ts";
import { COPY_MIN_ROWS, encodeCopy } from "./copy.ts";
import { IngestRepository, type NewMessage } from "./ingest.repository.ts";
import { slaRepository } from "./sla.repository.ts";

// Text that COPY's text format must escape, and JSON and arrays that must survive the trip.
const awkward = 'tab\there, newline\nthere, CR\r, backslash \\ and \\N, quote " and emoji 🙏, façade';

function message(conversationId: string, channelId: string, i: number, text = `message ${i}`): NewMessage {
  return {
    id: randomUUID(),
    conversation_id: conversationId,
    channel_id: channelId,
    external_id: `bulk-${i}`,
    in_reply_to_external_id: i > 0 ? `bulk-${i - 1}` : null,
    direction: i % 2 === 0 ? "in" : "out",
    visibility: "public",
    text,
    html: null,
    automated: null,
    author_identity_id: null,
    author_agent_id: null,
    raw_event_id: null,
    delivery_status: i % 2 === 0 ? null : "sent",
    created_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    sentiment_score: -0.25,
    sentiment_label: "negative",
    intent: ["complaint", 'say "hi", {now}'],
    urgency: "high",
    spam_score: 0.125,
    spam_label: "ham",
    language: "en",
    analysis: { note: awkward, nested: { list: [1, 2.5, null] } },
    analyzer_version: "test-1",
    edited_at: null,
  };
}

describe("encodeCopy", () => {
  it("writes one escaped line per row and cuts chunks only between rows, at about 64 KiB", () => {
    const rows = Array.from({ length: 3_000 }, (_, i) => [
      `row ${i}\t${awkward}`,
      i,
      i % 2 === 0,
      null,
      ["a", 'b "c"'],
      { i, note: "x\ny" },
    ]);
    const chunks = encodeCopy(rows)!;
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThanOrEqual(65_536);
    for (const chunk of chunks) expect(chunk.at(-1)).toBe(0x0a);
    const lines = Buffer.concat(chunks).toString("utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(rows.length);
    expect(lines[1]).toBe(
      'row 1\\ttab\\there, newline\\nthere, CR\\r, backslash \\\\ and \\\\N, quote " and emoji 🙏, façade' +
        '\t1\tf\t\\N\t{"a","b \\\\"c\\\\""}\t{"i":1,"note":"x\\\\ny"}',
    );
  });

  it("gives a line longer than a chunk a chunk of its own", () => {
    const long = "é🙏".repeat(50_000);
    const chunks = encodeCopy([["short"], [long], ["after"]])!;
    expect(Buffer.concat(chunks).toString("utf8")).toBe(`short\n${long}\nafter\n`);
    expect(chunks.map((c) => c.toString("utf8"))).toEqual(["short\n", `${long}\n`, "after\n"]);
  });

  it("refuses text that is not well-formed UTF-16", () => {
    expect(encodeCopy([["fine"], ["lone \ud800 surrogate"]])).toBeUndefined();
  });
});

describeEachEngine("ingest repository bulk writes", (ctx) => {
  const batch = COPY_MIN_ROWS + 20;

  it("stores a large batch of messages exactly as given (COPY on PostgreSQL)", async () => {
    const channel = await buildChannel(ctx.database.db);
    const conversation = await buildConversation(ctx.database.db, { channelId: channel.id });
    const rows = Array.from({ length: batch }, (_, i) =>
      message(conversation.id, channel.id, i, i === 7 ? awkward : `message ${i}`),
    );
    const repo = new IngestRepository(ctx.database);
    const inserted = await ctx.database.db.transaction((tx) => repo.insertMessages(tx, rows));
    expect(inserted.size).toBe(batch);
    const [stored] = await ctx.database.rows<Record<string, unknown>>(sql`
      SELECT text, intent, analysis, sentiment_score, spam_score, delivery_status, html, in_reply_to_external_id,
        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
      FROM messages WHERE channel_id = ${channel.id} AND external_id = 'bulk-7'`);
    expect(stored).toEqual({
      text: awkward,
      intent: ["complaint", 'say "hi", {now}'],
      analysis: { note: awkward, nested: { list: [1, 2.5, null] } },
      sentiment_score: -0.25,
      spam_score: 0.125,
      delivery_status: "sent",
      html: null,
      in_reply_to_external_id: "bulk-6",
      created_at: rows[7]!.created_at,
    });
  });

  it("skips a message another writer stored meanwhile and stores the rest of the batch", async () => {
    const channel = await buildChannel(ctx.database.db);
    const conversation = await buildConversation(ctx.database.db, { channelId: channel.id });
    const theirs = await buildMessage(ctx.database.db, {
      conversationId: conversation.id,
      channelId: channel.id,
      externalId: "bulk-3",
    });
    const rows = Array.from({ length: batch }, (_, i) => message(conversation.id, channel.id, i));
    const repo = new IngestRepository(ctx.database);
    const inserted = await ctx.database.db.transaction((tx) => repo.insertMessages(tx, rows));
    expect(inserted.size).toBe(batch - 1);
    expect(inserted.has(rows[3]!.id)).toBe(false);
    const [count] = await ctx.database.rows<{ n: number; theirs: string }>(sql`
      SELECT count(*)::int AS n, min(id::text) FILTER (WHERE external_id = 'bulk-3') AS theirs
      FROM messages WHERE channel_id = ${channel.id}`);
    expect(count).toEqual({ n: batch, theirs: theirs.id });
  });

  it("rejects a batch with a lone surrogate as a whole, as the INSERT does, instead of altering it", async () => {
    const channel = await buildChannel(ctx.database.db);
    const conversation = await buildConversation(ctx.database.db, { channelId: channel.id });
    const rows = Array.from({ length: batch }, (_, i) =>
      message(conversation.id, channel.id, i, i === 5 ? "broken \ud800 text" : `message ${i}`),
    );
    const repo = new IngestRepository(ctx.database);
    await expect(ctx.database.db.transaction((tx) => repo.insertMessages(tx, rows))).rejects.toThrow();
    const [count] = await ctx.database.rows<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM messages WHERE channel_id = ${channel.id}`);
    expect(count?.n).toBe(0);
  });

  it("stores a large batch of SLA targets exactly as given (COPY on PostgreSQL)", async () => {
    const channel = await buildChannel(ctx.database.db);
    const conversation = await buildConversation(ctx.database.db, { channelId: channel.id });
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute, 0, 250));
    const insert = Array.from({ length: batch }, (_, i) => ({
      conversationId: conversation.id,
      channelId: channel.id,
      policyId: null,
      kind: i % 2 === 0 ? ("first_response" as const) : ("resolution" as const),
      startedAt: at(i),
      dueAt: at(i + 60),
      metAt: i % 3 === 0 ? at(i + 30) : null,
      pausedAt: null,
      pausedMinutes: i,
    }));
    const repo = slaRepository(ctx.database.db, { copy: ctx.engine === "postgres" });
    await ctx.database.db.transaction((tx) => repo.saveTargets(tx, { remove: [], insert, update: [] }));
    const stored = await repo.targets(ctx.database.db, [conversation.id]);
    expect(stored).toHaveLength(batch);
    expect(stored.map(({ id: _, conversationId: __, ...t }) => t)).toEqual(
      insert.map(({ conversationId: _, channelId: __, ...t }) => t),
    );
  });
});
