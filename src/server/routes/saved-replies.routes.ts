/** Saved replies: list, create, change, delete, and render one for a conversation. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../../core/errors.ts";
import { renderPlaceholders } from "../../core/placeholders.ts";
import type { Database } from "../../store/db.ts";
import { outboxRepository } from "../../store/outbox.repository.ts";
import { savedReplyRepository } from "../../store/saved-reply.repository.ts";
import { errorSchema, idParamsSchema } from "../api.schemas.ts";
import { requireAgent } from "../auth/auth.hook.ts";

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };
const savedReplySchema = z.object({ id: z.uuid(), title: z.string(), text: z.string() });
const title = z.string().trim().min(1, "must not be empty").max(200);
const text = z.string().trim().min(1, "must not be empty").max(10_000);

export const savedReplyRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  const repo = savedReplyRepository(database.db);

  app.get(
    "/api/saved-replies",
    {
      schema: {
        tags: ["saved replies"],
        summary: "The team's saved replies, by title",
        response: { 200: z.object({ items: z.array(savedReplySchema) }), ...errors },
      },
    },
    async () => ({ items: await repo.list() }),
  );

  app.post(
    "/api/saved-replies",
    {
      schema: {
        tags: ["saved replies"],
        summary:
          "Save a reply; placeholders: {{person.firstName}}, {{person.name}}, {{agent.name}}, {{agent.firstName}}",
        body: z.object({ title, text }),
        response: { 201: savedReplySchema, ...errors },
      },
    },
    async (request, reply) => {
      const agentId = request.principal?.agent?.id ?? null;
      return reply.status(201).send(await repo.create({ ...request.body, createdByAgentId: agentId }));
    },
  );

  app.patch(
    "/api/saved-replies/:id",
    {
      schema: {
        tags: ["saved replies"],
        summary: "Change a saved reply's title or text",
        params: idParamsSchema,
        body: z.object({ title: title.optional(), text: text.optional() }),
        response: { 200: savedReplySchema, ...errors },
      },
    },
    async (request) => {
      const { title: newTitle, text: newText } = request.body;
      const row = await repo.update(request.params.id, {
        ...(newTitle !== undefined ? { title: newTitle } : {}),
        ...(newText !== undefined ? { text: newText } : {}),
      });
      if (!row) throw notFound("The saved reply");
      return row;
    },
  );

  app.delete(
    "/api/saved-replies/:id",
    {
      schema: {
        tags: ["saved replies"],
        summary: "Delete a saved reply",
        params: idParamsSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      if (!(await repo.remove(request.params.id))) throw notFound("The saved reply");
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/api/saved-replies/:id/render",
    {
      schema: {
        tags: ["saved replies"],
        summary:
          "The saved reply with its placeholders filled for a conversation (unfillable ones stay; the guard blocks them)",
        params: idParamsSchema,
        querystring: z.object({ conversationId: z.uuid({ message: "must be a UUID" }) }),
        response: { 200: z.object({ text: z.string() }), ...errors },
      },
    },
    async (request) => {
      const agent = requireAgent(request);
      const saved = await repo.find(request.params.id);
      if (!saved) throw notFound("The saved reply");
      const target = await outboxRepository(database.db).target(request.query.conversationId);
      if (!target) throw notFound("The conversation");
      return {
        text: renderPlaceholders(saved.text, {
          person: { name: target.person_name },
          agent: { name: agent.name },
        }),
      };
    },
  );
};
