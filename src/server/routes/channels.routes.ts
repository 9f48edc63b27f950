/**
 * Channels: the list with each one's health (any agent), and, for admins, the kinds that can be set up
 * (their forms as JSON Schema), setting one up, reading, changing, pausing, resuming and deleting it (only
 * without conversations), and testing its connection. Secrets are encrypted at rest and never returned:
 * only the names of those that are set. The work is in channels/channel.setup.ts.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { type ChannelSetupService, validationError } from "../../channels/channel.setup.ts";
import type { ChannelRow } from "../../store/channel.repository.ts";
import { errorSchema, idParamsSchema } from "../api.schemas.ts";
import { actorOf, requireAdmin } from "../auth/auth.hook.ts";

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

const capabilitiesOut = z.record(z.string(), z.boolean());

const healthOut = z
  .object({
    status: z.enum(["ok", "error", "waiting", "paused", "inactive"]),
    lastOkAt: z.string().nullable().meta({ description: "The last successful poll" }),
    lastErrorAt: z.string().nullable(),
    lastError: z
      .object({ service: z.string(), step: z.string().optional(), message: z.string() })
      .nullable()
      .meta({ description: "The last failure: service, the step that failed, the server's words" }),
  })
  .meta({
    description:
      "ok / error: the newest of the last success and the last failure; waiting: not polled yet; paused; inactive: nothing polls it",
  });

const listItemOut = z.object({
  id: z.uuid(),
  key: z.string(),
  kind: z.string(),
  name: z.string(),
  teamId: z.uuid().nullable(),
  canSetUp: z.boolean().meta({ description: "Its kind can be set up and tested here" }),
  hasSecrets: z.boolean(),
  paused: z.boolean(),
  health: healthOut,
});

const channelOut = listItemOut.extend({
  config: z.unknown(),
  capabilities: capabilitiesOut.nullable(),
  secretsSet: z.array(z.string()).meta({ description: "Names of the secrets that are set (never values)" }),
  secretsError: z.string().nullable().meta({ description: "Why the stored secrets cannot be read" }),
  pausedAt: z.string().nullable(),
  notes: z
    .array(z.object({ label: z.string(), value: z.string(), code: z.boolean().optional() }))
    .meta({ description: "What the admin needs after setup (snippets, webhook URLs); never secrets" }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const checkOut = z.object({
  service: z.string(),
  ok: z.boolean(),
  step: z.string().optional(),
  message: z.string(),
});

const kindOut = z.object({
  kind: z.string(),
  label: z.string(),
  description: z.string().nullable(),
  capabilities: capabilitiesOut,
  polls: z.boolean(),
  oauth: z.boolean().meta({ description: "Can be connected with the platform's sign-in (OAuth)" }),
  generatesSecrets: z.boolean().meta({
    description: "Rapport generates some of its secrets; POST /api/channels/:id/rotate-secret replaces them",
  }),
  config: z.record(z.string(), z.unknown()).meta({ description: "JSON Schema of the config" }),
  secrets: z.record(z.string(), z.unknown()).meta({ description: "JSON Schema of the secrets" }),
});

const nameSchema = z.string().trim().min(1, "must not be empty").max(200);

export interface ChannelRouteDeps {
  setup: ChannelSetupService;
  /** The server's public base URL for setup notes (default: the request's own origin). */
  publicUrl?: string;
  /** Called after a channel is set up (serve starts its poller). */
  onChannelCreated?: (channel: ChannelRow) => unknown;
  /** Called after a channel's settings changed, or it was paused or resumed (serve restarts its poller). */
  onChannelChanged?: (channel: ChannelRow) => void;
  /** Called after a channel was deleted (serve stops its poller). */
  onChannelDeleted?: (id: string) => void;
}

export const channelRoutes: FastifyPluginAsyncZod<ChannelRouteDeps> = async (app, deps) => {
  const { setup } = deps;
  const listItem = (row: ChannelRow) => ({
    id: row.id,
    key: row.key,
    kind: row.kind,
    name: row.name,
    teamId: row.teamId,
    canSetUp: setup.kinds().some((k) => k.kind === row.kind),
    hasSecrets: row.secrets !== null,
    paused: row.pausedAt !== null,
    health: setup.health(row),
  });
  const detail = (row: ChannelRow, publicUrl: string) => {
    const secrets = setup.secretsSet(row);
    const kind = setup.kinds().find((k) => k.kind === row.kind);
    return {
      ...listItem(row),
      config: row.config,
      capabilities: kind ? { ...kind.capabilities } : null,
      secretsSet: secrets.names,
      secretsError: secrets.error,
      pausedAt: row.pausedAt?.toISOString() ?? null,
      notes: setup.notes(row, publicUrl),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  };
  const publicUrl = (request: { protocol: string; host: string }) =>
    deps.publicUrl ?? `${request.protocol}://${request.host}`;

  app.get(
    "/api/channel-kinds",
    {
      schema: {
        tags: ["channels"],
        summary: "The kinds of channel that can be set up (admin), with their forms as JSON Schema",
        response: { 200: z.object({ items: z.array(kindOut) }), ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      return { items: setup.kinds().map((k) => ({ ...k, capabilities: { ...k.capabilities } })) };
    },
  );

  app.get(
    "/api/channels",
    {
      schema: {
        tags: ["channels"],
        summary: "Connected channels: the team that answers each, paused or not, and their health",
        response: { 200: z.object({ items: z.array(listItemOut) }), ...errors },
      },
    },
    async () => ({ items: (await setup.list()).map(listItem) }),
  );

  app.post(
    "/api/channels",
    {
      schema: {
        tags: ["channels"],
        summary: "Set up a channel (admin), e.g. an email inbox; see docs/channels/email.md",
        body: z.object({
          kind: z.string().min(1).max(50),
          name: nameSchema,
          key: z
            .string()
            .trim()
            .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/)
            .max(200)
            .optional(),
          config: z.unknown().optional(),
          secrets: z.record(z.string(), z.string()).default({}),
        }),
        response: {
          201: channelOut.extend({
            /** Secrets Rapport generated (e.g. a webhook signing secret): shown this once. */
            generatedSecrets: z.record(z.string(), z.string()).optional(),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { key, ...input } = request.body;
      const { channel: created, generatedSecrets } = await setup.create(
        { ...input, ...(key ? { key } : {}) },
        actorOf(request),
      );
      await deps.onChannelCreated?.(created);
      const shown = Object.keys(generatedSecrets).length > 0 ? { generatedSecrets } : {};
      return reply.status(201).send({ ...detail(created, publicUrl(request)), ...shown });
    },
  );

  app.get(
    "/api/channels/:id",
    {
      schema: {
        tags: ["channels"],
        summary: "One channel's settings (admin): config, which secrets are set, notes and health",
        params: idParamsSchema,
        response: { 200: channelOut, ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      return detail(await setup.get(request.params.id), publicUrl(request));
    },
  );

  app.patch(
    "/api/channels/:id",
    {
      schema: {
        tags: ["channels"],
        summary: "Rename a channel, replace its config, replace individual secrets (admin)",
        description:
          "`config` replaces the whole config; `secrets` replaces only the secrets it names (null removes an optional one). Validated against the connector's schemas; the poller restarts with the new settings.",
        params: idParamsSchema,
        body: z
          .object({
            name: nameSchema.optional(),
            config: z.unknown().optional(),
            secrets: z.record(z.string(), z.string().nullable()).optional(),
          })
          .strict(),
        response: { 200: channelOut, ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      const { name, config, secrets } = request.body;
      if (name === undefined && config === undefined && secrets === undefined)
        throw validationError([{ field: "body", message: "name, config or secrets: nothing to change" }]);
      const updated = await setup.update(
        request.params.id,
        {
          ...(name !== undefined ? { name } : {}),
          ...(config !== undefined ? { config } : {}),
          ...(secrets !== undefined ? { secrets } : {}),
        },
        actorOf(request),
      );
      deps.onChannelChanged?.(updated);
      return detail(updated, publicUrl(request));
    },
  );

  for (const action of ["pause", "resume"] as const) {
    app.post(
      `/api/channels/:id/${action}`,
      {
        schema: {
          tags: ["channels"],
          summary:
            action === "pause"
              ? "Pause a channel (admin): it is no longer polled; its conversations stay"
              : "Resume a paused channel (admin): polling starts again",
          params: idParamsSchema,
          response: { 200: channelOut, ...errors },
        },
      },
      async (request) => {
        requireAdmin(request);
        const row = await setup.setPaused(request.params.id, action === "pause", actorOf(request));
        deps.onChannelChanged?.(row);
        return detail(row, publicUrl(request));
      },
    );
  }

  app.delete(
    "/api/channels/:id",
    {
      schema: {
        tags: ["channels"],
        summary: "Delete a channel that has no conversations (admin); one with conversations answers 409",
        params: idParamsSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      await setup.delete(request.params.id, actorOf(request));
      deps.onChannelDeleted?.(request.params.id);
      return reply.status(204).send(null);
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
      return setup.test(request.params.id);
    },
  );

  app.post(
    "/api/channels/:id/rotate-secret",
    {
      schema: {
        tags: ["channels"],
        summary:
          "Replace the secrets Rapport generated for a channel (admin), e.g. a webhook signing secret; the new ones are shown this once",
        params: idParamsSchema,
        response: { 200: z.object({ generatedSecrets: z.record(z.string(), z.string()) }), ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      return { generatedSecrets: await setup.rotateGenerated(request.params.id, actorOf(request)) };
    },
  );
};
