import type { FastifyInstance } from "fastify";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { asApi, inbound } from "../../test/helpers/services.ts";
import { createServices } from "../services/container.ts";
import { type Database, openDatabase } from "../store/db.ts";
import { buildApp } from "./app.ts";

/** Opens /api/events and collects what arrives until `until` matches or the time runs out. */
async function openStream(app: FastifyInstance, headers: Record<string, string>) {
  const address = app.server.address() as { port: number };
  const controller = new AbortController();
  const response = await fetch(`http://127.0.0.1:${address.port}/api/events`, {
    headers,
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const read = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // aborted
    }
  })();
  return {
    response,
    text: () => text,
    async close() {
      controller.abort();
      await read;
    },
  };
}

describeEachEngine("realtime over Server-Sent Events", (ctx) => {
  it("streams events from this process and, through NOTIFY, from another", async () => {
    const services = createServices(ctx.database);
    await services.realtime.start();
    const app = await buildApp({ database: ctx.database, services });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const agent = await agentWithToken(ctx.database, `sse-${ctx.engine}@example.com`);
    const stream = await openStream(app, agent.headers);
    // A second "process": its own services and bridge (on PostgreSQL, its own connection pool).
    const other: Database =
      ctx.engine === "postgres"
        ? await openDatabase({ url: ctx.url, migrate: false, poolSize: 2 })
        : ctx.database;
    const otherServices = createServices(other);
    await otherServices.realtime.start();
    try {
      expect(stream.response.headers.get("content-type")).toContain("text/event-stream");
      await expect.poll(stream.text).toContain("retry: 2000");

      const here = await services.ingest.ingest([asApi(inbound({ channel: "sse-here" }))]);
      const hereId = (here.outcomes[0] as { conversationId: string }).conversationId;
      await expect
        .poll(stream.text)
        .toContain(`event: conversation.created\ndata: {"conversationId":"${hereId}"}`);
      expect(stream.text()).toMatch(
        new RegExp(
          `event: message.created\\ndata: \\{"conversationId":"${hereId}","messageId":"[0-9a-f-]{36}"\\}`,
        ),
      );

      const there = await otherServices.ingest.ingest([asApi(inbound({ channel: "sse-there" }))]);
      const thereId = (there.outcomes[0] as { conversationId: string }).conversationId;
      await expect
        .poll(stream.text, { timeout: 3000 })
        .toContain(`event: conversation.created\ndata: {"conversationId":"${thereId}"}`);
      // Each event arrives once: the bridge drops its own notifications.
      expect(stream.text().split(`"conversationId":"${hereId}"}`).length - 1).toBe(1);

      const anonymous = await app.inject({ method: "GET", url: "/api/events" });
      expect(anonymous.statusCode).toBe(401);
    } finally {
      await stream.close();
      await otherServices.realtime.stop();
      await services.realtime.stop();
      await app.close();
      if (other !== ctx.database) await other.close();
    }
  });
});
