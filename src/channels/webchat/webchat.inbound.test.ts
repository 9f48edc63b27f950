import { describe, expect, it } from "vitest";
import { MAX_VISITOR_TEXT, parseWebchat } from "./webchat.inbound.ts";

const payload = (overrides: Record<string, unknown> = {}) => ({
  channel: "webchat-site",
  visitorId: "wv_Qm9vdHMgYW5kIGNoYXQ",
  clientId: "c-0001-abcdef",
  text: "Do the Ridge boots come in size 46?",
  receivedAt: "2026-12-01T10:00:00.000Z",
  visitor: null,
  pageUrl: "https://shop.example/boots",
  ...overrides,
});

describe("the webchat format", () => {
  it("parses a visitor's message into a private message in the visitor's conversation", () => {
    const result = parseWebchat(payload());
    expect(result).toEqual({
      ok: true,
      message: {
        channel: "webchat-site",
        externalId: "wc:wv_Qm9vdHMgYW5kIGNoYXQ:c-0001-abcdef",
        threadExternalId: "wc:wv_Qm9vdHMgYW5kIGNoYXQ",
        direction: "in",
        author: {
          externalId: "wv_Qm9vdHMgYW5kIGNoYXQ",
          handle: null,
          displayName: "Website visitor",
          profileUrl: null,
        },
        text: "Do the Ridge boots come in size 46?",
        createdAt: "2026-12-01T10:00:00.000Z",
        visibility: "private",
      },
    });
  });

  it("names the visitor by what they left", () => {
    const result = parseWebchat(payload({ visitor: { name: "Ada", email: "ada@example.org" } }));
    expect(result.ok && result.message.author).toMatchObject({
      handle: "ada@example.org",
      displayName: "Ada",
    });
    const emailOnly = parseWebchat(payload({ visitor: { email: "ada@example.org" } }));
    expect(emailOnly.ok && emailOnly.message.author.displayName).toBe("ada@example.org");
  });

  it("says precisely what is wrong with a malformed payload", () => {
    expect(parseWebchat(payload({ text: "   " }))).toEqual({
      ok: false,
      reason: "webchat payload: text: must not be empty",
    });
    expect(parseWebchat(payload({ text: "x".repeat(MAX_VISITOR_TEXT + 1) }))).toEqual({
      ok: false,
      reason: `webchat payload: text: is longer than ${MAX_VISITOR_TEXT} characters`,
    });
    expect(parseWebchat(payload({ visitorId: "someone" }))).toMatchObject({
      reason: expect.stringMatching(/visitorId: must be a visitor id/),
    });
    expect(parseWebchat(payload({ clientId: "a b" }))).toMatchObject({
      reason: expect.stringMatching(/clientId/),
    });
    expect(parseWebchat("{not json")).toMatchObject({ ok: false });
  });
});
