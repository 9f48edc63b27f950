/**
 * Bluesky end to end on the local simulator, through the real pipeline, on both engines: Jetstream
 * resume after a dropped stream and after a restart (nothing lost, nothing twice), reordered and
 * duplicated events, the network's noise (the real capture) filtered out, deletions, notifications
 * through 429s and 5xx, session refresh, DMs in and out, and a public reply with root/parent and facets.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../../../test/helpers/engines.ts";
import { buildAgent } from "../../../test/helpers/factories.ts";
import { createWorker } from "../../jobs/index.ts";
import { createServices, type Services } from "../../services/container.ts";
import { SecretBox } from "../../services/secrets.ts";
import { channelRepository } from "../../store/channel.repository.ts";
import { ChannelPollers } from "../pollers.ts";
import { ConnectorRegistry } from "../registry.ts";
import { blueskyConnector } from "./bluesky.connector.ts";
import type { BlueskyPollOptions } from "./bluesky.poller.ts";
import { BlueskySimulator } from "./bluesky.simulator.ts";
import { captureEvents } from "./bluesky.test-support.ts";

describeEachEngine("Bluesky on the simulator", (ctx) => {
  // Access tokens live 1.5 s: the agent must refresh its session during the suite.
  const sim = new BlueskySimulator({ accessTtlMs: 1_500 });
  const box = new SecretBox(Buffer.alloc(32, 5));
  // Post images come from the simulator's CDN path once it listens (set in beforeAll).
  const pollOptions: BlueskyPollOptions = { pollMs: 150, backoff: () => 100, rewindUs: 2_000_000 };
  const connectors = new ConnectorRegistry([blueskyConnector(pollOptions)]);
  const warnings: string[] = [];
  const log = { info() {}, warn: (m: string) => void warnings.push(m) };
  let services: Services;
  const pollers = () =>
    new ChannelPollers({ database: ctx.database, connectors, secrets: box, log, ingest: services.ingest });

  const messageBy = async (externalId: string) =>
    (
      await ctx.database.rows<{
        id: string;
        conversation_id: string;
        deleted_at: Date | null;
        visibility: string;
        text: string;
      }>(
        sql`SELECT id, conversation_id, deleted_at, visibility, text FROM messages WHERE external_id = ${externalId}`,
      )
    )[0];
  const arrived = (externalId: string) =>
    expect
      .poll(async () => (await messageBy(externalId))?.id, { timeout: 20_000, interval: 100 })
      .toBeTruthy();
  const count = async (channelKey: string) =>
    (
      await ctx.database.rows<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM messages m JOIN channels c ON c.id = m.channel_id WHERE c.key = ${channelKey}`)
    )[0]!.n;
  const createChannel = async (
    key: string,
    handle: string,
    config: Record<string, unknown>,
    privileged = true,
  ) =>
    (await channelRepository(ctx.database.db).create({
      key,
      kind: "bluesky",
      platform: "bluesky",
      name: key,
      config: { service: sim.url, handle, ...config },
      secrets: box.seal({ appPassword: sim.createAppPassword(handle, privileged) }),
    }))!;

  beforeAll(async () => {
    await sim.start();
    pollOptions.imageHost = sim.url;
    for (const h of ["care.test", "shop.test", "quiet.test", "ada.test", "bob.test", "photo.test"])
      sim.createAccount(h);
    services = createServices(ctx.database);
    connectors.registerFormats(services.normalizers);
  });
  afterAll(() => sim.stop());

  it("follows Jetstream through drops, duplicates, reordering and a restart: each mention stored once", async () => {
    await createChannel("bsky-stream", "care.test", {
      jetstreamUrl: sim.jetstreamUrl,
      directMessages: false,
    });
    // Notifications are down the whole time (5xx): everything below comes through Jetstream.
    sim.fail("app.bsky.notification.listNotifications", 503, { times: 100_000 });
    const first = pollers();
    expect(await first.start()).toBe(1);
    await expect.poll(() => sim.openStreams, { timeout: 20_000 }).toBe(1);

    sim.inject(captureEvents()); // the rest of the network: likes, follows, strangers' posts
    const m1 = sim.post("ada.test", "@care.test where is order 48213?");
    await arrived(m1.uri);

    sim.stream.duplicate = true;
    sim.stream.reorder = true;
    const m2 = sim.post("bob.test", "@care.test the app logs me out 🙁");
    const m3 = sim.post("ada.test", "@care.test any news?", { replyTo: m1.uri });
    sim.flush();
    await arrived(m2.uri);
    await arrived(m3.uri);
    sim.stream.duplicate = false;
    sim.stream.reorder = false;
    // A reply continues the person's conversation.
    expect((await messageBy(m3.uri))!.conversation_id).toBe((await messageBy(m1.uri))!.conversation_id);

    sim.dropStreams();
    const m4 = sim.post("bob.test", "@care.test hello? 👋"); // while disconnected
    await arrived(m4.uri);
    await expect.poll(() => sim.openStreams, { timeout: 20_000 }).toBe(1);

    await first.stop();
    const m5 = sim.post("ada.test", "@care.test written while you were down");
    sim.deletePost(m2.uri);
    const second = pollers();
    await second.start();
    await arrived(m5.uri);
    await expect.poll(async () => (await messageBy(m2.uri))?.deleted_at, { timeout: 20_000 }).toBeTruthy();
    await second.stop();

    expect(await count("bsky-stream")).toBe(5);
    const [dead] = await ctx.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM dead_letters`);
    expect(dead!.n).toBe(0);
    // Strangers' posts in the capture were never stored; the cursor was saved.
    const [stranger] = await ctx.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM raw_events WHERE payload::text LIKE ${"%did:plc:amnbije7mr5g3pgxuun7q44o%"}`,
    );
    expect(stranger!.n).toBe(0);
    const channel = await channelRepository(ctx.database.db).byKey("bsky-stream");
    expect((channel!.cursor as { jetstream?: number }).jetstream).toBeGreaterThan(0);
    expect(warnings.some((w) => /Reading notifications failed: Bluesky 503/.test(w))).toBe(true);
    sim.clearFailures("app.bsky.notification.listNotifications");
  });

  it("downloads a mention's photo from the image CDN and keeps it with the message", async () => {
    await createChannel("bsky-photo", "photo.test", { directMessages: false });
    const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
    const reader = pollers();
    await reader.start();
    const post = sim.post("bob.test", "@photo.test the mug arrived broken", {
      images: [{ bytes: photo, alt: "a broken mug" }],
    });
    await arrived(post.uri);
    await reader.stop();
    // The later tests count the simulator's calls: this channel is not polled again.
    await ctx.database.db.execute(sql`UPDATE channels SET paused_at = now() WHERE key = 'bsky-photo'`);
    const id = (await messageBy(post.uri))!.id;
    await createWorker({
      database: ctx.database,
      events: services.events,
      connectors,
      media: { allowPrivateAddresses: true },
    }).drain();
    const [file] = await ctx.database.rows<{
      content: Uint8Array | null;
      content_type: string;
      source_url: string;
    }>(sql`SELECT content, content_type, source_url FROM attachments WHERE message_id = ${id}`);
    expect(file!.source_url).toMatch(
      new RegExp(`^${sim.url}/img/feed_fullsize/plain/did:plc:[a-z0-9]+/bafkrei[0-9a-f]+@jpeg$`),
    );
    expect(Buffer.from(file!.content!)).toEqual(photo);
    expect(file!.content_type).toBe("image/jpeg");
  });

  it("reads notifications through a 429 (waiting for ratelimit-reset) and 5xx errors", async () => {
    await createChannel("bsky-notify", "shop.test", { directMessages: false });
    sim.fail("app.bsky.notification.listNotifications", 429, { resetInSeconds: 1 });
    sim.fail("app.bsky.notification.listNotifications", 500, { times: 2 });
    const mention = sim.post("ada.test", "@shop.test is the sale still on?");
    const poller = pollers();
    await poller.start();
    await arrived(mention.uri);
    await poller.stop();
    // An access token lives 1.5 s here, so the wait for the reset may end with one expired-token answer and
    // a refresh: that is the session's business, not this test's.
    const statuses = sim.calls
      .filter((c) => c.nsid === "app.bsky.notification.listNotifications" && c.error !== "ExpiredToken")
      .map((c) => c.status);
    expect(statuses.slice(statuses.indexOf(429), statuses.indexOf(429) + 4)).toEqual([429, 500, 500, 200]);
    expect(warnings.some((w) => /Bluesky rate limit \(429 RateLimitExceeded.*it resets at/.test(w))).toBe(
      true,
    );
  });

  it("answers a mention with reply.root/parent and facets, and a DM by DM, refreshing the session", async () => {
    const channel = await createChannel("bsky-care", "quiet.test", { directMessages: true });
    const root = sim.post("ada.test", "@quiet.test my parcel is lost");
    const poller = pollers();
    await poller.start();
    await arrived(root.uri);
    const dm = sim.sendDm("bob.test", "quiet.test", "Can I change my delivery address? Заказ 7731 🙏");
    const dmId = `chat:${dm.convoId}:${dm.messageId}`;
    await arrived(dmId);
    expect((await messageBy(dmId))!).toMatchObject({
      visibility: "private",
      text: "Can I change my delivery address? Заказ 7731 🙏",
    });

    await new Promise((r) => setTimeout(r, 1_600)); // the access token expires
    const agent = await buildAgent(ctx.database.db, { name: "Maria Lopez" });
    const author = { id: agent.id, name: agent.name, signature: null };
    const publicReply = await services.replies.reply(
      (await messageBy(root.uri))!.conversation_id,
      author,
      "Sorry @ada.test! Track it at https://northwind.example/track/48213 — we have opened a claim.",
      { acknowledgeWarnings: true },
    );
    const privateReply = await services.replies.reply(
      (await messageBy(dmId))!.conversation_id,
      author,
      "Yes — send me the new address here.",
      {
        acknowledgeWarnings: true,
      },
    );
    await createWorker(
      { database: ctx.database, events: services.events, connectors, secrets: box },
      { concurrency: 1 },
    ).drain();
    await poller.stop();

    const sent = await ctx.database.rows<{
      id: string;
      delivery_status: string;
      delivery_error: string | null;
      external_id: string;
    }>(
      sql`SELECT id, delivery_status, delivery_error, external_id FROM messages WHERE id IN (${publicReply.messageId}, ${privateReply.messageId})`,
    );
    for (const m of sent) expect(m).toMatchObject({ delivery_status: "sent", delivery_error: null });
    const post = sim.record(sent.find((m) => m.id === publicReply.messageId)!.external_id)!;
    expect(post.value.reply).toEqual({ root, parent: root });
    const text = post.value.text as string;
    const byteOf = (s: string) => Buffer.byteLength(text.slice(0, text.indexOf(s)), "utf8");
    expect(post.value.facets).toEqual([
      {
        $type: "app.bsky.richtext.facet",
        index: { byteStart: byteOf("@ada.test"), byteEnd: byteOf("@ada.test") + 9 },
        features: [{ $type: "app.bsky.richtext.facet#mention", did: sim.account("ada.test").did }],
      },
      {
        index: {
          byteStart: byteOf("https://"),
          byteEnd: byteOf("https://") + "https://northwind.example/track/48213".length,
        },
        features: [{ $type: "app.bsky.richtext.facet#link", uri: "https://northwind.example/track/48213" }],
      },
    ]);
    const dmExternal = sent.find((m) => m.id === privateReply.messageId)!.external_id;
    expect(dmExternal).toMatch(new RegExp(`^chat:${dm.convoId}:`));
    expect(sim.chatMessages(dm.convoId).map((m) => m.text)).toEqual([
      "Can I change my delivery address? Заказ 7731 🙏",
      expect.stringMatching(/^Yes — send me the new address here\./),
    ]);
    expect(sim.calls.some((c) => c.nsid === "com.atproto.server.refreshSession" && c.status === 200)).toBe(
      true,
    );
    expect(
      sim.calls
        .filter((c) => c.nsid.startsWith("chat."))
        .every((c) => c.proxy === "did:web:api.bsky.chat#bsky_chat"),
    ).toBe(true);
    expect(channel.id).toBeTruthy();
  });

  it("reports clearly when the app password cannot read DMs, and keeps reading mentions", async () => {
    sim.createAccount("nodm.test");
    await createChannel("bsky-nodm", "nodm.test", { directMessages: true }, false);
    const mention = sim.post("bob.test", "@nodm.test hi");
    const poller = pollers();
    await poller.start();
    await arrived(mention.uri);
    await expect
      .poll(() => warnings.find((w) => w.includes("[bsky-nodm] Direct messages are not read")), {
        timeout: 20_000,
      })
      .toMatch(/no access to direct messages.*Allow access to your direct messages/);
    await poller.stop();
  });
});
