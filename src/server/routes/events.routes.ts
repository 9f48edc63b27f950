/**
 * GET /api/events: Server-Sent Events for the workspace. Each event names what changed
 * (`message.created`, `message.updated`, `conversation.created`, `conversation.updated`,
 * `presence.changed`, `visitor.typing`) and carries `{"conversationId","messageId"?,"typing"?}`; clients
 * re-read what they show.
 * Browsers' EventSource reconnects by itself (`retry: 2000`); a comment every 15 s keeps proxies from
 * closing an idle stream.
 */
import type { ServerResponse } from "node:http";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { RapportEvent } from "../../services/events.ts";
import type { RealtimeBridge } from "../../services/realtime.bridge.ts";

export const HEARTBEAT_MS = 15_000;

function eventText(event: RapportEvent): string {
  const data: { conversationId: string; messageId?: string; typing?: boolean } = {
    conversationId: event.conversationId,
  };
  if ("messageId" in event) data.messageId = event.messageId;
  if ("typing" in event) data.typing = event.typing;
  return `event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const eventRoutes: FastifyPluginAsyncZod<{ realtime: RealtimeBridge; heartbeatMs?: number }> = async (
  app,
  { realtime, heartbeatMs = HEARTBEAT_MS },
) => {
  const open = new Set<ServerResponse>();
  // Close streams before the server waits for its connections to end.
  app.addHook("preClose", async () => {
    for (const stream of open) stream.end();
    open.clear();
  });

  app.get(
    "/api/events",
    {
      schema: {
        tags: ["realtime"],
        summary: "Server-Sent Events: what changed in the workspace, as it happens",
        description:
          "text/event-stream. Events: message.created, message.updated, conversation.created, conversation.updated, presence.changed, visitor.typing; data: {conversationId, messageId?, typing?}.",
      },
    },
    async (request, reply) => {
      const stream = reply.raw;
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value : String(value);
      }
      reply.hijack();
      stream.writeHead(200, {
        ...headers,
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      stream.write("retry: 2000\n: connected\n\n");
      open.add(stream);
      const unsubscribe = realtime.subscribe((event) => stream.write(eventText(event)));
      const heartbeat = setInterval(() => stream.write(": heartbeat\n\n"), heartbeatMs);
      heartbeat.unref();
      const close = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(stream);
        // A stream's connection is never reused for another request; free it at once.
        request.raw.socket?.destroy();
      };
      request.raw.on("close", close);
      stream.on("close", close);
    },
  );
};
