/** Agents: your own profile (name, signature, avatar); admins invite agents and set roles and capacity. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError, notFound } from "../../core/errors.ts";
import { type AuthService, publicAgent } from "../../services/auth.service.ts";
import { type AgentRow, agentRepository } from "../../store/agent.repository.ts";
import type { Database } from "../../store/db.ts";
import { agentSchema, errorSchema, idParamsSchema } from "../api.schemas.ts";
import { requireAdmin, requireAgent } from "../auth/auth.hook.ts";

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };
const agentOut = agentSchema.extend({ capacity: z.number().int() });
const present = (row: AgentRow) => ({ ...publicAgent(row), capacity: row.capacity });
const roleSchema = z.enum(["admin", "agent"]);

export const agentRoutes: FastifyPluginAsyncZod<{ database: Database; auth: AuthService }> = async (
  app,
  { database, auth },
) => {
  const agents = agentRepository(database.db);

  app.patch(
    "/api/agents/me",
    {
      schema: {
        tags: ["agents"],
        summary: "Change your display name, signature (null: “— {first name}”) or avatar URL",
        body: z.object({
          name: z.string().trim().min(1, "must not be empty").max(200).optional(),
          signature: z.string().trim().max(500).nullable().optional(),
          avatarUrl: z
            .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
            .max(2000)
            .nullable()
            .optional(),
        }),
        response: { 200: agentOut, ...errors },
      },
    },
    async (request) => {
      const me = requireAgent(request);
      const { name, signature, avatarUrl } = request.body;
      const row = await agents.update(me.id, {
        ...(name !== undefined ? { name } : {}),
        ...(signature !== undefined ? { signature: signature === "" ? null : signature } : {}),
        ...(avatarUrl !== undefined ? { avatarUrl } : {}),
      });
      return present(row!);
    },
  );

  app.post(
    "/api/agents",
    {
      schema: {
        tags: ["agents"],
        summary: "Invite an agent with an initial password (admin)",
        body: z.object({
          email: z.string().trim().min(1, "must not be empty").max(320),
          name: z.string().trim().min(1, "must not be empty").max(200),
          role: roleSchema.default("agent"),
          password: z.string().min(1, "must not be empty").max(1024),
        }),
        response: { 201: agentOut, ...errors },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const created = await auth.createAgent(request.body);
      return reply.status(201).send(present((await agents.findById(created.id))!));
    },
  );

  app.patch(
    "/api/agents/:id",
    {
      schema: {
        tags: ["agents"],
        summary: "Change an agent's role or capacity (admin)",
        params: idParamsSchema,
        body: z.object({
          role: roleSchema.optional(),
          capacity: z.number().int().min(0).max(1000).optional(),
        }),
        response: { 200: agentOut, ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      const existing = await agents.findById(request.params.id);
      if (!existing) throw notFound("The agent");
      const { role, capacity } = request.body;
      if (role === "agent" && existing.role === "admin" && (await agents.countAdmins()) <= 1) {
        throw new AppError("conflict", "This is the last admin; make someone else an admin first.");
      }
      const row = await agents.update(existing.id, {
        ...(role !== undefined ? { role } : {}),
        ...(capacity !== undefined ? { capacity } : {}),
      });
      return present(row!);
    },
  );
};
