/**
 * The website chat's public endpoints (no agent auth; docs/channels/webchat.md):
 * - GET  /api/widget/:key/config — who is on duty, business hours now, honest response time;
 * - POST /api/widget/:key/token  — a signed visitor token: a new visitor, or an earlier token renewed;
 * - GET  /api/widget/:key/ws     — the visitor's WebSocket (server/widget/widget.hub.ts);
 * - GET  /widget.js              — the widget itself (widget/dist), and GET /widget-demo, a page to try it.
 * Pages may call them only from the channel's allowed origins (CORS); HTTP calls are rate-limited per
 * address, the socket's messages per visitor (the upgrade is not limited: @fastify/rate-limit would count
 * it as a request).
 */
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { widgetSnippet } from "../../channels/webchat/webchat.connector.ts";
import { MAX_VISITOR_TEXT } from "../../channels/webchat/webchat.inbound.ts";
import {
  needsRefresh,
  newVisitorId,
  signVisitorToken,
  verifyVisitorToken,
} from "../../channels/webchat/webchat.token.ts";
import { AppError } from "../../core/errors.ts";
import type { Services } from "../../services/container.ts";
import type { SecretBox } from "../../services/secrets.ts";
import { channelRepository } from "../../store/channel.repository.ts";
import type { Database } from "../../store/db.ts";
import { errorSchema } from "../api.schemas.ts";
import { checkOrigin, type WidgetChannel, WidgetChannels } from "../widget/widget.channels.ts";
import { WidgetHub, type WidgetHubOptions } from "../widget/widget.hub.ts";
import { WidgetStatusService } from "../widget/widget.status.ts";

export const WIDGET_BUNDLE = fileURLToPath(new URL("../../../widget/dist/widget.js", import.meta.url));

const keyParams = z.object({
  key: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, "must be a channel key"),
});
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 429: errorSchema };
const statusSchema = z.object({
  channel: z.object({ key: z.string(), name: z.string() }),
  greeting: z.string().nullable(),
  color: z.string().nullable(),
  agents: z.array(z.object({ name: z.string(), avatarUrl: z.string().nullable() })),
  open: z.boolean(),
  hours: z.object({ timezone: z.string(), changesAt: z.string().nullable() }).nullable(),
  online: z.boolean(),
  response: z.object({
    targetMinutes: z.number(),
    typicalMinutes: z.number().nullable(),
    samples: z.number().int(),
  }),
  maxText: z.number().int(),
});

export interface WidgetRouteDeps {
  database: Database;
  services: Pick<Services, "ingest" | "realtime" | "events">;
  secrets: SecretBox | null;
  /** Rate limits and timings of the visitor sockets. */
  hub?: WidgetHubOptions;
  /** HTTP calls per client address per minute (config and token; default 120 and 30). */
  httpRateLimit?: { config: number; token: number };
  onError?: (error: unknown) => void;
}

export const widgetRoutes: FastifyPluginAsyncZod<WidgetRouteDeps> = async (app, deps) => {
  const channels = new WidgetChannels(deps.database, deps.secrets);
  const status = new WidgetStatusService(deps.database, MAX_VISITOR_TEXT);
  const hub = new WidgetHub(
    {
      database: deps.database,
      ingest: deps.services.ingest,
      realtime: deps.services.realtime,
      events: deps.services.events,
      onError: deps.onError ?? ((error) => app.log.error({ err: error }, "widget hub")),
    },
    deps.hub,
  );
  hub.start();
  app.addHook("preClose", () => hub.stop());
  app.decorate("widgetHub", hub);
  const limits = deps.httpRateLimit ?? { config: 120, token: 30 };

  /** The channel, with the request's origin checked and CORS headers set for it. */
  async function channelFor(
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
  ): Promise<WidgetChannel> {
    const channel = await channels.get(key);
    const origin = request.headers.origin;
    checkOrigin(channel, origin, request.headers.host);
    if (origin) {
      reply.header("access-control-allow-origin", origin);
      reply.header("vary", "Origin");
    }
    return channel;
  }

  for (const path of ["/api/widget/:key/config", "/api/widget/:key/token"]) {
    app.options(
      path,
      { config: { public: true }, schema: { hide: true, params: keyParams } },
      async (request, reply) => {
        await channelFor(request, reply, request.params.key);
        return reply
          .header("access-control-allow-methods", "GET, POST")
          .header("access-control-allow-headers", "content-type")
          .header("access-control-max-age", "600")
          .status(204)
          .send();
      },
    );
  }

  app.get(
    "/api/widget/:key/config",
    {
      config: { public: true, rateLimit: { max: limits.config, timeWindow: "1 minute" } },
      schema: {
        tags: ["widget"],
        summary: "What the chat widget shows before a visitor writes (public)",
        description:
          "The people on duty (names, photos), business hours open now, and the expected first-response time: measured median over the last 30 days when at least 5 conversations were answered, and the SLA target.",
        params: keyParams,
        response: { 200: statusSchema, ...errors },
        security: [],
      },
    },
    async (request, reply) => {
      const channel = await channelFor(request, reply, request.params.key);
      reply.header("cache-control", "no-store");
      return status.status(channel);
    },
  );

  app.post(
    "/api/widget/:key/token",
    {
      config: { public: true, rateLimit: { max: limits.token, timeWindow: "1 minute" } },
      schema: {
        tags: ["widget"],
        summary: "Get a visitor token: a new visitor, or an earlier token renewed (public)",
        params: keyParams,
        body: z.object({ token: z.string().max(400).nullish() }).default({}),
        response: {
          200: z.object({ token: z.string(), visitorId: z.string(), renewed: z.boolean() }),
          ...errors,
        },
        security: [],
      },
    },
    async (request, reply) => {
      const channel = await channelFor(request, reply, request.params.key);
      const now = new Date();
      const given = request.body.token;
      if (given) {
        const check = verifyVisitorToken(given, channel.visitorKey, channel.id, now);
        if (!check.ok) throw new AppError("unauthorized", check.reason);
        const renewed = needsRefresh(check.claims, now);
        return {
          token: renewed ? signVisitorToken({ ...check.claims, issuedAt: now }, channel.visitorKey) : given,
          visitorId: check.claims.visitorId,
          renewed,
        };
      }
      const visitorId = newVisitorId();
      return {
        token: signVisitorToken({ visitorId, channelId: channel.id, issuedAt: now }, channel.visitorKey),
        visitorId,
        renewed: false,
      };
    },
  );

  app.get(
    "/api/widget/:key/ws",
    {
      websocket: true,
      config: { public: true },
      schema: { hide: true, params: keyParams },
      // Refuse before the upgrade, with a precise HTTP error: unknown channel, a site not allowed.
      preValidation: async (request: FastifyRequest) => {
        const { key } = request.params as { key: string };
        const channel = await channels.get(key);
        checkOrigin(channel, request.headers.origin, request.headers.host);
      },
    },
    (socket, request) => {
      const { key } = request.params as { key: string };
      channels.get(key).then(
        (channel) => hub.accept(socket, channel, request.ip),
        () => socket.close(1011, "The channel is gone."),
      );
    },
  );

  let bundle: { mtimeMs: number; body: Buffer } | null = null;
  app.get("/widget.js", { schema: { hide: true } }, async (_request, reply) => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(WIDGET_BUNDLE).mtimeMs;
    } catch {
      throw new AppError(
        "not_found",
        "The chat widget is not built: run `npm run build:widget` (npm start builds it when missing).",
      );
    }
    if (bundle?.mtimeMs !== mtimeMs) bundle = { mtimeMs, body: readFileSync(WIDGET_BUNDLE) };
    return reply
      .header("content-type", "application/javascript; charset=utf-8")
      .header("cache-control", "public, max-age=300")
      .header("access-control-allow-origin", "*")
      .header("x-content-type-options", "nosniff")
      .send(bundle.body);
  });

  app.get(
    "/widget-demo",
    {
      schema: {
        hide: true,
        querystring: z.object({ channel: keyParams.shape.key.optional() }),
      },
    },
    async (request, reply) => {
      const key =
        request.query.channel ??
        (await channelRepository(deps.database.db).list()).find((c) => c.kind === "webchat")?.key;
      if (!key)
        throw new AppError(
          "not_found",
          "There is no webchat channel yet: set one up (docs/channels/webchat.md), then open /widget-demo?channel=KEY.",
        );
      const channel = await channels.get(key);
      return reply
        .header("content-type", "text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .send(demoPage(channel.name, widgetSnippet("", channel.key)));
    },
  );
};

declare module "fastify" {
  interface FastifyInstance {
    /** The visitors' sockets in this process (server/widget/widget.hub.ts). */
    widgetHub?: WidgetHub;
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A made-up company page with the widget on it, to try the chat against this server. */
function demoPage(channelName: string, snippet: string): string {
  const name = escapeHtml(channelName);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name} — website chat demo</title>
<style>
  /* Deliberately loud page styles: the widget lives in a shadow root and must look the same. */
  * { font-family: Georgia, serif !important; }
  button { background: hotpink; border: 4px dashed lime; }
  body { margin: 0; background: #f6f3ee; color: #222; }
  header { background: #24323f; color: #fff; padding: 1rem 2rem; }
  main { max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6; }
</style>
</head>
<body>
<header><strong>${name}</strong></header>
<main>
  <h1>Website chat demo</h1>
  <p>This page stands for your website. Open the chat at the bottom right, write a message, and answer
  it from the Rapport workspace in another tab: it arrives live, with typing shown both ways. When nobody
  is on duty, or outside business hours, the chat asks for an email and the answer goes there.</p>
  <p>The widget is added to a page by one line:</p>
  <pre><code>${escapeHtml(snippet.replace('src="/', 'src="https://your-rapport-server/'))}</code></pre>
  <p><button type="button">A page button with loud page styles</button></p>
</main>
${snippet}
</body>
</html>`;
}
