import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { InboundChange, InboundMessage, NormalizeResult } from "../../core/inbound.ts";
import { mastodonHtmlToText } from "./mastodon.html.ts";
import { parseMastodon } from "./mastodon.inbound.ts";
import {
  envelope,
  FIXTURES_DIR,
  fixture,
  hasFixtures,
  MISSING_FIXTURES,
  RECEIVED_AT,
} from "./mastodon.test-support.ts";

const C = "mastodon-care";
const message = (r: NormalizeResult): InboundMessage => {
  if (!r.ok) throw new Error(r.reason);
  if (!("message" in r)) throw new Error(`not a message: ${JSON.stringify(r)}`);
  return r.message;
};
const change = (r: NormalizeResult): InboundChange => {
  if (!r.ok) throw new Error(r.reason);
  if (!("change" in r)) throw new Error(`not a change: ${JSON.stringify(r)}`);
  return r.change;
};
const reason = (r: NormalizeResult) => (r.ok ? `ok: ${JSON.stringify(r).slice(0, 200)}` : r.reason);
const stream = (event: string, payload?: unknown, extra = {}) =>
  envelope(
    C,
    "stream",
    {
      stream: ["user"],
      event,
      ...(payload === undefined
        ? {}
        : { payload: typeof payload === "string" ? payload : JSON.stringify(payload) }),
    },
    extra,
  );

if (!hasFixtures) console.warn(MISSING_FIXTURES);

describe.skipIf(!hasFixtures)("real Mastodon payloads (../shared/data/payloads/mastodon)", () => {
  it("a mention notification becomes a public message threaded to its parent, with @acct mentions", () => {
    const [mention] = fixture("notifications_Get_all_notifications_get__truncated") as unknown[];
    const m = message(parseMastodon(envelope(C, "notification", mention)));
    expect(m).toMatchObject({
      channel: C,
      externalId: "103186126728896492",
      inReplyToExternalId: "103186038209478945",
      direction: "in",
      visibility: "public",
      createdAt: "2019-11-23T07:49:01.940Z",
      text: "@trwnh@mastodon.social sup!",
      author: { externalId: "zsc@mastodon.social", handle: "@zsc@mastodon.social", displayName: "zsc" },
    });
    expect(m.html).toContain("h-card");
  });

  it("the same mention from the single-notification method is the same message", () => {
    const a = message(
      parseMastodon(
        envelope(C, "notification", fixture("notifications_Get_a_single_notification_get_one__truncated")),
      ),
    );
    const [b] = fixture("notifications_Get_all_notifications_get__truncated") as unknown[];
    expect(a).toEqual(message(parseMastodon(envelope(C, "notification", b))));
  });

  it("a favourite notification is ignored, not a dead letter", () => {
    const [, favourite] = fixture("notifications_Get_all_notifications_get__truncated") as unknown[];
    expect(parseMastodon(envelope(C, "notification", favourite))).toEqual({
      ok: true,
      ignored: "a favourite notification, not a message",
    });
    expect(
      parseMastodon(envelope(C, "notification", fixture("entity_Notification_Favourite__truncated"))),
    ).toMatchObject({ ok: true, ignored: expect.any(String) });
  });

  it("the truncated mention entity (no content) is a dead letter that says so", () => {
    const r = parseMastodon(envelope(C, "notification", fixture("entity_Notification_Mention__truncated")));
    expect(reason(r)).toMatch(/has no content \(a truncated payload\?\)/);
  });

  it("a full status: author identity for display, link shown as its address, language kept out of the text", () => {
    const m = message(parseMastodon(envelope(C, "status", fixture("entity_Status"))));
    expect(m.author).toEqual({
      externalId: "gargron@mastodon.social",
      handle: "@Gargron@mastodon.social",
      displayName: "Eugen",
      followerCount: 322930,
      profileUrl: "https://mastodon.social/@Gargron",
    });
    expect(m.text).toBe(
      '"I lost my inheritance with one wrong digit on my sort code"\n\nhttps://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code',
    );
    expect(m.visibility).toBe("public");
    expect(m.inReplyToExternalId).toBeUndefined();
  });

  it("a status with edited_at is an edit carrying the whole post", () => {
    const c = change(parseMastodon(envelope(C, "status", fixture("statuses_Edit_a_status_edit__truncated"))));
    expect(c).toMatchObject({
      externalId: "108942703571991143",
      change: "edit",
      at: "2022-09-05T00:33:20.309Z",
      text: "this is a status that has been edited multiple times to change the text, add a poll, and change poll options.",
    });
    expect(c.message).toMatchObject({
      externalId: "108942703571991143",
      editedAt: "2022-09-05T00:33:20.309Z",
    });
  });

  it("media attachments are named in the text with their description and downloaded from the server's copy", () => {
    const m = message(
      parseMastodon(envelope(C, "status", fixture("statuses_Delete_a_status_delete__truncated"))),
    );
    expect(m.text).toBe(
      "test\n\n[image: test media description] https://files.mastodon.social/media_attachments/files/022/345/792/original/57859aede991da25.jpeg",
    );
    expect(m.attachments).toEqual([
      {
        filename: "57859aede991da25.jpeg",
        contentType: "image/jpeg",
        size: 0,
        contentBase64: null,
        url: "https://files.mastodon.social/media_attachments/files/022/345/792/original/57859aede991da25.jpeg",
      },
    ]);
  });

  it("a hashtag post keeps #tags, @mentions and line breaks", () => {
    const [, cats] = fixture("timelines_View_hashtag_timeline_tag__truncated") as Array<
      Record<string, unknown>
    >;
    const text = mastodonHtmlToText(cats!.content as string);
    expect(text).toBe(
      "Caught on the hop. 😺\n\n#Qualitätskatzen #cats #mastocats #catsofmastodon #Greece #Agistri\n(photo: @kernpanik | license: CC BY-NC-SA 4.0)",
    );
  });

  it("truncated statuses without an account dead-letter; the direct timeline's one too", () => {
    const [direct] = fixture("timelines_View_direct_timeline_deprecated_direct__truncated") as unknown[];
    expect(reason(parseMastodon(envelope(C, "status", direct)))).toMatch(/has no account/);
    const [ancestor] = (fixture("entity_Context__truncated") as { ancestors: unknown[] }).ancestors;
    expect(reason(parseMastodon(envelope(C, "status", ancestor)))).toMatch(/has no account/);
  });

  it("a truncated conversation (last status without content) dead-letters; with the account it names", () => {
    expect(
      reason(parseMastodon(envelope(C, "conversation", fixture("entity_Conversation__truncated")))),
    ).toMatch(/status 103196583826321184 has no content/);
  });

  it("a conversation with its last status is a private message", () => {
    const convo = structuredClone(fixture("entity_Conversation__truncated")) as {
      last_status: Record<string, unknown>;
    };
    convo.last_status.content = "<p>Hi, my order 48213 never arrived.</p>";
    const m = message(parseMastodon(envelope(C, "conversation", convo)));
    expect(m).toMatchObject({
      visibility: "private",
      externalId: "103196583826321184",
      inReplyToExternalId: "103196540587943467",
      text: "Hi, my order 48213 never arrived.",
      author: { externalId: "amic@nulled.red", handle: "@amic@nulled.red" },
    });
  });

  it("streaming: an update that does not mention us is ignored; without knowing us it is a message", () => {
    const event = fixture("streaming_Establishing_a_WebSocket_connection_websocket_3") as Record<
      string,
      unknown
    >;
    const self = { id: "14715", acct: "trwnh" };
    expect(parseMastodon(envelope(C, "stream", event, { self }))).toMatchObject({
      ok: true,
      ignored: expect.stringContaining("does not mention us"),
    });
    const m = message(parseMastodon(envelope(C, "stream", event)));
    expect(m).toMatchObject({
      externalId: "108913983692647032",
      inReplyToExternalId: "108913981098896721",
      author: { externalId: "tobtobxx@fosstodon.org", displayName: "TobTobXX", followerCount: 150 },
      text: "And now I can't exit the inner nvim because I mapped escape to the parent vim instance 😂",
    });
  });

  it("streaming: delete is a deletion dated when received; filters_changed is ignored", () => {
    const del = fixture("streaming_Establishing_a_WebSocket_connection_websocket_4");
    expect(change(parseMastodon(envelope(C, "stream", del)))).toEqual({
      channel: C,
      externalId: "106692867363994015",
      change: "delete",
      at: RECEIVED_AT,
    });
    expect(reason(parseMastodon(envelope(C, "stream", del, { receivedAt: undefined })))).toMatch(
      /no received time/,
    );
    expect(
      parseMastodon(
        envelope(C, "stream", fixture("streaming_Establishing_a_WebSocket_connection_websocket_5")),
      ),
    ).toMatchObject({ ok: true, ignored: expect.stringContaining("filters_changed") });
  });

  it("every shared payload, read as any kind of item, parses, is ignored, or dead-letters with a reason — never throws", () => {
    const files = readdirSync(FIXTURES_DIR).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(70);
    const tally = { message: 0, change: 0, ignored: 0, dead: 0 };
    for (const file of files) {
      const data = fixture(file.replace(/\.json$/, ""));
      for (const item of Array.isArray(data) ? data : [data]) {
        for (const source of ["notification", "status", "conversation", "stream"] as const) {
          const r = parseMastodon(envelope(C, source, item));
          if (!r.ok) {
            expect(r.reason.length, `${file} as ${source}`).toBeGreaterThan(10);
            tally.dead++;
          } else tally["message" in r ? "message" : "change" in r ? "change" : "ignored"]++;
        }
      }
    }
    expect(tally.message).toBeGreaterThanOrEqual(10);
    expect(tally.change).toBeGreaterThanOrEqual(2);
    expect(tally.ignored).toBeGreaterThanOrEqual(3);
  });

  it("subscribe frames (what we send) are not events and dead-letter", () => {
    expect(
      reason(
        parseMastodon(
          envelope(C, "stream", fixture("streaming_Establishing_a_WebSocket_connection_websocket")),
        ),
      ),
    ).toMatch(/event/);
  });
});

describe("Mastodon statuses", () => {
  const self = { id: "900", acct: "northwind" };
  const status = (over: Record<string, unknown> = {}) => ({
    id: "113244",
    created_at: "2026-11-21T09:00:00.000Z",
    in_reply_to_id: null,
    visibility: "public",
    language: "en",
    content: "<p>Hello</p>",
    account: {
      id: "77",
      username: "ana",
      acct: "ana",
      display_name: "Ana",
      url: "https://social.example/@ana",
      followers_count: 12,
    },
    mentions: [
      {
        id: "900",
        username: "northwind",
        acct: "northwind@rail.example",
        url: "https://rail.example/@northwind",
      },
    ],
    media_attachments: [],
    ...over,
  });

  it("a direct mention is a private message; a followers-only one stays a public thread", () => {
    expect(
      message(
        parseMastodon(
          envelope(C, "notification", { id: "1", type: "mention", status: status({ visibility: "direct" }) }),
        ),
      ).visibility,
    ).toBe("private");
    expect(
      message(
        parseMastodon(
          envelope(C, "notification", {
            id: "1",
            type: "mention",
            status: status({ visibility: "private" }),
          }),
        ),
      ).visibility,
    ).toBe("public");
  });

  it("HTML edge cases: scripts and images dropped, entities decoded, br kept, other links with their words", () => {
    const html =
      '<p>Line one<br>line &amp; two &lt;b&gt;</p><script>alert(1)</script><img src="x" onerror="alert(2)"><p><a href="https://rail.example/@northwind" class="u-url mention">@<span>northwind</span></a> see <a href="https://help.example/refunds">our refunds page</a> and <a href="javascript:alert(3)">this</a></p>';
    const m = message(parseMastodon(envelope(C, "status", status({ content: html }), { self })));
    expect(m.text).toBe(
      "Line one\nline & two <b>\n\n@northwind@rail.example see our refunds page (https://help.example/refunds) and this",
    );
    expect(m.html).toBe(html); // kept as sent; ingest sanitises it
  });

  it("a content warning leads the text", () => {
    expect(message(parseMastodon(envelope(C, "status", status({ spoiler_text: "refund rant" })))).text).toBe(
      "CW: refund rant\n\nHello",
    );
  });

  it("our own posts and boosts are ignored", () => {
    expect(
      parseMastodon(envelope(C, "status", status({ account: { id: "900", acct: "northwind" } }), { self })),
    ).toMatchObject({ ignored: expect.stringContaining("our own") });
    expect(parseMastodon(envelope(C, "status", status({ reblog: status() }), { self }))).toMatchObject({
      ignored: expect.stringContaining("boost"),
    });
  });

  it("a conversation event from the stream is a private message", () => {
    const convo = {
      id: "5",
      unread: true,
      accounts: [status().account],
      last_status: status({ visibility: "direct" }),
    };
    const m = message(parseMastodon(stream("conversation", convo, { self })));
    expect(m).toMatchObject({
      visibility: "private",
      externalId: "113244",
      author: { externalId: "ana@social.example" },
    });
  });

  it("status.update is an edit; it carries the post only when it mentions us", () => {
    const edited = status({ content: "<p>Edited</p>", edited_at: "2026-11-21T09:05:00.000Z" });
    const c = change(parseMastodon(stream("status.update", edited, { self })));
    expect(c).toMatchObject({ change: "edit", at: "2026-11-21T09:05:00.000Z", text: "Edited" });
    expect(c.message?.text).toBe("Edited");
    const other = change(parseMastodon(stream("status.update", { ...edited, mentions: [] }, { self })));
    expect(other.message).toBeUndefined();
  });

  it("an update notification (a post we interacted with was edited) is an edit without the post", () => {
    const c = change(
      parseMastodon(
        envelope(C, "notification", {
          id: "9",
          type: "update",
          status: status({ edited_at: "2026-11-21T09:06:00Z" }),
        }),
      ),
    );
    expect(c).toMatchObject({ change: "edit", externalId: "113244", at: "2026-11-21T09:06:00.000Z" });
    expect(c.message).toBeUndefined();
  });

  it("malformed payloads dead-letter with the reason", () => {
    expect(
      reason(
        parseMastodon({ channel: C, source: "stream", data: { event: "update", payload: "{not json" } }),
      ),
    ).toMatch(/not JSON/);
    expect(reason(parseMastodon({ channel: C, data: {} }))).toMatch(/source/);
    expect(reason(parseMastodon('{"channel":'))).toMatch(/not a Mastodon payload/);
    expect(reason(parseMastodon(envelope(C, "status", status({ created_at: "yesterday" }))))).toMatch(
      /not a date/,
    );
    // A date from a broken clock is kept as when it arrived; without that, it is a dead letter saying so.
    const forged = status({ created_at: "0000-01-01T00:00:00.000Z", edited_at: "9999-01-01T00:00:00Z" });
    expect(message(parseMastodon(envelope(C, "status", forged)))).toMatchObject({ createdAt: RECEIVED_AT });
    expect(message(parseMastodon(envelope(C, "status", forged))).editedAt ?? null).toBeNull();
    expect(
      reason(parseMastodon(envelope(C, "status", status({ content: `<p>${"a".repeat(100_001)}</p>` })))),
    ).toMatch(/longer than/);
  });
});
