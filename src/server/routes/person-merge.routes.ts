/** Merging two records of one person (and undo), and suggested merges. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { PersonMergeService } from "../../services/person-merge.service.ts";
import type { Database } from "../../store/db.ts";
import { errorSchema, idParamsSchema } from "../api.schemas.ts";
import { actorOf } from "../auth/auth.hook.ts";

const mergeSchema = z.object({
  id: z.string().meta({ description: "The merge's id, for undo" }),
  keptPersonId: z.uuid(),
  mergedPersonId: z.uuid(),
  identityIds: z.array(z.uuid()),
  conversationIds: z.array(z.uuid()),
  undone: z.boolean(),
});
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

export const personMergeRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  const merges = new PersonMergeService(database);

  app.post(
    "/api/people/:id/merge",
    {
      schema: {
        tags: ["people"],
        summary: "Merge another person record into this one (their identities and conversations move here)",
        params: idParamsSchema,
        body: z.object({ personId: z.uuid({ message: "must be a person id (UUID)" }) }),
        response: { 200: mergeSchema, ...errors },
      },
    },
    async (request) => merges.merge(request.params.id, request.body.personId, actorOf(request)),
  );

  app.post(
    "/api/people/merges/:mergeId/undo",
    {
      schema: {
        tags: ["people"],
        summary: "Undo a merge: exactly what moved goes back",
        params: z.object({
          mergeId: z.string().regex(/^\d{1,18}$/, "must be a merge id (a number of at most 18 digits)"),
        }),
        response: { 200: mergeSchema, ...errors },
      },
    },
    async (request) => merges.undo(request.params.mergeId, actorOf(request)),
  );

  app.get(
    "/api/people/merge-suggestions",
    {
      schema: {
        tags: ["people"],
        summary: "People who are probably one person (same email, handle or full name)",
        querystring: z.object({ person: z.uuid({ message: "must be a person id (UUID)" }).optional() }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                reason: z.enum(["same email", "same handle", "same name"]),
                value: z.string(),
                personIds: z.array(z.uuid()),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => ({ items: await merges.suggestions(request.query.person ?? null) }),
  );
};
