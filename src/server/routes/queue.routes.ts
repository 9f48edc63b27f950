/** GET /api/queue — the fair queue: open conversations awaiting our reply, by need and waiting time. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../core/errors.ts";
import { QueueService } from "../../services/queue.service.ts";
import type { Database } from "../../store/db.ts";
import { cursorSchema, encodeCursor, errorSchema, limitSchema } from "../api.schemas.ts";
import { requireAgent } from "../auth/auth.hook.ts";
import { conversationSummarySchema } from "./conversations.routes.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const querySchema = z.object({
  channel: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(200)
    .optional()
    .meta({ description: "Channel key" }),
  team: z.uuid({ message: "must be a team id (UUID)" }).optional(),
  assignee: z
    .string()
    .refine((v) => v === "me" || v === "none" || UUID.test(v), "must be an agent id (UUID), me or none")
    .optional()
    .meta({ description: "An agent id, me, or none (unassigned)" }),
  limit: limitSchema,
  cursor: cursorSchema.optional().meta({ description: "nextCursor from the previous page" }),
});

const needSchema = z.object({
  negative: z.boolean(),
  complaint: z.boolean(),
  urgent: z.array(z.string()),
  question: z.boolean(),
  followUp: z.boolean(),
  repeated: z.boolean(),
  likelySpam: z.boolean(),
});

const queueItemSchema = conversationSummarySchema.extend({
  score: z
    .number()
    .int()
    .meta({ description: "Minutes past the need-adjusted deadline (negative: time left). Higher is first." }),
  why: z.array(z.string()).meta({ description: "Why this position, in plain words" }),
  waitingSince: z.string().nullable(),
  slaDueAt: z.string().nullable(),
  queueDueAt: z.string().nullable(),
  need: needSchema,
});

export const queueRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  const queue = new QueueService(database.db);
  app.get(
    "/api/queue",
    {
      schema: {
        tags: ["queue"],
        summary: "The fair queue: who to answer next, with the reasons",
        description:
          "Open conversations awaiting our reply, ordered by need-adjusted deadline (earliest first). " +
          "Follower counts and influence are never inputs. See docs/queue.md.",
        querystring: querySchema,
        response: {
          200: z.object({ items: z.array(queueItemSchema), nextCursor: z.string().nullable() }),
          400: errorSchema,
          401: errorSchema,
        },
      },
    },
    async (request) => {
      const { assignee, cursor, team, ...query } = request.query;
      if (cursor && cursor.at === null)
        throw new AppError("bad_request", "querystring.cursor: not a queue cursor");
      const page = await queue.page({
        ...query,
        ...(team ? { teamId: team } : {}),
        ...(assignee ? { assignee: assignee === "me" ? requireAgent(request).id : assignee } : {}),
        ...(cursor?.at ? { after: { at: cursor.at, id: cursor.id } } : {}),
      });
      return { items: page.items, nextCursor: encodeCursor(page.next) };
    },
  );
};
