import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../../test/helpers/engines.ts";
import { buildIngest, inbound } from "../../../test/helpers/services.ts";
import { rapportAnalyzer } from "../../analysis/rapport.analyzer.ts";
import { createServices } from "../container.ts";
import { EventBus } from "../events.ts";
import { IngestService } from "../ingest.service.ts";
import { NormalizerRegistry } from "../normalizers.ts";
import { runImport } from "./import.runner.ts";
import { parseTwitterDate } from "./twcs.format.ts";

const dir = mkdtempSync(path.join(tmpdir(), "rapport-import-"));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

it("parses Twitter's date format", () => {
  expect(parseTwitterDate("Tue Oct 31 22:10:47 +0000 2017")).toBe("2017-10-31T22:10:47.000Z");
  expect(parseTwitterDate("Tue Oct 31 22:10:47 +0130 2017")).toBe("2017-10-31T20:40:47.000Z");
  expect(parseTwitterDate("someday")).toBeNull();
});

describeEachEngine("importers", (ctx) => {
  it("imports TWCS rows as reply trees on a channel per brand, and dead-letters malformed rows with their line", async () => {
    const file = write(
      "small-twcs.csv",
      [
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id",
        't3,cust1,True,Tue Oct 31 22:08:27 +0000 2017,"@acmecare my phone, again, is broken",t1,',
        "t1,AcmeCare,False,Tue Oct 31 22:10:47 +0000 2017,@cust1 Sorry to hear that! DM us.,t2,t3",
        "t2,cust1,True,Tue Oct 31 22:11:45 +0000 2017,@AcmeCare done,,t1",
        "t9,cust2,Maybe,Tue Oct 31 22:11:45 +0000 2017,@AcmeCare hello,,",
        "t10,cust2,True,not a date,@AcmeCare hello,,",
        "t11,cust3,True",
        "t12,cust4,True,Tue Oct 31 23:00:00 +0000 2017,@AcmeCare anyone there?,,",
      ].join("\n"),
    );
    const { ingest } = buildIngest(ctx.database);
    const summary = await runImport(ingest, "twcs", file);
    expect(summary).toEqual({ messages: 4, duplicates: 0, conversations: 2, people: 2, deadLetters: 3 });

    const conv = await ctx.database.rows<{
      key: string;
      platform: string;
      n: number;
      awaiting_reply: boolean;
    }>(sql`
      SELECT ch.key, ch.platform, c.message_count AS n, c.awaiting_reply FROM conversations c
      JOIN channels ch ON ch.id = c.channel_id WHERE c.thread_key = 't3'`);
    expect(conv).toEqual([{ key: "twcs-acmecare", platform: "x", n: 3, awaiting_reply: true }]);
    const letters = await ctx.database.rows<{ reason: string; line: number }>(sql`
      SELECT reason, (detail->>'line')::int AS line FROM dead_letters WHERE source = 'import:twcs' ORDER BY id`);
    expect(letters).toEqual([
      { reason: 'inbound must be True or False, got "Maybe"', line: 5 },
      { reason: 'created_at is not a date: "not a date"', line: 6 },
      { reason: "expected 7 columns, got 3", line: 7 },
    ]);
    const [brand] = await ctx.database.rows<{ name: string; email: string | null }>(sql`
      SELECT name, email FROM agents WHERE external_ref = 'x:AcmeCare'`);
    expect(brand).toEqual({ name: "AcmeCare", email: null });

    const again = await runImport(ingest, "twcs", file);
    expect(again).toMatchObject({ messages: 0, duplicates: 4, conversations: 0, people: 0 });
  });

  it("imports JSON lines and keeps a line that is not JSON as a dead letter", async () => {
    const a = inbound({ channel: "jsonl-test" });
    const b = inbound({ channel: "jsonl-test", inReplyToExternalId: a.externalId, author: a.author });
    const file = write(
      "msgs.jsonl",
      `${JSON.stringify(a)}\n\n{"channel": "jsonl-test", oops\n${JSON.stringify(b)}\n`,
    );
    const { ingest } = buildIngest(ctx.database);
    const summary = await runImport(ingest, "jsonl", file);
    expect(summary).toEqual({ messages: 2, duplicates: 0, conversations: 1, people: 1, deadLetters: 1 });
    const [letter] = await ctx.database.rows<{ reason: string; line: number; payload: unknown }>(sql`
      SELECT d.reason, (d.detail->>'line')::int AS line, r.payload FROM dead_letters d
      JOIN raw_events r ON r.id = d.raw_event_id WHERE d.source = 'import:jsonl'`);
    expect(letter!.line).toBe(3);
    expect(letter!.reason).toMatch(/^not valid JSON/);
    expect(letter!.payload).toBe('{"channel": "jsonl-test", oops');
  });

  it("imports any CSV with a column mapping", async () => {
    const file = write(
      "tickets.csv",
      [
        "id,from,name,body,sent,kind",
        "e1,ana@example.com,Ana,Where is my parcel?,2026-11-01T10:00:00Z,inbound",
        'e2,ana@example.com,Ana,"Still nothing, please help",2026-11-02T10:00:00+01:00,inbound',
        "e3,bo@example.com,Bo,Hello,2026-11-03T10:00:00Z,sideways",
      ].join("\n"),
    );
    const { ingest } = buildIngest(ctx.database);
    const summary = await runImport(ingest, "csv", file, {
      channel: "shop-email",
      mapping: {
        externalId: "id",
        "author.externalId": "from",
        "author.displayName": "name",
        text: "body",
        createdAt: "sent",
        direction: "kind",
      },
    });
    expect(summary).toMatchObject({ messages: 2, people: 1, deadLetters: 1 });
    await expect(
      runImport(ingest, "csv", file, {
        channel: "x",
        mapping: { externalId: "nope", "author.externalId": "from", text: "body", createdAt: "sent" },
      }),
    ).rejects.toThrow(/no column "nope"/);
  });

  it("derives a staged import's conversations even when the process dies between a batch's two transactions", async () => {
    // Three threads, replies included, the same on three channels.
    const thread = (channel: string) => {
      const lines: unknown[] = [];
      for (let t = 0; t < 3; t++) {
        const author = { externalId: `staged-person-${t}`, handle: `p${t}`, followerCount: 10 * t };
        let previous: string | undefined;
        for (let i = 0; i < 3; i++) {
          const externalId = `staged-${t}-${i}`;
          lines.push({
            channel,
            externalId,
            ...(previous ? { inReplyToExternalId: previous } : {}),
            direction: i === 1 ? "out" : "in",
            author: i === 1 ? { externalId: "brand", displayName: "Support" } : author,
            text:
              i === 1
                ? "Sorry! Could you DM us your order number?"
                : `My order ${t} never arrived. Please help.`,
            createdAt: new Date(Date.UTC(2026, 10, 2, 9 + t, i * 7)).toISOString(),
          });
          previous = externalId;
        }
      }
      return write(`${channel}.jsonl`, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
    };
    const services = createServices(ctx.database);

    // Reference: one transaction per batch.
    await runImport(
      { stream: () => services.ingest.stream(), overlaps: false },
      "jsonl",
      thread("staged-a"),
      {},
      undefined,
      2,
    );
    // Staged, and the process "dies" after each batch's messages are committed: no derivation ever runs.
    const dying = new IngestService({
      database: ctx.database,
      analyzer: rapportAnalyzer,
      events: new EventBus(),
      normalizers: new NormalizerRegistry(),
      batchSize: 2,
      deriveState: async () => {
        throw new Error("the process died");
      },
    });
    await expect(
      runImport(
        { stream: (o) => dying.stream(o), overlaps: true },
        "jsonl",
        thread("staged-b"),
        {},
        undefined,
        2,
      ),
    ).rejects.toThrow("the process died");
    const stored = await ctx.database.rows<{ n: number; waiting: number; pending: number }>(sql`
      SELECT (SELECT count(*)::int FROM messages m JOIN channels ch ON ch.id = m.channel_id
          WHERE ch.key = 'staged-b') AS n,
        (SELECT count(*)::int FROM conversations c JOIN channels ch ON ch.id = c.channel_id
          WHERE ch.key = 'staged-b' AND c.message_count = 0) AS waiting,
        (SELECT count(*)::int FROM pending_derivations) AS pending`);
    // Nothing a person sent is lost; the derivations are recorded, not done.
    expect(stored).toEqual([{ n: 9, waiting: 3, pending: 5 }]);

    // A server starting (or the next import finishing) catches up.
    expect(await services.ingest.catchUpDerivations()).toBe(5);
    // And a staged import that does not die gives the same result too.
    await runImport(
      { stream: (o) => services.ingest.stream(o), overlaps: true },
      "jsonl",
      thread("staged-c"),
      {},
      undefined,
      2,
    );

    const derived = async (channel: string) =>
      ctx.database.rows(sql`
        SELECT c.thread_key, c.status, c.message_count, c.awaiting_reply, c.first_inbound_at, c.last_inbound_at,
          c.last_outbound_at, c.first_human_response_at, c.waiting_since, c.first_sentiment, c.last_sentiment,
          c.audience_size, c.sla_due_at, c.first_response_due_at, c.resolution_due_at, c.queue_due_at, c.need,
          (SELECT json_agg(json_build_object('kind', t.kind, 'due', t.due_at, 'met', t.met_at) ORDER BY t.kind, t.due_at)
            FROM sla_targets t WHERE t.conversation_id = c.id) AS targets
        FROM conversations c JOIN channels ch ON ch.id = c.channel_id
        WHERE ch.key = ${channel} ORDER BY c.thread_key`);
    const reference = await derived("staged-a");
    expect(reference).toHaveLength(3);
    expect(reference.every((c) => c.message_count === 3)).toBe(true);
    expect(await derived("staged-b")).toEqual(reference);
    expect(await derived("staged-c")).toEqual(reference);
    const [left] = await ctx.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM pending_derivations`,
    );
    expect(left?.n).toBe(0);
  });
});
