import { describe, expect, it } from "vitest";
import type { InboundMessage } from "../../core/inbound.ts";
import { concernsAccount, type JetstreamEvent, parseBluesky } from "./bluesky.inbound.ts";
import { facetHtml, graphemeLength, splitText } from "./bluesky.richtext.ts";
import {
  CAPTURE,
  captureEvents,
  captureMissingReason,
  hasCapture,
  jetstreamPayload,
  TEST_ACCOUNT,
} from "./bluesky.test-support.ts";

if (!hasCapture) console.warn(captureMissingReason);

const messageOf = (payload: unknown): InboundMessage => {
  const result = parseBluesky(payload);
  if (!result.ok || !("message" in result)) throw new Error(`not a message: ${JSON.stringify(result)}`);
  return result.message;
};

describe.skipIf(!hasCapture)(`the real Jetstream capture (${CAPTURE})`, () => {
  const events = captureEvents();
  const results = events.map((e) => ({ event: e, result: parseBluesky(jetstreamPayload("bsky", e)) }));

  it("parses every event or ignores it with a reason; none is a dead letter", () => {
    expect(events.length).toBe(80);
    for (const { event, result } of results)
      expect(result.ok, JSON.stringify(event).slice(0, 200)).toBe(true);
    const counts: Record<string, number> = {};
    for (const { result } of results) {
      const kind = !result.ok
        ? "dead"
        : "message" in result
          ? result.message.inReplyToExternalId
            ? "reply"
            : "post"
          : "change" in result
            ? `change:${result.change.change}`
            : `ignored:${result.ignored}`;
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    expect(counts).toEqual({
      post: 6,
      reply: 4,
      "change:delete": 1,
      "ignored:a like (create)": 54,
      "ignored:a repost (create)": 8,
      "ignored:a follow (create)": 1,
      "ignored:a follow removed": 2,
      "ignored:a block (create)": 1,
      "ignored:a fm.teal.alpha.actor.status record, not a post (update)": 1,
      "ignored:an identity event (handle or DID document)": 1,
      "ignored:an account status event": 1,
    });
  });

  it("keeps multilingual text exactly, with the author's DID and the post's at:// URI", () => {
    const japanese = events.find((e) => e.commit?.rkey === "3mptbyqhi7s2f")!;
    const m = messageOf(jetstreamPayload("bsky", japanese));
    expect(m.text).toBe(
      "待って天幕のジャードゥーガル観ようと思ってたのに今日だったの知らなかった……ネトフリでも観られるっぽいよかった💦",
    );
    expect(m).toMatchObject({
      externalId: "at://did:plc:amnbije7mr5g3pgxuun7q44o/app.bsky.feed.post/3mptbyqhi7s2f",
      direction: "in",
      visibility: "public",
      createdAt: "2026-07-04T14:38:08.420Z",
      author: {
        externalId: "did:plc:amnbije7mr5g3pgxuun7q44o",
        profileUrl: "https://bsky.app/profile/did:plc:amnbije7mr5g3pgxuun7q44o",
      },
    });
    const russian = messageOf(
      jetstreamPayload(
        "bsky",
        events.find((e) => e.commit?.rkey === "3mptbxs3hq22j"),
      ),
    );
    expect(russian.text).toBe(
      "Вечерок с Аватаром, дошли и в мульте до Тоф 😍🔥\n\nТакая крутышка, я не могу :",
    );
    expect(russian.attachments).toEqual([
      {
        filename: "image-1.jpeg",
        contentType: "image/jpeg",
        size: 1997139,
        contentBase64: null,
        // Downloaded in the background from Bluesky's CDN, by the author's DID and the blob's CID.
        url: "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:6aw7u7xjbaiznddugigmdhvc/bafkreicwsq23gkygrgpijv7ocssxdyjokfv3quss3f2dg4csds3jpeqkwe@jpeg",
      },
    ]);
  });

  it("threads replies by root and person, with the parent as reply-to", () => {
    const reply = messageOf(
      jetstreamPayload(
        "bsky",
        events.find((e) => e.commit?.rkey === "3mptbyoumc22i"),
      ),
    );
    expect(reply.inReplyToExternalId).toBe(
      "at://did:plc:u4lmvw4wwzaql3z5kcf3r7h4/app.bsky.feed.post/3mptbyou7ls2i",
    );
    expect(reply.threadExternalId).toBe(
      "at://did:plc:u4lmvw4wwzaql3z5kcf3r7h4/app.bsky.feed.post/3mptbyospqk2i|did:plc:u4lmvw4wwzaql3z5kcf3r7h4",
    );
    // The thread's first post (the root) lands in the same conversation.
    const root = messageOf(
      jetstreamPayload(
        "bsky",
        events.find((e) => e.commit?.rkey === "3mptbyospqk2i"),
      ),
    );
    expect(root.threadExternalId).toBe(reply.threadExternalId);
  });

  it("turns link facets into full links (byte offsets are UTF-8) and keeps the shortened text", () => {
    const m = messageOf(
      jetstreamPayload(
        "bsky",
        events.find((e) => e.commit?.rkey === "3mptbyo7tas2u"),
      ),
    );
    expect(m.text).toContain("www.tumblr.com/tempo-tales/...");
    expect(m.html).toContain(
      '<a href="https://www.tumblr.com/tempo-tales/765681292369166336/behind-them-timmi-and-wankyu-follow-silently-but?source=share">www.tumblr.com/tempo-tales/...</a>',
    );
    expect(m.html).toContain('<a href="https://bsky.app/hashtag/talesatwonderworld">#talesatwonderworld</a>');
  });

  it("turns a post deletion into a delete change of that URI at the event's time", () => {
    const del = events.find(
      (e) => e.commit?.operation === "delete" && e.commit.collection === "app.bsky.feed.post",
    );
    expect(parseBluesky(jetstreamPayload("bsky", del))).toMatchObject({
      ok: true,
      change: {
        change: "delete",
        externalId: "at://did:plc:4smmjsqf6l5jkzczvw6vsrqc/app.bsky.feed.post/3mpt73z3ejc2p",
        at: "2026-07-04T14:38:08.377Z",
      },
    });
  });

  it("keeps none of the capture for an account it does not concern", () => {
    expect(events.filter((e) => concernsAccount(e, TEST_ACCOUNT.did, new Set())).length).toBe(0);
    // Replies to a person's posts concern that person; their deletes concern us once we know them.
    const person = "did:plc:e2mt5exdcni67eeoj32hqxc4";
    expect(events.filter((e) => concernsAccount(e, person, new Set())).map((e) => e.commit?.rkey)).toEqual([
      "3mptbypky4c27",
    ]);
    // A person's own new posts are not "addressed to" them.
    expect(
      events.filter((e) => concernsAccount(e, "did:plc:u4lmvw4wwzaql3z5kcf3r7h4", new Set())).length,
    ).toBe(0);
    const known = new Set(["did:plc:4smmjsqf6l5jkzczvw6vsrqc"]);
    expect(events.filter((e) => concernsAccount(e, TEST_ACCOUNT.did, known)).length).toBe(1);
  });
});

const post = (record: Record<string, unknown>, did = "did:plc:ada000000000000000000000"): JetstreamEvent => ({
  did,
  time_us: 1_783_175_888_090_631,
  kind: "commit",
  commit: {
    rev: "3mptbypcq372f",
    operation: "create",
    collection: "app.bsky.feed.post",
    rkey: "3mptbyoeyc22k",
    cid: "bafyreiapzyf65cmq55jklpnrihiygze2jmmdqvvkwqeiomd72pbp2iazuu",
    record: { $type: "app.bsky.feed.post", createdAt: "2026-07-04T14:38:06.240Z", ...record },
  },
});

describe("Bluesky payloads", () => {
  it("recognises a mention of our account by its facet's DID, with UTF-8 offsets after emoji", () => {
    const text = "😡 @care.test my order 48213 never came";
    const start = new TextEncoder().encode("😡 ").length;
    const event = post({
      text,
      facets: [
        {
          index: { byteStart: start, byteEnd: start + "@care.test".length },
          features: [{ $type: "app.bsky.richtext.facet#mention", did: TEST_ACCOUNT.did }],
        },
      ],
    });
    expect(concernsAccount(event, TEST_ACCOUNT.did, new Set())).toBe(true);
    const m = messageOf({
      ...jetstreamPayload("bsky", event),
      author: { did: event.did, handle: "ada.test" },
    });
    expect(m.text).toBe(text);
    expect(m.author).toMatchObject({ handle: "ada.test", profileUrl: "https://bsky.app/profile/ada.test" });
    expect(m.html).toBe(
      `<p>😡 <a href="https://bsky.app/profile/${TEST_ACCOUNT.did}">@care.test</a> my order 48213 never came</p>`,
    );
  });

  it("dates a post whose createdAt its app wrote implausibly (year 0000, 9999) by the relay's time", () => {
    for (const createdAt of [
      "0000-01-01T00:00:00.000Z",
      "9999-12-31T23:59:59.000Z",
      "1969-07-20T20:17:00Z",
    ]) {
      const event = post({ text: "hello", createdAt });
      expect(messageOf(jetstreamPayload("bsky", event)).createdAt, createdAt).toBe(
        new Date(Math.floor(event.time_us / 1000)).toISOString(),
      );
    }
    expect(messageOf(jetstreamPayload("bsky", post({ text: "hello" }))).createdAt).toBe(
      "2026-07-04T14:38:06.240Z",
    );
  });

  it("makes our own reply outbound, in the conversation of the person it answers", () => {
    const root = "at://did:plc:ada000000000000000000000/app.bsky.feed.post/3aaa";
    const event = post(
      {
        text: "Sorry Ada, we are on it.",
        reply: { root: { uri: root, cid: "c1" }, parent: { uri: root, cid: "c1" } },
      },
      TEST_ACCOUNT.did,
    );
    const m = messageOf(jetstreamPayload("bsky", event));
    expect(m.direction).toBe("out");
    expect(m.threadExternalId).toBe(`${root}|did:plc:ada000000000000000000000`);
  });

  it("reads notifications (mention, reply, quote) and ignores the others", () => {
    const notification = {
      uri: "at://did:plc:ada000000000000000000000/app.bsky.feed.post/3bbb",
      cid: "bafy",
      author: { did: "did:plc:ada000000000000000000000", handle: "ada.test", displayName: "Ada L." },
      reason: "mention",
      record: {
        $type: "app.bsky.feed.post",
        text: "@care.test hello",
        createdAt: "2026-07-04T14:00:00.000Z",
      },
      isRead: false,
      indexedAt: "2026-07-04T14:00:01.000Z",
    };
    const base = { channel: "bsky", account: TEST_ACCOUNT };
    expect(messageOf({ ...base, notification })).toMatchObject({
      externalId: notification.uri,
      author: { displayName: "Ada L.", handle: "ada.test" },
      text: "@care.test hello",
    });
    expect(parseBluesky({ ...base, notification: { ...notification, reason: "like" } })).toEqual({
      ok: true,
      ignored: "a like notification",
    });
  });

  it("reads DMs from the chat log as private messages, and their deletion", () => {
    const base = { channel: "bsky", account: TEST_ACCOUNT };
    const message = {
      $type: "chat.bsky.convo.defs#messageView",
      id: "3m1",
      rev: "2222",
      text: "Hi, can you check my refund? 🙏",
      sender: { did: "did:plc:ada000000000000000000000" },
      sentAt: "2026-07-04T14:00:00.000Z",
    };
    const create = {
      $type: "chat.bsky.convo.defs#logCreateMessage",
      rev: "2222",
      convoId: "convo1",
      message,
      relatedProfiles: [{ did: "did:plc:ada000000000000000000000", handle: "ada.test", displayName: "Ada" }],
    };
    expect(messageOf({ ...base, chatLog: create })).toMatchObject({
      externalId: "chat:convo1:3m1",
      threadExternalId: "chat:convo1",
      visibility: "private",
      direction: "in",
      author: { handle: "ada.test" },
    });
    expect(
      parseBluesky({ ...base, chatLog: { ...create, $type: "chat.bsky.convo.defs#logDeleteMessage" } }),
    ).toMatchObject({ ok: true, change: { change: "delete", externalId: "chat:convo1:3m1" } });
    expect(
      parseBluesky({
        ...base,
        chatLog: { $type: "chat.bsky.convo.defs#logReadConvo", rev: "3", convoId: "c", message },
      }),
    ).toEqual({ ok: true, ignored: "a chat ReadConvo event" });
  });

  it("dead-letters payloads that are not Bluesky events, with a reason", () => {
    for (const bad of [
      null,
      '{"did":',
      { channel: "bsky", account: TEST_ACCOUNT, jetstream: { did: "x" } },
    ]) {
      const r = parseBluesky(bad);
      expect(r.ok).toBe(false);
    }
    const noText = post({});
    expect(parseBluesky(jetstreamPayload("bsky", noText))).toMatchObject({ ok: false });
  });
});

describe("rich text", () => {
  it("skips facets that cut a character in two or run past the text", () => {
    expect(
      facetHtml("é x", [
        {
          index: { byteStart: 1, byteEnd: 3 },
          features: [{ $type: "app.bsky.richtext.facet#link", uri: "https://a.example" }],
        },
        {
          index: { byteStart: 2, byteEnd: 99 },
          features: [{ $type: "app.bsky.richtext.facet#link", uri: "https://b.example" }],
        },
      ]),
    ).toBe("<p>é x</p>");
  });

  it("splits long replies at word boundaries into parts of at most 300 graphemes", () => {
    const sentence = "Your refund for order 48213 was sent today 👍🏽 and should arrive within five days. ";
    const parts = splitText(sentence.repeat(9), 300);
    expect(parts.length).toBe(3);
    for (const p of parts) expect(graphemeLength(p)).toBeLessThanOrEqual(300);
    expect(parts.join(" ")).toBe(sentence.repeat(9).trim());
    expect(graphemeLength("👍🏽👨‍👩‍👧")).toBe(2);
  });
});
