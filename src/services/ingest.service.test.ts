import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { asApi, buildIngest, inbound } from "../../test/helpers/services.ts";

describeEachEngine("ingest pipeline", (ctx) => {
  const count = async (table: string, where = sql`TRUE`) => {
    const rows = await ctx.database.rows<{ n: string | number }>(
      sql`SELECT count(*) AS n FROM ${sql.identifier(table)} WHERE ${where}`,
    );
    return Number(rows[0]!.n);
  };

  it("stores a message with its person, identity, channel, conversation, analysis and raw event", async () => {
    const { ingest, published } = buildIngest(ctx.database);
    const message = inbound({ channel: "store-test", text: "This is terrible, my bag never arrived." });
    const summary = await ingest.ingest([asApi(message)]);
    expect(summary).toMatchObject({
      messages: 1,
      duplicates: 0,
      conversations: 1,
      people: 1,
      deadLetters: 0,
    });
    const outcome = summary.outcomes[0]!;
    expect(outcome.status).toBe("stored");
    if (outcome.status !== "stored") return;

    const [row] = await ctx.database.rows<Record<string, unknown>>(
      sql`SELECT m.*, r.status AS raw_status, r.payload AS raw_payload, c.kind AS channel_kind,
            i.handle, i.follower_count, p.display_name AS person_name, conv.person_id, conv.awaiting_reply
          FROM messages m JOIN raw_events r ON r.id = m.raw_event_id JOIN channels c ON c.id = m.channel_id
          JOIN identities i ON i.id = m.author_identity_id JOIN people p ON p.id = i.person_id
          JOIN conversations conv ON conv.id = m.conversation_id
          WHERE m.id = ${outcome.messageId}`,
    );
    expect(row).toMatchObject({
      text: message.text,
      direction: "in",
      sentiment_label: "negative",
      raw_status: "processed",
      channel_kind: "import",
      handle: message.author.handle,
      follower_count: 12,
      person_name: message.author.displayName,
      awaiting_reply: true,
    });
    expect(row!.raw_payload).toEqual(message);
    expect(Number(row!.sentiment_score)).toBeLessThan(-0.05);
    expect(published.map((e) => e.type)).toEqual(["message.created", "conversation.created"]);
  });

  it("stores the same message once, however often it arrives", async () => {
    const { ingest } = buildIngest(ctx.database);
    const message = inbound({ channel: "dedupe-test" });
    const first = await ingest.ingest([asApi(message), asApi(message)]);
    const again = await ingest.ingest([asApi(message)]);
    expect(first).toMatchObject({ messages: 1, duplicates: 1 });
    expect(again).toMatchObject({ messages: 0, duplicates: 1, conversations: 0, people: 0 });
    expect(await count("messages", sql`external_id = ${message.externalId}`)).toBe(1);
    // Every arrival is still kept raw.
    expect(await count("raw_events", sql`payload->>'externalId' = ${message.externalId}`)).toBe(3);
  });

  it("turns a payload it cannot normalize into a dead letter with the reason, and keeps the rest", async () => {
    const { ingest } = buildIngest(ctx.database);
    const good = inbound({ channel: "dl-test" });
    const bad = { ...inbound({ channel: "dl-test" }), author: { handle: "no-id" }, createdAt: "yesterday" };
    const summary = await ingest.ingest([asApi(good), asApi(bad), asApi("not an object")]);
    expect(summary).toMatchObject({ messages: 1, deadLetters: 2 });
    const outcome = summary.outcomes[1]!;
    expect(outcome.status).toBe("dead_letter");
    if (outcome.status !== "dead_letter") return;
    expect(outcome.reason).toContain("author.externalId");
    expect(outcome.reason).toContain("createdAt");
    const [dl] = await ctx.database.rows<{ reason: string; raw_status: string; payload: unknown }>(
      sql`SELECT d.reason, r.status AS raw_status, r.payload FROM dead_letters d JOIN raw_events r ON r.id = d.raw_event_id
          WHERE d.id = ${outcome.deadLetterId}`,
    );
    expect(dl).toMatchObject({ raw_status: "dead", payload: bad });
  });

  it("keeps a message whose text holds a NUL character (PostgreSQL cannot store U+0000)", async () => {
    const { ingest } = buildIngest(ctx.database);
    const message = inbound({ channel: "nul-test", text: "broken\u0000byte" });
    const summary = await ingest.ingest([asApi(message)]);
    expect(summary.messages).toBe(1);
    const [row] = await ctx.database.rows<{ text: string }>(
      sql`SELECT text FROM messages WHERE external_id = ${message.externalId}`,
    );
    expect(row!.text).toBe("broken\uFFFDbyte");
  });

  it("threads replies into their parent's conversation, even when they arrive first", async () => {
    const { ingest } = buildIngest(ctx.database);
    const root = inbound({ channel: "thread-test", text: "Where is my refund?" });
    const agentReply = inbound({
      channel: "thread-test",
      direction: "out",
      inReplyToExternalId: root.externalId,
      author: { externalId: "brand", displayName: "Maria (Support)" },
      text: "Hi! I'm Maria, looking into it now.",
      createdAt: new Date(Date.parse(root.createdAt) + 60_000).toISOString(),
    });
    const followUp = inbound({
      channel: "thread-test",
      inReplyToExternalId: agentReply.externalId,
      author: root.author,
      text: "Thanks Maria!",
      createdAt: new Date(Date.parse(root.createdAt) + 120_000).toISOString(),
    });
    // Reversed order, in separate batches: grandchild, then child, then root.
    await ingest.ingest([asApi(followUp)]);
    await ingest.ingest([asApi(agentReply)]);
    const summary = await ingest.ingest([asApi(root)]);
    expect(summary.messages).toBe(1);
    const rows = await ctx.database.rows<{ conversation_id: string }>(
      sql`SELECT DISTINCT m.conversation_id FROM messages m JOIN channels c ON c.id = m.channel_id
          WHERE c.key = 'thread-test'`,
    );
    expect(rows).toHaveLength(1);
    const [conv] = await ctx.database.rows<Record<string, unknown>>(
      sql`SELECT * FROM conversations WHERE id = ${rows[0]!.conversation_id}`,
    );
    expect(conv).toMatchObject({ thread_key: root.externalId, message_count: 3, awaiting_reply: true });
    expect(conv!.person_id).not.toBeNull();
    expect(new Date(conv!.first_human_response_at as string).toISOString()).toBe(agentReply.createdAt);
    expect(new Date(conv!.first_inbound_at as string).toISOString()).toBe(root.createdAt);
    // The person waits again since their follow-up; sentiment went from the refund question to thanks.
    expect(new Date(conv!.waiting_since as string).toISOString()).toBe(followUp.createdAt);
    expect(conv!.audience_size).toBe(12);
    expect(Number(conv!.last_sentiment)).toBeGreaterThan(Number(conv!.first_sentiment));
    expect(
      await count("conversations", sql`channel_id = (SELECT id FROM channels WHERE key = 'thread-test')`),
    ).toBe(1);
    // The outbound author became an agent record, not a person.
    const [agent] = await ctx.database.rows<{ name: string }>(
      sql`SELECT a.name FROM agents a JOIN messages m ON m.author_agent_id = a.id WHERE m.external_id = ${agentReply.externalId}`,
    );
    expect(agent!.name).toBe("Maria (Support)");
  });

  it("threads a reordered batch the same way as an ordered one", async () => {
    const { ingest } = buildIngest(ctx.database);
    const root = inbound({ channel: "batch-thread" });
    const reply = inbound({
      channel: "batch-thread",
      inReplyToExternalId: root.externalId,
      author: root.author,
    });
    const reply2 = inbound({
      channel: "batch-thread",
      inReplyToExternalId: reply.externalId,
      author: root.author,
    });
    const summary = await ingest.ingest([asApi(reply2), asApi(reply), asApi(root)]);
    expect(summary).toMatchObject({ messages: 3, conversations: 1, people: 1 });
  });

  it("keeps one conversation per person for private messages and reopens it on a new message", async () => {
    const { ingest } = buildIngest(ctx.database);
    const author = { externalId: "dm-person", handle: "dm_person" };
    const first = inbound({ channel: "dm-test", visibility: "private", author });
    await ingest.ingest([asApi(first)]);
    await ctx.database.db.execute(
      sql`UPDATE conversations SET status = 'resolved' WHERE thread_key = 'dm:dm-person'`,
    );
    const second = inbound({ channel: "dm-test", visibility: "private", author, text: "One more thing" });
    const summary = await ingest.ingest([asApi(second)]);
    expect(summary.conversations).toBe(0);
    const [conv] = await ctx.database.rows<{ status: string; message_count: number; visibility: string }>(
      sql`SELECT status, message_count, visibility FROM conversations WHERE thread_key = 'dm:dm-person'`,
    );
    expect(conv).toEqual({ status: "open", message_count: 2, visibility: "private" });
  });

  it("recognises the same person across messages and refreshes their handle", async () => {
    const { ingest } = buildIngest(ctx.database);
    const a = inbound({
      channel: "person-test",
      author: { externalId: "p-1", handle: "old", followerCount: 5 },
    });
    const b = inbound({
      channel: "person-test",
      author: { externalId: "p-1", handle: "new", followerCount: 7 },
    });
    await ingest.ingest([asApi(a)]);
    const summary = await ingest.ingest([asApi(b)]);
    expect(summary.people).toBe(0);
    const [identity] = await ctx.database.rows<{ handle: string; follower_count: number }>(
      sql`SELECT handle, follower_count FROM identities WHERE platform = 'person-test' AND external_id = 'p-1'`,
    );
    expect(identity).toEqual({ handle: "new", follower_count: 7 });
  });

  it("attributes outbound messages to a named agent across platforms by a global external ref", async () => {
    const { ingest } = buildIngest(ctx.database);
    const [maria] = await ctx.database.rows<{ id: string }>(
      sql`INSERT INTO agents (name, email, external_ref) VALUES ('Maria Lopez', 'maria@example.com', 'agent:maria') RETURNING id`,
    );
    const author = { externalId: "agent:maria", displayName: "Maria" };
    const a = inbound({ channel: "agent-x", direction: "out", author });
    const b = inbound({ channel: "agent-mail", direction: "out", author });
    const c = inbound({ channel: "agent-mail", direction: "out", author: { externalId: "brand-account" } });
    await ingest.ingest([asApi(a), asApi(b), asApi(c)]);
    const rows = await ctx.database.rows<{ external_id: string; author_agent_id: string }>(
      sql`SELECT external_id, author_agent_id FROM messages WHERE external_id IN (${a.externalId}, ${b.externalId}, ${c.externalId})
          ORDER BY external_id`,
    );
    const byId = new Map(rows.map((r) => [r.external_id, r.author_agent_id]));
    expect(byId.get(a.externalId)).toBe(maria!.id);
    expect(byId.get(b.externalId)).toBe(maria!.id);
    expect(byId.get(c.externalId)).not.toBe(maria!.id);
  });

  it("replays a dead letter once its format can be read", async () => {
    const { ingest, normalizers } = buildIngest(ctx.database);
    const payload = { msg: "hello from a platform we did not know yet", id: "late-1" };
    const first = await ingest.ingest([{ source: "webhook:later", format: "later", payload }]);
    expect(first.deadLetters).toBe(1);
    normalizers.register("later", (p) => {
      const value = p as typeof payload;
      return {
        ok: true,
        message: {
          channel: "later",
          externalId: value.id,
          direction: "in",
          author: { externalId: "someone" },
          text: value.msg,
          createdAt: "2026-11-01T10:00:00Z",
          visibility: "public",
        },
      };
    });
    const outcome = first.outcomes[0]!;
    if (outcome.status !== "dead_letter") throw new Error("expected a dead letter");
    const [raw] = await ctx.database.rows<{ raw_event_id: string | number }>(
      sql`SELECT raw_event_id FROM dead_letters WHERE id = ${outcome.deadLetterId}`,
    );
    const replay = await ingest.reprocess([
      {
        rawEventId: Number(raw!.raw_event_id),
        source: "webhook:later",
        format: "later",
        payload,
        deadLetterId: outcome.deadLetterId,
      },
    ]);
    expect(replay.messages).toBe(1);
    const [dl] = await ctx.database.rows<{ resolved_at: unknown }>(
      sql`SELECT resolved_at FROM dead_letters WHERE id = ${outcome.deadLetterId}`,
    );
    expect(dl!.resolved_at).not.toBeNull();
  });

  it("stores a large batch in several transactions with the same result", async () => {
    const { ingest } = buildIngest(ctx.database, { batchSize: 50 });
    const messages = Array.from({ length: 230 }, (_, i) =>
      inbound({ channel: "bulk-test", author: { externalId: `bulk-${i % 40}` } }),
    );
    const summary = await ingest.ingest(messages.map(asApi));
    expect(summary).toMatchObject({ messages: 230, people: 40, conversations: 230, deadLetters: 0 });
    expect(summary.outcomes).toHaveLength(230);
  });

  it("recovers raw events a process stored and died before processing, once they are stale", async () => {
    const { ingest } = buildIngest(ctx.database);
    const already = inbound({ channel: "recover-test" });
    await ingest.ingest([asApi(already)]);
    const lost = inbound({ channel: "recover-test", text: "My parcel never came, can you check?" });
    const fresh = inbound({ channel: "recover-test" });
    // What a crash between storing and processing leaves: pending raw events, as the webhook stored them.
    const store = (payload: unknown, minutesAgo: number) =>
      ctx.database.rows<{ id: string | number }>(sql`
        INSERT INTO raw_events (source, format, channel_key, payload, received_at)
        VALUES ('webhook:test', 'canonical', 'recover-test', ${JSON.stringify(payload)}::json,
          now() - ${minutesAgo} * interval '1 minute')
        RETURNING id`);
    const [lostRaw] = await store(lost, 30);
    const [againRaw] = await store(already, 30);
    const [badRaw] = await store({ channel: "recover-test", text: 42 }, 30);
    const [freshRaw] = await store(fresh, 1);
    const statusOf = async (row: { id: string | number } | undefined) =>
      (
        await ctx.database.rows<{ status: string }>(sql`SELECT status FROM raw_events WHERE id = ${row!.id}`)
      )[0]!.status;

    expect(await ingest.recoverPending()).toBe(3);
    expect(await statusOf(lostRaw)).toBe("processed");
    expect(await statusOf(againRaw)).toBe("processed");
    expect(await statusOf(badRaw)).toBe("dead");
    expect(await statusOf(freshRaw)).toBe("pending");
    // The lost message is stored (once), the repeat adds nothing, the bad payload is a dead letter.
    expect(await count("messages", sql`external_id = ${lost.externalId}`)).toBe(1);
    expect(await count("messages", sql`external_id = ${already.externalId}`)).toBe(1);
    expect(await count("dead_letters", sql`raw_event_id = ${badRaw!.id}`)).toBe(1);
    // Nothing is left to recover, and a fresh payload (another process may be on it) waits its turn.
    expect(await ingest.recoverPending()).toBe(0);
    expect(await ingest.recoverPending({ olderThanMs: 0 })).toBeGreaterThanOrEqual(1);
    expect(await statusOf(freshRaw)).toBe("processed");
    expect(await count("messages", sql`external_id = ${fresh.externalId}`)).toBe(1);
  });

  it("recovers each stale payload once when two servers recover at the same time, and honours claims", async () => {
    const one = buildIngest(ctx.database).ingest;
    const two = buildIngest(ctx.database).ingest;
    const ids: Array<string | number> = [];
    for (let i = 0; i < 30; i++) {
      // Malformed, so each recovery writes a dead letter: a second recovery of a row would show twice.
      const [row] = await ctx.database.rows<{ id: string | number }>(sql`
        INSERT INTO raw_events (source, format, channel_key, payload, received_at)
        VALUES ('webhook:test', 'canonical', 'claim-test', ${JSON.stringify({ channel: "claim-test", n: i })}::json,
          now() - interval '1 hour')
        RETURNING id`);
      ids.push(row!.id);
    }
    const ours = sql`raw_event_id IN (SELECT id FROM raw_events WHERE channel_key = 'claim-test')`;
    // One of them was claimed a moment ago by a server that is still on it.
    await ctx.database.rows(sql`UPDATE raw_events SET recovery_claimed_at = now() WHERE id = ${ids[0]!}`);
    const [a, b] = await Promise.all([one.recoverPending(), two.recoverPending()]);
    expect(a + b).toBeGreaterThanOrEqual(29);
    expect(await count("dead_letters", ours)).toBe(29);
    expect(await count("dead_letters", sql`raw_event_id = ${ids[0]!}`)).toBe(0);
    // That server died too: once its claim is stale, the payload is recovered.
    await ctx.database.rows(
      sql`UPDATE raw_events SET recovery_claimed_at = now() - interval '1 hour' WHERE id = ${ids[0]!}`,
    );
    await one.recoverPending();
    expect(await count("dead_letters", ours)).toBe(30);
  });
});
