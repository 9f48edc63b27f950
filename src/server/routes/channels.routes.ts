/**
 * Channels (the list is GET /api/channels in teams.routes.ts): set one up (admin; secrets encrypted at rest and never returned), test its
 * connection (admin; each service's failing step), and download a message's attachments.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ConnectorRegistry } from "../../channels/registry.ts";
import { AppError, notFound } from "../../core/errors.ts";
import { describeZodError } from "../../core/inbound.ts";
import { NO_SECRET_KEY, type SecretBox } from "../../services/secrets.ts";
import { attachmentRepository } from "../../store/attachment.repository.ts";
import { type ChannelRow, channelRepository } from "../../store/channel.repository.ts";
import type { Database } from "../../store/db.ts";
import { errorSchema, idParamsSchema } from "../api.schemas.ts";
import { requireAdmin } from "../auth/auth.hook.ts";

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

const channelOut = z.object({
  id: z.string(),
  key: z.string(),
  kind: z.string(),
  name: z.string(),
  config: z.unknown(),
  hasSecrets: z.boolean(),
  capabilities: z.record(z.string(), z.boolean()).nullable(),
  createdAt: z.string(),
});

const checkOut = z.object({
  service: z.string(),
  ok: z.boolean(),
  step: z.string().optional(),
  message: z.string(),
});

export interface ChannelRouteDeps {
  database: Database;
  connectors: ConnectorRegistry;
  secrets: SecretBox | null;
  /** Called after a channel is set up (serve starts its poller). */
  onChannelCreated?: (channel: ChannelRow) => void;
}

export const slug = (text: string) =>
  text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60) || "channel";

export const channelRoutes: FastifyPluginAsyncZod<ChannelRouteDeps> = async (app, deps) => {
  const channels = channelRepository(deps.database.db);
  const present = (row: ChannelRow) => {
    const connector = deps.connectors.get(row.kind);
    return {
      id: row.id,
      key: row.key,
      kind: row.kind,
      name: row.name,
      config: row.config,
      hasSecrets: row.secrets !== null,
      capabilities: connector ? { ...connector.capabilities } : null,
      createdAt: row.createdAt.toISOString(),
    };
  };

  app.post(
    "/api/channels",
    {
      schema: {
        tags: ["channels"],
        summary: "Set up a channel (admin), e.g. an email inbox; see docs/channels/email.md",
        body: z.object({
          kind: z.string().min(1).max(50),
          name: z.string().trim().min(1).max(200),
          key: z
            .string()
            .trim()
            .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/)
            .max(200)
            .optional(),
          config: z.unknown(),
          secrets: z.record(z.string(), z.string()).default({}),
        }),
        response: { 201: channelOut, ...errors },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { kind, name, config, secrets } = request.body;
      const connector = deps.connectors.get(kind);
      if (!connector?.setup) {
        throw new AppError(
          "bad_request",
          `Channels of kind "${kind}" cannot be set up here (kinds: ${deps.connectors
            .all()
            .filter((c) => c.setup)
            .map((c) => c.kind)
            .join(", ")}).`,
        );
      }
      const parsedConfig = connector.setup.config.safeParse(config);
      if (!parsedConfig.success)
        throw new AppError("validation_failed", `config: ${describeZodError(parsedConfig.error)}`);
      const parsedSecrets = connector.setup.secrets.safeParse(secrets);
      if (!parsedSecrets.success)
        throw new AppError("validation_failed", `secrets: ${describeZodError(parsedSecrets.error)}`);
      if (!deps.secrets) throw new AppError("bad_request", NO_SECRET_KEY);
      const key = request.body.key ?? `${kind}-${slug(name)}`;
      const created = await channels.create({
        key,
        kind,
        platform: kind,
        name,
        config: parsedConfig.data,
        secrets: deps.secrets.seal(parsedSecrets.data),
      });
      if (!created)
        throw new AppError("conflict", `A channel with the key "${key}" already exists; choose another key.`);
      deps.onChannelCreated?.(created);
      return reply.status(201).send(present(created));
    },
  );

  app.post(
    "/api/channels/:id/test",
    {
      schema: {
        tags: ["channels"],
        summary: "Test a channel's connection (admin): each service, and exactly which step failed",
        params: idParamsSchema,
        response: { 200: z.object({ ok: z.boolean(), checks: z.array(checkOut) }), ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      const row = await channels.get(request.params.id);
      if (!row) throw notFound("The channel");
      const connector = deps.connectors.get(row.kind);
      if (!connector?.setup)
        throw new AppError("bad_request", `Channels of kind "${row.kind}" have no connection to test.`);
      if (!deps.secrets && row.secrets) throw new AppError("bad_request", NO_SECRET_KEY);
      const checks = await connector.setup.test({
        key: row.key,
        kind: row.kind,
        name: row.name,
        config: row.config,
        secrets: deps.secrets?.open(row.secrets) ?? {},
      });
      return { ok: checks.every((c) => c.ok), checks };
    },
  );

  app.get(
    "/api/messages/:id/attachments/:n",
    {
      schema: {
        tags: ["channels"],
        summary: "Download a message's attachment n (0-based), as sent",
        params: idParamsSchema.extend({ n: z.coerce.number().int().min(0).max(1000) }),
      },
    },
    async (request, reply) => {
      const file = await attachmentRepository(deps.database.db).get(request.params.id, request.params.n);
      if (!file) throw notFound("The attachment");
      if (!file.content) {
        throw new AppError(
          "not_found",
          `${file.filename} (${file.size} bytes) was larger than the 10 MB kept per attachment; the original mail is kept as its raw event.`,
        );
      }
      const ascii = file.filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
      return reply
        .header("content-type", file.contentType)
        .header(
          "content-disposition",
          `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
        )
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "sandbox")
        .send(file.content);
    },
  );
};
