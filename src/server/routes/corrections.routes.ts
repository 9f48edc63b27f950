/**
 * Agents' corrections of a message's analysis (docs/corrections.md): set and take
 * back a message's labels, and list every correction (the workspace's own labelled examples).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { CORRECTABLE_FIELDS } from "../../analysis/corrections.ts";
import { clampQueryBound, isStorableInstant } from "../../core/instants.ts";
import { type CorrectionsService, presentCorrection } from "../../services/corrections.service.ts";
import { correctionsRepository } from "../../store/corrections.repository.ts";
import type { Database } from "../../store/db.ts";
import { errorSchema, idParamsSchema, limitSchema } from "../api.schemas.ts";
import { actorOf } from "../auth/auth.hook.ts";

const fieldSchema = z.enum(CORRECTABLE_FIELDS);
const intentSchema = z.enum(["question", "complaint", "suggestion", "praise", "other"]);

export const labelsSchema = z
  .object({
    sentiment: z.enum(["positive", "neutral", "negative"]).optional(),
    intent: z.array(intentSchema).min(1, "must name at least one intent").max(5).optional(),
    urgency: z.enum(["low", "normal", "high"]).optional(),
    spam: z.enum(["spam", "ham"]).optional(),
    language: z
      .string()
      .regex(/^[a-z]{2}$/, "must be an ISO 639-1 code of two lower-case letters, such as en or fr")
      .optional(),
  })
  .strict()
  .refine(
    (b) => Object.keys(b).length > 0,
    "name at least one of sentiment, intent, urgency, spam, language",
  );

const correctionSchema = z.object({
  messageId: z.uuid(),
  conversationId: z.uuid(),
  channel: z.string(),
  field: fieldSchema,
  machine: z.unknown().meta({ description: "What the analyzer said (sentiment and spam: { label, score })" }),
  human: z.union([z.string(), z.array(z.string())]).meta({ description: "What the agent said" }),
  analyzerVersion: z.string().nullable(),
  text: z.string().meta({ description: "The message's text when it was corrected" }),
  agent: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  correctedAt: z.string(),
});

export { correctionSchema };

/** A lower bound: any ISO date-time, clamped to what PostgreSQL holds (core/instants.ts). */
const sinceSchema = z.iso
  .datetime({ message: "must be an ISO 8601 date-time" })
  .transform((value) => clampQueryBound(new Date(value)).toISOString());

type Position = { at: string; messageId: string; field: string };
const cursorSchema = z.string().transform((value, ctx): Position => {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    const ok = z.tuple([z.iso.datetime().refine(isStorableInstant), z.uuid(), fieldSchema]).safeParse(parsed);
    if (ok.success) return { at: ok.data[0], messageId: ok.data[1], field: ok.data[2] };
  } catch {}
  ctx.addIssue({ code: "custom", message: "is not a cursor returned by this API" });
  return z.NEVER;
});

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };
const result = z.object({ corrections: z.array(correctionSchema) });

/** The report analyses at most this many of the newest corrections again, per request. */
export const REPORT_LIMIT = 10_000;

const reportSchema = z.object({
  analyzer: z.string().meta({ description: "The analyzer version that read the corrected texts again" }),
  limited: z.boolean().meta({ description: "True when older corrections were left out (see limit)" }),
  fields: z.array(
    z.object({
      field: fieldSchema,
      corrections: z.number().int(),
      agreesNow: z
        .number()
        .int()
        .meta({ description: "How many the current analyzer now reads as the agent did" }),
      confusion: z
        .array(z.object({ machine: z.string(), human: z.string(), count: z.number().int() }))
        .meta({ description: "What the analyzer said then → what the agent said, most frequent first" }),
    }),
  ),
});

export const correctionRoutes: FastifyPluginAsyncZod<{
  database: Database;
  corrections: CorrectionsService;
}> = async (app, { database, corrections }) => {
  app.put(
    "/api/messages/:id/analysis",
    {
      schema: {
        tags: ["analysis"],
        summary:
          "Correct a message's analysis (sentiment, intent, urgency, spam, language); the agent's label wins everywhere",
        params: idParamsSchema,
        body: labelsSchema,
        response: { 200: result, ...errors },
      },
    },
    async (request) => ({
      corrections: (await corrections.correct(request.params.id, request.body, actorOf(request))).map(
        presentCorrection,
      ),
    }),
  );

  app.delete(
    "/api/messages/:id/analysis/:field",
    {
      schema: {
        tags: ["analysis"],
        summary: "Take a correction back: the field shows the analyzer's value again",
        params: idParamsSchema.extend({ field: fieldSchema }),
        response: { 200: result, ...errors },
      },
    },
    async (request) => ({
      corrections: (await corrections.revert(request.params.id, request.params.field, actorOf(request))).map(
        presentCorrection,
      ),
    }),
  );

  app.get(
    "/api/analysis/corrections/report",
    {
      schema: {
        tags: ["analysis"],
        summary:
          "The current analyzer on agents' corrections: each corrected text analysed again, agreement by field",
        querystring: z.object({
          since: sinceSchema.optional(),
          limit: z.coerce
            .number({ message: "must be a number" })
            .int("must be a whole number")
            .min(1, `must be between 1 and ${REPORT_LIMIT}`)
            .max(REPORT_LIMIT, `must be between 1 and ${REPORT_LIMIT}`)
            .default(REPORT_LIMIT)
            .meta({ description: "How many of the newest corrections to analyse again" }),
        }),
        response: { 200: reportSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (request) => {
      const { since, limit } = request.query;
      // Each text is analysed again on this request: the newest `limit` corrections at most (~40 µs each).
      return corrections.report({ limit, ...(since ? { since } : {}) });
    },
  );

  app.get(
    "/api/analysis/corrections",
    {
      schema: {
        tags: ["analysis"],
        summary: "Every correction agents made, oldest first: the workspace's own labelled examples",
        querystring: z.object({
          field: fieldSchema.optional(),
          since: sinceSchema.optional(),
          cursor: cursorSchema.optional(),
          limit: limitSchema,
        }),
        response: {
          200: z.object({ items: z.array(correctionSchema), nextCursor: z.string().nullable() }),
          400: errorSchema,
          401: errorSchema,
        },
      },
    },
    async (request) => {
      const { field, since, cursor, limit } = request.query;
      const rows = await correctionsRepository(database).page({
        limit: limit + 1,
        ...(field ? { field } : {}),
        ...(since ? { since } : {}),
        ...(cursor ? { after: cursor } : {}),
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(presentCorrection),
        nextCursor:
          rows.length > limit && last
            ? Buffer.from(JSON.stringify([last.corrected_at, last.message_id, last.field])).toString(
                "base64url",
              )
            : null,
      };
    },
  );
};
