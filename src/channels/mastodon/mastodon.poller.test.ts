/**
 * The Mastodon channel end to end against the local simulator, on both engines: the real poll loop
 * (ChannelPollers → stream + REST catch-up → ingest pipeline) and the real outbox (worker → send).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../../../test/helpers/engines.ts";
import { buildAgent } from "../../../test/helpers/factories.ts";
import { createWorker } from "../../jobs/index.ts";
import type { Services } from "../../services/container.ts";
import { channelRepository } from "../../store/channel.repository.ts";
import type { MastodonCursor } from "./mastodon.poller.ts";
import { MastodonSuite, WAIT } from "./mastodon.sim-harness.ts";
import { MastodonSimulator, type SimAccount, type SimStatus } from "./mastodon.simulator.ts";

describeEachEngine("Mastodon against the simulator", (ctx) => {
  const suite = new MastodonSuite(ctx);
  const { sim, box, connectors, logs, ingested } = suite;
  let services: Services;
  let channelId: string;
  let ana: SimAccount;
  let ben: SimAccount;

  const startPollers = () => suite.start();
  const message = async (externalId: string) =>
    (
      await ctx.database.rows<{
        id: string;
        conversation_id: string;
        text: string;
        visibility: string;
        edited_at: string | null;
        deleted_at: string | null;
      }>(sql`SELECT id, conversation_id, text, visibility, edited_at::text, deleted_at::text
             FROM messages WHERE external_id = ${externalId}`)
    )[0];
  const arrived = (status: SimStatus) =>
    expect.poll(async () => (await message(status.id))?.id, WAIT).toBeTruthy();
  const count = async (ids: string[]) =>
    (
      await ctx.database.rows<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM messages WHERE external_id IN (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )})`,
      )
    )[0]!.n;
  const cursor = async () =>
    (await channelRepository(ctx.database.db).get(channelId))!.cursor as MastodonCursor;
  const reply = async (conversationId: string, text: string) => {
    const agent = await buildAgent(ctx.database.db, { name: "Maria Lopez" });
    const { messageId } = await services.replies.reply(
      conversationId,
      { id: agent.id, name: agent.name, signature: null },
      text,
      { acknowledgeWarnings: true },
    );
    await createWorker(
      { database: ctx.database, events: services.events, connectors, secrets: box },
      { concurrency: 1 },
    ).drain();
    return (
      await ctx.database.rows<{
        delivery_status: string;
        delivery_error: string | null;
        external_id: string;
      }>(sql`SELECT delivery_status, delivery_error, external_id FROM messages WHERE id = ${messageId}`)
    )[0]!;
  };

  beforeAll(async () => {
    ({ services, channelId } = await suite.setUp());
    ana = sim.addAccount("ana", { displayName: "Ana Ruiz", followers: 120 });
    ben = sim.addAccount("ben", { displayName: "Ben Okafor", domain: "social.example", followers: 3 });
  });
  afterAll(async () => {
    await suite.tearDown();
  });

  it("backfills on the first start, then streams new mentions live; a favourite is not a message", async () => {
    const before = sim.post(ana, "@northwind is the 8:15 to Leeds running today?");
    await startPollers();
    await arrived(before);
    // The cursor is stored after the batch is ingested, so it may follow the message by a moment.
    await expect.poll(cursor, WAIT).toMatchObject({ notifications: sim.notifications.at(-1)!.id });
    const live = sim.post(ana, "@northwind it's 8:40 and still nothing on the board");
    await arrived(live);
    expect(ingested.find((i) => (i.data as { event?: string }).event === "notification")?.via).toBe(
      "mastodon:stream",
    );
    sim.favourite(ana, live.id);
    await expect
      .poll(
        async () =>
          (
            await ctx.database.rows<{ n: number }>(
              sql`SELECT count(*)::int AS n FROM raw_events WHERE status = 'ignored'`,
            )
          )[0]!.n,
        WAIT,
      )
      .toBeGreaterThan(0);
    const m = await message(live.id);
    expect(m).toMatchObject({
      visibility: "public",
      text: `@northwind@${sim.domain} it's 8:40 and still nothing on the board`,
    });
    expect(m!.conversation_id).not.toBe((await message(before.id))!.conversation_id);
  });

  it("a public reply mentions the person in thread; their answer joins the same conversation", async () => {
    const mention = sim.statuses.values().next().value!;
    const m = (await message(mention.id))!;
    const sent = await reply(m.conversation_id, "Yes, it runs on time today.");
    expect(sent).toMatchObject({ delivery_status: "sent", delivery_error: null });
    const ours = sim.statuses.get(sent.external_id)!;
    expect(ours).toMatchObject({ visibility: "public", in_reply_to_id: mention.id });
    expect(MastodonSimulator.text(ours)).toMatch(/^@ana Yes, it runs on time today\./);
    const answer = sim.post(ana, "@northwind thanks!", { inReplyToId: ours.id });
    await arrived(answer);
    expect((await message(answer.id))!.conversation_id).toBe(m.conversation_id);
  });

  it("a DM is a private conversation, and the reply stays direct", async () => {
    const dm = sim.post(ben, "@northwind my refund for booking 48213 has not arrived", {
      visibility: "direct",
    });
    await arrived(dm);
    const m = (await message(dm.id))!;
    expect(m.visibility).toBe("private");
    const sent = await reply(m.conversation_id, "Sorry Ben, I am checking booking 48213 now.");
    expect(sent.delivery_status).toBe("sent");
    const ours = sim.statuses.get(sent.external_id)!;
    expect(ours.visibility).toBe("direct");
    expect(ours.in_reply_to_id).toBe(dm.id);
    // Shown as "@ben" like on Mastodon; the mention itself names ben@social.example.
    expect(MastodonSimulator.text(ours)).toMatch(/^@ben Sorry Ben/);
    expect(ours.mentions.map((x) => x.acct)).toEqual(["ben@social.example"]);
  });

  it("a photo is downloaded from the server's copy and kept with the message", async () => {
    const photo = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
    const status = sim.post(ana, "@northwind this is how my parcel arrived", {
      media: [
        {
          type: "image",
          description: "a crushed box",
          file: "crushed.png",
          bytes: photo,
          contentType: "image/png",
        },
      ],
    });
    await arrived(status);
    const id = (await message(status.id))!.id;
    const file = async () =>
      (
        await ctx.database.rows<{ content: Buffer | Uint8Array | null; size: number; content_type: string }>(
          sql`SELECT content, size, content_type FROM attachments WHERE message_id = ${id}`,
        )
      )[0]!;
    expect((await file()).content).toBeNull();
    // The simulator listens on 127.0.0.1: refused as a private address unless the operator allows it.
    await createWorker({ database: ctx.database, events: services.events, connectors, secrets: box }).drain();
    expect(await file()).toMatchObject({ content: null, size: 0 });
    const [refused] = await ctx.database.rows<{ fetch_error: string }>(
      sql`SELECT fetch_error FROM attachments WHERE message_id = ${id}`,
    );
    expect(refused!.fetch_error).toMatch(/^refused: 127\.0\.0\.1.*private address/);
    await ctx.database.db.execute(sql`UPDATE attachments SET fetch_error = NULL WHERE message_id = ${id}`);
    await ctx.database.db.execute(
      sql`INSERT INTO jobs (queue, payload) VALUES ('attachments.fetch', ${JSON.stringify({ messageId: id })}::jsonb)`,
    );
    await createWorker({
      database: ctx.database,
      events: services.events,
      connectors,
      secrets: box,
      media: { allowPrivateAddresses: true },
    }).drain();
    const stored = await file();
    expect(Buffer.from(stored.content!)).toEqual(photo);
    expect(stored).toMatchObject({ size: photo.length, content_type: "image/png" });
  });

  it("a dropped stream resumes from the cursor: what was missed arrives once, over REST", async () => {
    sim.hold();
    const missed = [
      sim.post(ana, "@northwind one more question"),
      sim.post(ben, "@northwind hello again", { visibility: "direct" }),
    ];
    sim.discardHeld(); // never delivered, as if the connection were down
    sim.dropStreams();
    for (const s of missed) await arrived(s);
    for (const s of missed)
      expect(ingested.some((i) => i.via === "mastodon:rest" && JSON.stringify(i.data).includes(s.id))).toBe(
        true,
      );
    expect(await count(missed.map((s) => s.id))).toBe(2);
    await expect.poll(() => sim.streamCount, WAIT).toBe(1);
    await expect.poll(async () => (await cursor()).notifications, WAIT).toBe(sim.notifications.at(-1)!.id);
  });

  it("a stream that silently stops answering is noticed by its pings, and resumed", async () => {
    sim.freezeStreams();
    const meanwhile = sim.post(ana, "@northwind anyone?");
    await arrived(meanwhile);
    expect(logs.some((l) => l.includes("stopped answering pings"))).toBe(true);
  });

  it("a restart resumes from the saved cursor without reading old pages again", async () => {
    await suite.stop();
    const saved = await cursor();
    const whileDown = [
      sim.post(ana, "@northwind are you there?"),
      sim.post(ben, "@northwind ping", { visibility: "direct" }),
    ];
    const mark = sim.requests.length;
    await startPollers();
    for (const s of whileDown) await arrived(s);
    const notificationReads = sim.requests
      .slice(mark)
      .filter((r) => r.startsWith("GET /api/v1/notifications"));
    expect(notificationReads[0]).toContain(`min_id=${saved.notifications}`);
    const all = [...sim.statuses.values()].filter((s) => s.account.id !== sim.self.id).map((s) => s.id);
    expect(await count(all)).toBe(all.length);
  });

  it("reordered and duplicated stream events end in the right state", async () => {
    sim.hold();
    const edited = sim.post(ana, "@northwind my train was late");
    sim.edit(edited.id, "@northwind my train was 40 minutes late, refund please");
    const deleted = sim.post(ben, "@northwind wrong account, sorry");
    sim.remove(deleted.id);
    sim.release({ reverse: true, duplicate: true });
    await expect.poll(async () => (await message(edited.id))?.text, WAIT).toMatch(/40 minutes late/);
    await expect.poll(async () => (await message(deleted.id))?.deleted_at, WAIT).toBeTruthy();
    expect((await message(edited.id))!.edited_at).toBeTruthy();
    expect(await count([edited.id, deleted.id])).toBe(2);
  });

  it("429s wait for Retry-After, 5xx are retried, and nothing is lost", async () => {
    sim.inject({
      method: "GET",
      path: "/api/v1/notifications",
      status: 429,
      headers: { "retry-after": "1" },
      body: { error: "Too many requests" },
    });
    sim.inject({ method: "GET", path: "/api/v1/conversations", status: 503, times: 2 });
    sim.hold();
    const s = sim.post(ana, "@northwind during the outage");
    sim.discardHeld();
    sim.dropStreams();
    await arrived(s);
    expect(logs.some((l) => /waiting 1\.0 s: rate limited \(429\)/.test(l))).toBe(true);
    await expect.poll(() => logs.some((l) => /503 on GET \/api\/v1\/conversations/.test(l)), WAIT).toBe(true);
  });

  it("falls back to REST polling when the stream is refused", async () => {
    sim.streaming = false;
    sim.dropStreams();
    await expect.poll(() => logs.some((l) => l.includes("streaming unavailable")), WAIT).toBe(true);
    const s = sim.post(ana, "@northwind polling works too");
    await arrived(s);
    expect(sim.streamCount).toBe(0);
    sim.streaming = true;
  });

  it("a reply to a deleted post fails for good, with the reason", async () => {
    const s = sim.post(ana, "@northwind question about seats");
    await arrived(s);
    const m = (await message(s.id))!;
    sim.remove(s.id);
    const gone = await reply(m.conversation_id, "Seats are free to choose.");
    expect(gone.delivery_status).toBe("failed");
    expect(gone.delivery_error).toMatch(/no longer exists/);
  });
});
