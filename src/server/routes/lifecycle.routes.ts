/**
 * Changing a conversation: status (open, waiting, resolved, spam), assignment, presence (who is
 * viewing or replying), its audit history; and an agent's own availability.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../../core/errors.ts";
import type { EventBus } from "../../services/events.ts";
import type { LifecycleService } from "../../services/lifecycle.service.ts";
import type { Database } from "../../store/db.ts";
import { presenceRepository } from "../../store/presence.repository.ts";
import { errorSchema, idParamsSchema } from "../api.schemas.ts";
import { actorOf, requireAgent } from "../auth/auth.hook.ts";

/** Presence lasts this long unless renewed (clients renew every ~10 s while the page is open). */
export const PRESENCE_TTL_MS = 30_000;

const statusSchema = z.enum(["open", "waiting", "resolved", "spam"]);
const presenceSchema = z.object({
  agentId: z.uuid(),
  name: z.string(),
  activity: z.enum(["viewing", "replying"]),
  expiresAt: z.string(),
});
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };

export const lifecycleRoutes: FastifyPluginAsyncZod<{
  database: Database;
  lifecycle: LifecycleService;
  events: EventBus;
}> = async (app, { database, lifecycle, events }) => {
  const presence = presenceRepository(database.db);

  app.post(
    "/api/conversations/:id/status",
    {
      schema: {
        tags: ["conversations"],
        summary: "Change a conversation's status: open, waiting (on the person), resolved, spam",
        params: idParamsSchema,
        body: z.object({ status: statusSchema }),
        response: { 200: z.object({ from: statusSchema, to: statusSchema }), ...errors },
      },
    },
    async (request) => lifecycle.setStatus(request.params.id, request.body.status, actorOf(request)),
  );

  app.post(
    "/api/conversations/:id/assign",
    {
      schema: {
        tags: ["conversations"],
        summary: "Assign a conversation to an agent and/or a team (null unassigns; omitted keeps)",
        params: idParamsSchema,
        body: z
          .object({
            agentId: z
              .union([
                z.uuid({ message: "must be an agent id (UUID), me or null" }),
                z.literal("me"),
                z.null(),
              ])
              .optional(),
            teamId: z.uuid({ message: "must be a team id (UUID) or null" }).nullable().optional(),
          })
          .refine((b) => b.agentId !== undefined || b.teamId !== undefined, "give agentId and/or teamId"),
        response: { 200: z.object({ agentId: z.uuid().nullable(), teamId: z.uuid().nullable() }), ...errors },
      },
    },
    async (request) => {
      const { agentId, teamId } = request.body;
      return lifecycle.assign(
        request.params.id,
        {
          ...(agentId !== undefined
            ? { agentId: agentId === "me" ? requireAgent(request).id : agentId }
            : {}),
          ...(teamId !== undefined ? { teamId } : {}),
        },
        actorOf(request),
      );
    },
  );

  app.get(
    "/api/conversations/:id/history",
    {
      schema: {
        tags: ["conversations"],
        summary: "The audit trail of a conversation: who changed what, when",
        params: idParamsSchema,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                actorKind: z.string(),
                actorId: z.string().nullable(),
                actorName: z.string().nullable(),
                action: z.string(),
                data: z.unknown(),
                createdAt: z.string(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => ({
      items: (await lifecycle.history(request.params.id)).map((e) => ({
        id: e.id,
        actorKind: e.actor_kind,
        actorId: e.actor_id,
        actorName: e.actor_name,
        action: e.action,
        data: e.data,
        createdAt: e.created_at,
      })),
    }),
  );

  app.get(
    "/api/conversations/:id/presence",
    {
      schema: {
        tags: ["conversations"],
        summary: "Who is viewing or replying to this conversation right now",
        params: idParamsSchema,
        response: { 200: z.object({ items: z.array(presenceSchema) }), ...errors },
      },
    },
    async (request) => ({ items: await presence.active(request.params.id, new Date()) }),
  );

  app.put(
    "/api/conversations/:id/presence",
    {
      schema: {
        tags: ["conversations"],
        summary: `Say you are viewing or replying (expires after ${PRESENCE_TTL_MS / 1000} s unless renewed)`,
        params: idParamsSchema,
        body: z.object({ activity: z.enum(["viewing", "replying"]) }),
        response: { 200: z.object({ items: z.array(presenceSchema) }), ...errors },
      },
    },
    async (request) => {
      const agent = requireAgent(request);
      const now = new Date();
      let changed = false;
      try {
        changed = await presence.upsert(
          request.params.id,
          agent.id,
          request.body.activity,
          new Date(now.getTime() + PRESENCE_TTL_MS),
        );
      } catch (error) {
        // A foreign-key violation: no such conversation.
        if (
          String(
            (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code,
          ) === "23503"
        ) {
          throw notFound("The conversation");
        }
        throw error;
      }
      // Renewals every ~10 s are not news; a new viewer or a change of activity is.
      if (changed) events.publish([{ type: "presence.changed", conversationId: request.params.id }]);
      return { items: await presence.active(request.params.id, now) };
    },
  );

  app.delete(
    "/api/conversations/:id/presence",
    {
      schema: {
        tags: ["conversations"],
        summary: "Say you left the conversation",
        params: idParamsSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      if (await presence.remove(request.params.id, requireAgent(request).id))
        events.publish([{ type: "presence.changed", conversationId: request.params.id }]);
      return reply.status(204).send(null);
    },
  );

  app.put(
    "/api/agents/me/availability",
    {
      schema: {
        tags: ["agents"],
        summary:
          "Set your availability (offline agents' open work returns to the team after the grace period)",
        body: z.object({ availability: z.enum(["online", "away", "offline"]) }),
        response: { 200: z.object({ availability: z.enum(["online", "away", "offline"]) }), ...errors },
      },
    },
    async (request) => {
      await lifecycle.setAvailability(requireAgent(request).id, request.body.availability);
      return { availability: request.body.availability };
    },
  );
};
