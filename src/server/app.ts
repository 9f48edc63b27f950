/**
 * Builds Rapport's HTTP server: Fastify with zod schemas, cookie sessions and API tokens, OpenAPI docs
 * at /api/docs, and one error format. The caller owns the database and the ingest pipeline and listens.
 */
import { readFileSync } from "node:fs";
import fastifyCookie from "@fastify/cookie";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import fastifyWebsocket from "@fastify/websocket";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { ChannelSetupService } from "../channels/channel.setup.ts";
import { type ConnectorRegistry, createConnectorRegistry } from "../channels/registry.ts";
import { AppError } from "../core/errors.ts";
import { AuthService } from "../services/auth.service.ts";
import { createServices, type Services } from "../services/container.ts";
import type { SecretBox } from "../services/secrets.ts";
import { WebhookService } from "../services/webhook.service.ts";
import type { ChannelRow } from "../store/channel.repository.ts";
import type { Database } from "../store/db.ts";
import { createAuthHook, SESSION_COOKIE } from "./auth/auth.hook.ts";
import { createErrorHandler, errorBody } from "./error-handler.ts";
import { databaseRateLimitStore } from "./rate-limit.store.ts";
import { agentRoutes } from "./routes/agents.routes.ts";
import { attachmentRoutes } from "./routes/attachments.routes.ts";
import { authRoutes } from "./routes/auth.routes.ts";
import { channelOAuthRoutes } from "./routes/channel-oauth.routes.ts";
import { channelRoutes } from "./routes/channels.routes.ts";
import { conversationRoutes } from "./routes/conversations.routes.ts";
import { correctionRoutes } from "./routes/corrections.routes.ts";
import { eventRoutes } from "./routes/events.routes.ts";
import { healthRoutes } from "./routes/health.routes.ts";
import { type Ingestor, ingestRoutes } from "./routes/ingest.routes.ts";
import { labelRoutes } from "./routes/labels.routes.ts";
import { lifecycleRoutes } from "./routes/lifecycle.routes.ts";
import { peopleRoutes } from "./routes/people.routes.ts";
import { personMergeRoutes } from "./routes/person-merge.routes.ts";
import { queueRoutes } from "./routes/queue.routes.ts";
import { replyRoutes } from "./routes/replies.routes.ts";
import { reportRoutes } from "./routes/reports.routes.ts";
import { savedReplyRoutes } from "./routes/saved-replies.routes.ts";
import { slaRoutes } from "./routes/sla.routes.ts";
import { teamRoutes } from "./routes/teams.routes.ts";
import { webhookInboundRoutes } from "./routes/webhook-inbound.routes.ts";
import { webhookRoutes } from "./routes/webhooks.routes.ts";
import { type WidgetRouteDeps, widgetRoutes } from "./routes/widget.routes.ts";
import { registerWebApp } from "./static.ts";
import { rejectUnstorable } from "./text.guard.ts";
import { MAX_FRAME_BYTES } from "./widget/widget.frames.ts";

export const BODY_LIMIT = 5 * 1024 * 1024;
/** Longer than any path parameter (a channel key has up to 200 characters); Fastify's default is 100. */
export const MAX_PARAM_LENGTH = 256;

const version = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Log paths that may hold secrets; pino replaces them before anything is written. */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  "password",
  "*.password",
  "body.password",
  "token",
  "*.token",
];

export interface AppDeps {
  database: Database;
  /** Defaults to the services' ingest pipeline. */
  ingest?: Ingestor;
  /** The application services (built from the database when omitted). */
  services?: Services;
  /** false (default) for silence, true for info-level JSON logs, or pino options (level, stream, …). */
  logger?: boolean | object;
  /** Mark the session cookie Secure (serve over HTTPS). */
  secureCookies?: boolean;
  /** Connectors by channel kind (default: the standard registry). */
  connectors?: ConnectorRegistry;
  /** Encrypts channel secrets; without it channels with secrets cannot be set up. */
  secrets?: SecretBox | null;
  /** Called after a channel is set up (serve starts its poller). */
  onChannelCreated?: (channel: ChannelRow) => unknown;
  /** Called after a channel's settings change, or it is paused or resumed (serve restarts its poller). */
  onChannelChanged?: (channel: ChannelRow) => void;
  /** Called after a channel is deleted (serve stops its poller). */
  onChannelDeleted?: (id: string) => void;
  /** The public base URL (RAPPORT_PUBLIC_URL; default: each request's origin): setup notes, OAuth callbacks. */
  publicUrl?: string;
  /** Sign-in attempts per client address per window (default 10 per minute). */
  loginRateLimit?: { max: number; timeWindow: number | string };
  /** Where the HTTP rate limits count requests: the database (default; shared by every process) or memory. */
  rateLimitStore?: "database" | "memory";
  /** Inbound webhook requests per sender address and channel per window (default 600 a minute). */
  webhookRateLimit?: { max: number; timeWindow: number | string };
  /** The chat widget's limits and timings (defaults in server/widget/widget.hub.ts). */
  widget?: Pick<WidgetRouteDeps, "hub" | "httpRateLimit">;
}

function loggerOptions(logger: AppDeps["logger"]): false | object {
  if (!logger) return false;
  const base = logger === true ? {} : logger;
  return {
    level: "info",
    // Request headers help debugging (user agent, proxies); the secrets among them are redacted.
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: request.url,
        remoteAddress: request.ip,
        headers: request.headers,
      }),
    },
    ...base,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const services = deps.services ?? createServices(deps.database);
  const errorHandler = createErrorHandler({ bodyLimit: BODY_LIMIT, maxParamLength: MAX_PARAM_LENGTH });
  const app = Fastify({
    logger: loggerOptions(deps.logger),
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router's own refusals (an over-long or badly encoded path) in the one error format too.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(
        errorBody("not_found", `No route ${request.method} ${request.url.split("?")[0]}. See /api/docs.`),
      );
  });

  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    global: false,
    // Counted in the database, so that a limit holds across every server process on it.
    ...(deps.rateLimitStore === "memory" ? {} : { store: databaseRateLimitStore(deps.database) }),
    errorResponseBuilder: (_request, context) =>
      new AppError(
        "rate_limited",
        `Too many attempts. Try again in ${Math.ceil(context.ttl / 1000)} seconds.`,
      ),
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_FRAME_BYTES } });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "Rapport API",
        description: "Rapport's HTTP API. See docs/api.md for authentication and examples.",
        version,
      },
      components: {
        securitySchemes: {
          sessionCookie: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
          bearerToken: { type: "http", scheme: "bearer", description: "An API token: rpt_…" },
        },
      },
      security: [{ sessionCookie: [] }, { bearerToken: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/docs" });

  const auth = new AuthService(deps.database.db);
  const cookies = { secure: deps.secureCookies ?? false };
  app.decorateRequest("principal", null);
  app.addHook("onRequest", createAuthHook(auth, cookies));
  // U+0000 and lone surrogates cannot reach PostgreSQL: a precise 400, not a 500 (people's own messages are kept, cleaned).
  app.addHook("preValidation", rejectUnstorable(new Set(["/api/ingest", "/api/webhooks/:channelKey"])));

  // The agent workspace (web/dist) at /; without a build, / leads to the API documentation.
  await registerWebApp(app);
  await app.register(healthRoutes, { database: deps.database, version });
  await app.register(authRoutes, {
    auth,
    cookies,
    loginRateLimit: deps.loginRateLimit ?? { max: 10, timeWindow: "1 minute" },
  });
  await app.register(conversationRoutes, { database: deps.database });
  await app.register(peopleRoutes, { database: deps.database });
  await app.register(personMergeRoutes, { database: deps.database });
  await app.register(labelRoutes, { database: deps.database, events: services.events });
  await app.register(queueRoutes, { database: deps.database });
  await app.register(slaRoutes, { database: deps.database });
  await app.register(reportRoutes, { database: deps.database });
  await app.register(ingestRoutes, { ingest: deps.ingest ?? services.ingest });
  await app.register(lifecycleRoutes, {
    database: deps.database,
    lifecycle: services.lifecycle,
    events: services.events,
  });
  await app.register(correctionRoutes, { database: deps.database, corrections: services.corrections });
  await app.register(teamRoutes, { database: deps.database });
  await app.register(replyRoutes, {
    database: deps.database,
    replies: services.replies,
    guard: services.guard,
  });
  await app.register(eventRoutes, { realtime: services.realtime });
  await app.register(agentRoutes, { database: deps.database, auth });
  await app.register(savedReplyRoutes, { database: deps.database });
  await app.register(webhookInboundRoutes, {
    database: deps.database,
    ingest: deps.ingest ?? services.ingest,
    secrets: deps.secrets ?? null,
    bodyLimit: BODY_LIMIT,
    ...(deps.webhookRateLimit ? { rateLimit: deps.webhookRateLimit } : {}),
  });
  await app.register(webhookRoutes, {
    webhooks: new WebhookService({ database: deps.database, secrets: deps.secrets ?? null }),
  });
  await app.register(widgetRoutes, {
    database: deps.database,
    services,
    secrets: deps.secrets ?? null,
    ...deps.widget,
  });
  const connectors = deps.connectors ?? createConnectorRegistry();
  const channelSetup = new ChannelSetupService({
    database: deps.database,
    connectors,
    secrets: deps.secrets ?? null,
  });
  await app.register(channelRoutes, {
    setup: channelSetup,
    ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
    ...(deps.onChannelCreated ? { onChannelCreated: deps.onChannelCreated } : {}),
    ...(deps.onChannelChanged ? { onChannelChanged: deps.onChannelChanged } : {}),
    ...(deps.onChannelDeleted ? { onChannelDeleted: deps.onChannelDeleted } : {}),
  });
  await app.register(attachmentRoutes, { database: deps.database });
  await app.register(channelOAuthRoutes, {
    setup: channelSetup,
    connectors,
    secrets: deps.secrets ?? null,
    ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
    ...(deps.onChannelCreated ? { onChannelCreated: deps.onChannelCreated } : {}),
  });
  return app;
}
