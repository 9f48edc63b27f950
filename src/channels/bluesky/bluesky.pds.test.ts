/**
 * Against a real PDS (@atproto/dev-env's TestNetworkNoAppView: PLC + PDS in-process, offline): signing in
 * with an app password, reading the post answered (getRecord), and posting replies — threaded with the
 * right reply.root/parent (uri + cid), mentions resolved to DIDs, links, a long reply split into a
 * thread — then reading them back from the PDS. It has no AppView and no chat service: notifications,
 * Jetstream and DMs are tested on the simulator (bluesky.poller.test.ts).
 */
import { AtpAgent } from "@atproto/api";
import { TestNetworkNoAppView } from "@atproto/dev-env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SendInput } from "../../core/outbound.ts";
import { testBlueskyConnection } from "./bluesky.check.ts";
import { sendBluesky } from "./bluesky.outbound.ts";
import { graphemeLength } from "./bluesky.richtext.ts";

describe("Bluesky replies on a real PDS (dev-env)", () => {
  let network: TestNetworkNoAppView;
  let appPassword: string;
  let ada: AtpAgent;
  let careDid: string;
  let adaDid: string;

  beforeAll(async () => {
    network = await TestNetworkNoAppView.create({});
    const seed = network.getSeedClient();
    await seed.createAccount("care", {
      email: "care@test.com",
      handle: "care.test",
      password: "care-main-pass",
    });
    await seed.createAccount("ada", { email: "ada@test.com", handle: "ada.test", password: "ada-pass" });
    careDid = seed.dids.care!;
    adaDid = seed.dids.ada!;
    const care = new AtpAgent({ service: network.pds.url });
    await care.login({ identifier: "care.test", password: "care-main-pass" });
    appPassword = (await care.com.atproto.server.createAppPassword({ name: "rapport" })).data.password;
    ada = new AtpAgent({ service: network.pds.url });
    await ada.login({ identifier: "ada.test", password: "ada-pass" });
  });
  afterAll(() => network?.close());

  let sends = 0;
  const input = (
    text: string,
    replyTo: string | null,
    message: { id: string; createdAt: Date } = { id: `m-${++sends}`, createdAt: new Date() },
  ): SendInput => ({
    channel: {
      id: "c",
      key: "bsky",
      kind: "bluesky",
      platform: "bluesky",
      name: "Northwind",
      config: { service: network.pds.url, handle: "care.test" },
      secrets: { appPassword },
    },
    conversation: {
      id: "v",
      threadKey: "t",
      visibility: "public",
      subject: null,
      recipient: { externalId: adaDid, handle: "ada.test", displayName: "Ada" },
    },
    message: { ...message, text, visibility: "public", authorName: "Maria" },
    replyToExternalId: replyTo,
  });
  const read = async (uri: string) => {
    const [, , repo, collection, rkey] = uri.split("/");
    return (await ada.com.atproto.repo.getRecord({ repo: repo!, collection: collection!, rkey: rkey! })).data;
  };

  it("signs in with the app password and reports each step", async () => {
    const checks = await testBlueskyConnection({
      key: "bsky",
      kind: "bluesky",
      name: "N",
      config: { service: network.pds.url, handle: "care.test", directMessages: false },
      secrets: { appPassword },
    });
    expect(checks[0]).toMatchObject({ service: "account", ok: true });
    expect(checks[0]!.message).toContain(careDid);
    const wrong = await testBlueskyConnection({
      key: "bsky",
      kind: "bluesky",
      name: "N",
      config: { service: network.pds.url, handle: "care.test", directMessages: false },
      secrets: { appPassword: "aaaa-bbbb-cccc-dddd" },
    });
    expect(wrong[0]).toMatchObject({ service: "account", ok: false, step: "auth" });
    expect(wrong[0]!.message).toMatch(/Invalid identifier or password/);
    const unknown = await testBlueskyConnection({
      key: "bsky",
      kind: "bluesky",
      name: "N",
      config: { service: network.pds.url, handle: "nobody.test", directMessages: false },
      secrets: { appPassword },
    });
    expect(unknown[0]).toMatchObject({ service: "account", ok: false, step: "resolve" });
  });

  it("replies deep in a thread with the thread's root and the answered post as parent, with facets", async () => {
    const root = await ada.post({
      text: "My order 48213 never arrived 😡",
      createdAt: new Date().toISOString(),
    });
    const mid = await ada.post({
      text: "Still nothing, día 12 sin respuesta",
      reply: { root, parent: root },
      createdAt: new Date().toISOString(),
    });
    const sent = await sendBluesky(
      input("Lo sentimos @ada.test 🙏 — track it at https://northwind.example/t/48213", mid.uri),
    );
    const reply = await read(sent.externalId);
    const value = reply.value as { text: string; reply: unknown; facets: unknown[] };
    expect(value.reply).toEqual({
      root: { uri: root.uri, cid: root.cid },
      parent: { uri: mid.uri, cid: mid.cid },
    });
    const bytes = (s: string) => Buffer.byteLength(value.text.slice(0, value.text.indexOf(s)), "utf8");
    expect(value.facets).toEqual([
      {
        $type: "app.bsky.richtext.facet",
        index: { byteStart: bytes("@ada.test"), byteEnd: bytes("@ada.test") + 9 },
        features: [{ $type: "app.bsky.richtext.facet#mention", did: adaDid }],
      },
      {
        index: { byteStart: bytes("https://"), byteEnd: bytes("https://") + 33 },
        features: [{ $type: "app.bsky.richtext.facet#link", uri: "https://northwind.example/t/48213" }],
      },
    ]);
    expect(sent.externalId.startsWith(`at://${careDid}/app.bsky.feed.post/`)).toBe(true);
  });

  it("splits a long reply into a thread of posts of at most 300 graphemes", async () => {
    const root = await ada.post({ text: "Why was I charged twice?", createdAt: new Date().toISOString() });
    const long = `${"We checked your account and found the second charge — it is a pre-authorisation that your bank releases on its own. ".repeat(6)}Sorry for the worry!`;
    const sent = await sendBluesky(input(long, root.uri));
    const first = await read(sent.externalId);
    const listed = await ada.com.atproto.repo.listRecords({
      repo: careDid,
      collection: "app.bsky.feed.post",
      limit: 100,
    });
    const parts = listed.data.records
      .filter((r) => (r.value as { reply?: { root: { uri: string } } }).reply?.root.uri === root.uri)
      .map((r) => r.value as { text: string; reply: { parent: { uri: string } } });
    expect(parts.length).toBe(3);
    for (const p of parts) expect(graphemeLength(p.text)).toBeLessThanOrEqual(300);
    expect((first.value as { reply: { parent: { uri: string } } }).reply.parent.uri).toBe(root.uri);
    expect(
      parts
        .map((p) => p.text)
        .sort()
        .join(" ").length,
    ).toBeGreaterThan(long.length - 10);
  });

  it("refuses to answer a deleted post, permanently, with the PDS's words", async () => {
    const gone = await ada.post({ text: "never mind", createdAt: new Date().toISOString() });
    await ada.deletePost(gone.uri);
    await expect(sendBluesky(input("Glad it worked out!", gone.uri))).rejects.toMatchObject({
      name: "SendError",
      retryable: false,
      message: expect.stringMatching(/no longer exists.*Could not locate record/),
    });
  });

  it("a retried send posts nothing twice: neither a whole reply, nor the parts of a half-posted thread", async () => {
    const root = await ada.post({ text: "Was I charged twice or not?", createdAt: new Date().toISOString() });
    const long = `${"The second line on your statement is a hold that your bank lifts by itself within a few days. ".repeat(7)}Sorry!`;
    const message = { id: "retried-reply", createdAt: new Date() };
    const threadOf = async () =>
      (
        await ada.com.atproto.repo.listRecords({
          repo: careDid,
          collection: "app.bsky.feed.post",
          limit: 100,
        })
      ).data.records.filter(
        (r) => (r.value as { reply?: { root: { uri: string } } }).reply?.root.uri === root.uri,
      );
    const sent = await sendBluesky(input(long, root.uri, message));
    const posted = await threadOf();
    expect(posted.length).toBe(3);
    // The worker died before recording the send: the job runs again.
    expect(await sendBluesky(input(long, root.uri, message))).toEqual(sent);
    expect((await threadOf()).map((r) => r.uri).sort()).toEqual(posted.map((r) => r.uri).sort());
    // Only the first parts made it (the last was never posted): the retry posts the missing one only.
    const last = posted.find(
      (r) =>
        !posted.some((p) => (p.value as { reply: { parent: { uri: string } } }).reply.parent.uri === r.uri),
    )!;
    const care = new AtpAgent({ service: network.pds.url });
    await care.login({ identifier: "care.test", password: "care-main-pass" });
    await care.deletePost(last.uri);
    expect((await threadOf()).length).toBe(2);
    expect(await sendBluesky(input(long, root.uri, message))).toEqual(sent);
    const after = await threadOf();
    expect(after.length).toBe(3);
    expect(after.map((r) => r.uri)).toContain(last.uri);
  });
});
