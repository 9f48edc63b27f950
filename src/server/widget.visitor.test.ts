/**
 * The website chat's visitor sessions on both engines: tokens (issued, kept, renewed, forged), origins
 * on the socket upgrade, a stored token that is not valid, and the contact a visitor leaves.
 */
import { describe, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { signVisitorToken } from "../channels/webchat/webchat.token.ts";
import { KEY, useWidgetChat, VISITOR_KEY, Visitor } from "./widget.test-support.ts";

describeEachEngine("the website chat", (ctx) => {
  const chat = useWidgetChat(ctx);
  const { events, conversationOf } = chat;

  describe("tokens", () => {
    it("issues a visitor token, keeps a fresh one, renews an old one and refuses a forged one", async () => {
      const issued = await chat.app.inject({ method: "POST", url: `/api/widget/${KEY}/token`, payload: {} });
      expect(issued.statusCode, issued.body).toBe(200);
      const { token, visitorId } = issued.json();
      expect(visitorId).toMatch(/^wv_/);
      const again = await chat.app.inject({
        method: "POST",
        url: `/api/widget/${KEY}/token`,
        payload: { token },
      });
      expect(again.json()).toEqual({ token, visitorId, renewed: false });
      const old = signVisitorToken(
        { visitorId, channelId: chat.channelId, issuedAt: new Date(Date.now() - 3 * 24 * 3600_000) },
        VISITOR_KEY,
      );
      const renewed = await chat.app.inject({
        method: "POST",
        url: `/api/widget/${KEY}/token`,
        payload: { token: old },
      });
      expect(renewed.json()).toMatchObject({ visitorId, renewed: true });
      expect(renewed.json().token).not.toBe(old);
      const forged = await chat.app.inject({
        method: "POST",
        url: `/api/widget/${KEY}/token`,
        payload: {
          token: signVisitorToken(
            { visitorId, channelId: chat.channelId, issuedAt: new Date() },
            "another-key",
          ),
        },
      });
      expect(forged.statusCode).toBe(401);
      expect(forged.json().error.message).toBe("The visitor token's signature is not valid.");
    });
  });

  describe("the visitor's socket", () => {
    it("refuses the upgrade from a site that is not allowed, with the reason", async () => {
      await expect(Visitor.connect(chat.base, { origin: "https://evil.example" })).rejects.toThrow(
        /^403 .*may not use the chat/,
      );
      await expect(Visitor.connect(chat.base, { key: "nope" })).rejects.toThrow(/^404 /);
    });

    /** A visitor writes `text`, then leaves an email and a name; returns the conversation as agents see it. */
    async function writeThenLeaveContact(id: string, text: string, contact: { email: string; name: string }) {
      const v = await Visitor.connect(chat.base);
      await v.hello();
      const ack = await v.say(id, text);
      const conversationId = await conversationOf(ack.messageId as string);
      const before = events.length;
      const from = v.frames.length;
      v.send({ type: "contact", ...contact });
      await v.next((f) => f.type === "contact", from);
      const res = await chat.app.inject({
        url: `/api/conversations/${conversationId}`,
        headers: chat.maria.headers,
      });
      await v.close();
      return { res, conversationId, newEvents: () => events.slice(before) };
    }

    it("shows agents the email and name a visitor leaves after writing", async () => {
      const { res, conversationId, newEvents } = await writeThenLeaveContact(
        "contact-0001",
        "My train was cancelled, what now?",
        { email: "grace@example.org", name: "Grace Hopper" },
      );
      expect(res.json().messages[0].author).toMatchObject({
        handle: "grace@example.org",
        displayName: "Grace Hopper",
      });
      expect(res.json().person?.displayName ?? res.json().conversation?.person?.displayName).toBe(
        "Grace Hopper",
      );
      expect(newEvents()).toContainEqual({ type: "conversation.updated", conversationId });
    });

    it("keeps a name and a message that hold U+0000, with U+FFFD in its place", async () => {
      const { res } = await writeThenLeaveContact("contact-0002", "Seat 4\u0000B is broken", {
        email: "ada@example.org",
        name: "Ada\u0000 Lovelace",
      });
      expect(res.json().messages[0]).toMatchObject({
        text: "Seat 4\uFFFDB is broken",
        author: { displayName: "Ada\uFFFD Lovelace" },
      });
    });

    it("starts afresh, saying why, when the stored token is not valid", async () => {
      const v = await Visitor.connect(chat.base);
      const welcome = await v.hello("garbage.token");
      expect(welcome).toMatchObject({
        type: "welcome",
        reset: "The visitor token's signature is not valid.",
        messages: [],
      });
      await v.close();
    });
  });
});
