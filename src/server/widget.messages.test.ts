/**
 * The website chat's messages on both engines, over real sockets and the real ingest pipeline: stored
 * once however often sent, precise errors for malformed, oversized and early frames, and rate limits.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { useWidgetChat, Visitor } from "./widget.test-support.ts";

describeEachEngine("the website chat", (ctx) => {
  const chat = useWidgetChat(ctx);
  const { conversationOf } = chat;

  describe("the visitor's socket", () => {
    it("stores a message through the pipeline, once however often it is sent, and shows it to agents", async () => {
      const v = await Visitor.connect(chat.base);
      const welcome = await v.hello();
      expect(welcome).toMatchObject({
        type: "welcome",
        visitorId: expect.stringMatching(/^wv_/),
        messages: [],
      });
      const ack = await v.say("msg-00000001", "Do the Ridge boots come in size 46?");
      expect(ack).toMatchObject({ type: "ack", id: "msg-00000001", duplicate: false });
      const again = await v.say("msg-00000001", "Do the Ridge boots come in size 46?");
      expect(again).toMatchObject({ type: "ack", messageId: ack.messageId, duplicate: true });
      const counts = await ctx.database.rows<{ n: number; raw: number }>(sql`
        SELECT (SELECT count(*)::int FROM messages WHERE text = 'Do the Ridge boots come in size 46?') AS n,
               (SELECT count(*)::int FROM raw_events WHERE format = 'webchat' AND source = 'widget') AS raw`);
      expect(counts[0]).toEqual({ n: 1, raw: 2 });
      const conversation = await chat.app.inject({
        url: `/api/conversations/${await conversationOf(ack.messageId as string)}`,
        headers: chat.maria.headers,
      });
      expect(conversation.json().messages[0]).toMatchObject({
        text: "Do the Ridge boots come in size 46?",
        direction: "in",
        visibility: "private",
        author: { kind: "identity", platform: "webchat", displayName: "Website visitor" },
      });
      await v.close();
    });

    it("answers malformed, unknown, oversized and early frames with precise errors", async () => {
      const v = await Visitor.connect(chat.base);
      v.send({ type: "message", id: "msg-early-1", text: "Hi" });
      expect(await v.next((f) => f.type === "error")).toEqual({
        type: "error",
        code: "unauthorized",
        message: "Say hello first (with your visitor token).",
      });
      await v.hello();
      let from = v.frames.length;
      v.send("{not json");
      expect(await v.next((f) => f.type === "error", from)).toMatchObject({
        code: "bad_request",
        message: expect.stringMatching(/^The frame is not valid JSON: /),
      });
      from = v.frames.length;
      v.send({ type: "shout", text: "HELLO" });
      expect(await v.next((f) => f.type === "error", from)).toMatchObject({ code: "validation_failed" });
      expect(await v.say("msg-long-0001", "x".repeat(4001))).toEqual({
        type: "error",
        code: "validation_failed",
        message: "text: is longer than 4000 characters",
        ref: "msg-long-0001",
      });
      expect(await v.say("msg-empty-001", "   ")).toMatchObject({ message: "text: must not be empty" });
      from = v.frames.length;
      v.send({ type: "contact", email: "not an email" });
      expect(await v.next((f) => f.type === "error", from)).toMatchObject({
        code: "validation_failed",
        message: "email: must be an email address",
      });
      // Beyond 32 KB the socket is closed (1009) before anything is read.
      v.send({ type: "message", id: "msg-huge-0001", text: "x".repeat(40_000) });
      await v.next(() => v.closed !== null);
      expect(v.closed?.code).toBe(1009);
    });

    it("limits each visitor's messages with the time to wait", async () => {
      const v = await Visitor.connect(chat.base);
      await v.hello();
      for (let i = 1; i <= 5; i++) expect((await v.say(`rate-000${i}`, `Message ${i}`)).type).toBe("ack");
      const limited = await v.say("rate-0006", "Message 6");
      expect(limited).toMatchObject({
        type: "error",
        code: "rate_limited",
        ref: "rate-0006",
        message: expect.stringMatching(/^Too many messages\. Wait \d+ seconds before sending more\.$/),
      });
      await v.close();
    });
  });
});
