/** People: search, and one person with every identity and their history across channels. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../../core/errors.ts";
import type { Database } from "../../store/db.ts";
import { personRepository } from "../../store/person.repository.ts";
import {
  channelRefSchema,
  cursorSchema,
  encodeCursor,
  errorSchema,
  idParamsSchema,
  limitSchema,
} from "../api.schemas.ts";

const personSummarySchema = z.object({
  id: z.uuid(),
  displayName: z.string().nullable(),
  createdAt: z.string(),
  identities: z.array(z.object({ platform: z.string(), handle: z.string().nullable() })),
  conversationCount: z.number().int(),
});

const personDetailSchema = z.object({
  id: z.uuid(),
  displayName: z.string().nullable(),
  notes: z.string().nullable(),
  tags: z.array(z.string()),
  locale: z.string().nullable(),
  mergedIntoId: z.uuid().nullable(),
  createdAt: z.string(),
  identities: z.array(
    z.object({
      id: z.uuid(),
      platform: z.string(),
      externalId: z.string(),
      handle: z.string().nullable(),
      displayName: z.string().nullable(),
      profileUrl: z.string().nullable(),
      followerCount: z.number().int().nullable(),
    }),
  ),
  conversations: z.array(
    z.object({
      id: z.uuid(),
      channel: channelRefSchema,
      status: z.enum(["open", "waiting", "resolved", "spam"]),
      visibility: z.enum(["public", "private"]),
      subject: z.string().nullable(),
      messageCount: z.number().int(),
      firstInboundAt: z.string().nullable(),
      lastMessageAt: z.string().nullable(),
    }),
  ),
});

export const peopleRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  const people = personRepository(database.db);

  app.get(
    "/api/people",
    {
      schema: {
        tags: ["people"],
        summary: "Search people by name or handle, newest first",
        querystring: z.object({
          q: z.string().trim().min(1, "must not be empty").max(200).optional(),
          limit: limitSchema,
          cursor: cursorSchema.optional(),
        }),
        response: {
          200: z.object({ items: z.array(personSummarySchema), nextCursor: z.string().nullable() }),
          400: errorSchema,
          401: errorSchema,
        },
      },
    },
    async (request) => {
      const { q, limit, cursor } = request.query;
      const page = await people.list({ q, limit, after: cursor });
      return { items: page.items, nextCursor: encodeCursor(page.next) };
    },
  );

  app.get(
    "/api/people/:id",
    {
      schema: {
        tags: ["people"],
        summary: "A person, every identity on every platform, and all their conversations",
        params: idParamsSchema,
        response: { 200: personDetailSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const person = await people.findWithHistory(request.params.id);
      if (!person) throw notFound("The person");
      return person;
    },
  );
};
