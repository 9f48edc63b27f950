/** Teams (with their assignment mode and members), channels' teams, and the agent directory. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError, notFound } from "../../core/errors.ts";
import type { Database } from "../../store/db.ts";
import { teamRepository } from "../../store/team.repository.ts";
import { errorSchema, idParamsSchema } from "../api.schemas.ts";
import { requireAdmin } from "../auth/auth.hook.ts";

const modeSchema = z.enum(["manual", "round_robin", "least_loaded"]);
const teamSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  assignmentMode: modeSchema,
  offlineGraceMinutes: z.number().int(),
  members: z.array(
    z.object({ id: z.uuid(), name: z.string(), availability: z.enum(["online", "away", "offline"]) }),
  ),
});
const teamInput = z.object({
  name: z.string().trim().min(1, "must not be empty").max(100),
  assignmentMode: modeSchema.default("manual"),
  offlineGraceMinutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(15),
  memberIds: z.array(z.uuid()).max(500).default([]),
});
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

export const teamRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  const repo = teamRepository(database.db);
  const checkMembers = async (ids: string[]) => {
    const found = await repo.humanAgents(ids);
    const missing = ids.filter((id) => !found.includes(id));
    if (missing.length)
      throw new AppError("bad_request", `body.memberIds: not agents who can sign in: ${missing.join(", ")}`);
  };

  app.get(
    "/api/teams",
    {
      schema: {
        tags: ["teams"],
        summary: "Teams with their members",
        response: { 200: z.object({ items: z.array(teamSchema) }), ...errors },
      },
    },
    async () => ({ items: await repo.list() }),
  );

  app.post(
    "/api/teams",
    {
      schema: {
        tags: ["teams"],
        summary: "Create a team (admin)",
        body: teamInput,
        response: { 201: teamSchema, ...errors },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { memberIds, ...values } = request.body;
      await checkMembers(memberIds);
      const id = await repo.create(values);
      if (!id) throw new AppError("conflict", `A team named "${values.name}" already exists.`);
      await repo.setMembers(id, memberIds);
      return reply.status(201).send((await repo.find(id))!);
    },
  );

  app.patch(
    "/api/teams/:id",
    {
      schema: {
        tags: ["teams"],
        summary: "Change a team's name, assignment mode, grace period or members (admin)",
        params: idParamsSchema,
        body: z.object({
          name: teamInput.shape.name.optional(),
          assignmentMode: modeSchema.optional(),
          offlineGraceMinutes: z
            .number()
            .int()
            .min(0)
            .max(7 * 24 * 60)
            .optional(),
          memberIds: z.array(z.uuid()).max(500).optional(),
        }),
        response: { 200: teamSchema, ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      if (!(await repo.find(request.params.id))) throw notFound("The team");
      const { memberIds, ...values } = request.body;
      // Members are checked before anything is written, so a refused change leaves the team as it was.
      if (memberIds) await checkMembers(memberIds);
      await repo.update(request.params.id, values);
      if (memberIds) await repo.setMembers(request.params.id, memberIds);
      return (await repo.find(request.params.id))!;
    },
  );

  app.get(
    "/api/agents",
    {
      schema: {
        tags: ["agents"],
        summary: "The agents who answer, with availability and open conversations",
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.uuid(),
                name: z.string(),
                email: z.string().nullable(),
                role: z.enum(["admin", "agent"]),
                availability: z.enum(["online", "away", "offline"]),
                capacity: z.number().int(),
                openConversations: z.number().int(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async () => ({ items: await repo.agents() }),
  );

  app.put(
    "/api/channels/:id/team",
    {
      schema: {
        tags: ["channels"],
        summary: "Choose the team that answers a channel's new conversations (admin)",
        params: idParamsSchema,
        body: z.object({ teamId: z.uuid({ message: "must be a team id (UUID) or null" }).nullable() }),
        response: { 200: z.object({ id: z.uuid(), teamId: z.uuid().nullable() }), ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      const { teamId } = request.body;
      if (teamId && !(await repo.find(teamId)))
        throw new AppError("bad_request", `body.teamId: no team ${teamId}`);
      if (!(await repo.setChannelTeam(request.params.id, teamId))) throw notFound("The channel");
      return { id: request.params.id, teamId };
    },
  );
};
