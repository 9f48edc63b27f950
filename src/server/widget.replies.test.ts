/**
 * The website chat's replies on both engines, over real sockets, the outbox worker and an SMTP server:
 * history on reconnect, replies and typing both ways, the offline → email path, and a reply sent by a
 * worker in another "process" (its own services and realtime bridge).
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { createConnectorRegistry } from "../channels/registry.ts";
import { createWorker } from "../jobs/index.ts";
import { createServices } from "../services/container.ts";
import { webchatDirectory } from "../services/webchat.directory.ts";
import { type Database, openDatabase } from "../store/db.ts";
import { box, SITE, until, useWidgetChat, Visitor } from "./widget.test-support.ts";

describeEachEngine("the website chat", (ctx) => {
  const chat = useWidgetChat(ctx);
  const { events, reply, conversationOf } = chat;

  describe("the visitor's socket", () => {
    it("finds the conversation again after a reload, and gets agents' replies and typing live", async () => {
      const first = await Visitor.connect(chat.base);
      const welcome = await first.hello();
      const ack = await first.say("reload-00001", "Is my order 48213 on its way?");
      await first.close();
      const conversationId = await conversationOf(ack.messageId as string);

      const v = await Visitor.connect(chat.base);
      const back = await v.hello(welcome.token as string);
      expect(back).toMatchObject({ visitorId: welcome.visitorId, token: welcome.token });
      expect((back.messages as Array<{ text: string }>).map((m) => m.text)).toEqual([
        "Is my order 48213 on its way?",
      ]);
      const visitorTyping = events.length;
      v.send({ type: "typing", typing: true });
      await until(
        async () => events.slice(visitorTyping),
        (list) =>
          list.some((e) => e.type === "visitor.typing" && e.typing && e.conversationId === conversationId),
        "the visitor's typing event",
      );

      let from = v.frames.length;
      const presence = await chat.app.inject({
        method: "PUT",
        url: `/api/conversations/${conversationId}/presence`,
        headers: chat.maria.headers,
        payload: { activity: "replying" },
      });
      expect(presence.statusCode).toBe(200);
      expect(await v.next((f) => f.type === "typing", from)).toEqual({
        type: "typing",
        typing: true,
        agents: ["Maria Lopez"],
      });
      from = v.frames.length;
      const replyId = await reply(conversationId, "It left our warehouse this morning.");
      const pushed = await v.next((f) => f.type === "message", from);
      expect(pushed.message).toMatchObject({
        id: replyId,
        direction: "out",
        text: expect.stringContaining("It left our warehouse this morning."),
        agent: { name: "Maria Lopez", avatarUrl: "https://cdn.example/maria.jpg" },
      });
      const [sent] = await ctx.database.rows<{ delivery_status: string; external_id: string }>(
        sql`SELECT delivery_status, external_id FROM messages WHERE id = ${replyId}`,
      );
      expect(sent).toEqual({ delivery_status: "sent", external_id: `webchat:${replyId}` });
      expect(chat.smtp.received).toHaveLength(0);
      await v.close();

      // The reply is in the history on the next visit.
      const later = await Visitor.connect(chat.base);
      const history = (await later.hello(welcome.token as string)).messages as Array<{ direction: string }>;
      expect(history.map((m) => m.direction)).toEqual(["in", "out"]);
      await later.close();
    });
  });

  it("sends the reply by email when the visitor left their email and closed the page", async () => {
    const v = await Visitor.connect(chat.base);
    await v.hello();
    const from = v.frames.length;
    v.send({ type: "contact", email: "ada@example.org", name: "Ada" });
    expect(await v.next((f) => f.type === "contact", from)).toEqual({
      type: "contact",
      email: "ada@example.org",
    });
    const ack = await v.say("offline-0001", "Nobody is here, so: can I return worn boots?");
    await v.close();
    const conversationId = await conversationOf(ack.messageId as string);
    // The lease ends with the last socket.
    await until(
      () =>
        ctx.database.rows<{ c: boolean }>(
          sql`SELECT COALESCE(connected_until > now(), false) AS c FROM webchat_visitors WHERE email = 'ada@example.org'`,
        ),
      (rows) => rows[0]?.c === false,
      "the visitor's lease to end",
    );
    await reply(conversationId, "Yes, within 30 days, even worn once outdoors.");
    const mail = await chat.smtp.waitFor("Yes, within 30 days");
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : null).toBe("ada@example.org");
    expect(mail.subject).toBe("Re: Your chat with Northwind");
    expect(mail.text).toContain(`in the chat on ${SITE}/boots`);
  });

  it("delivers a reply sent by a worker in another process to the socket held here", async () => {
    // The other "process": its own connection, services, bridge and worker, like `rapport worker`.
    const otherDb: Database =
      ctx.engine === "postgres" ? await openDatabase({ url: ctx.url, poolSize: 2 }) : ctx.database;
    const other = createServices(otherDb);
    const otherConnectors = createConnectorRegistry({ webchat: webchatDirectory(otherDb, box) });
    otherConnectors.registerFormats(other.normalizers);
    await chat.services.realtime.start();
    await other.realtime.start({ listen: false });
    await chat.worker.stop();
    const otherWorker = createWorker({
      database: otherDb,
      events: other.events,
      connectors: otherConnectors,
      secrets: box,
    });
    try {
      await otherWorker.start();
      const v = await Visitor.connect(chat.base);
      await v.hello();
      const ack = await v.say("remote-0001", "Does this reach you across processes?");
      const conversationId = await conversationOf(ack.messageId as string);
      const { messageId } = await other.replies.reply(
        conversationId,
        { id: chat.maria.agent.id, name: "Maria Lopez", signature: null },
        "It does, through NOTIFY.",
        { acknowledgeWarnings: true },
      );
      const pushed = await v.next(
        (f) => f.type === "message" && (f.message as { id: string }).id === messageId,
      );
      expect(pushed.message).toMatchObject({ direction: "out", agent: { name: "Maria Lopez" } });
      await v.close();
    } finally {
      await otherWorker.stop();
      await other.realtime.stop();
      await chat.services.realtime.stop();
      if (otherDb !== ctx.database) await otherDb.close();
      await chat.worker.start();
    }
  });
});
