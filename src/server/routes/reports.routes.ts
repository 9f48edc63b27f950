/** The fairness and happiness reports, computed from stored conversations. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { fairnessReport } from "../../services/reports/fairness.report.ts";
import { happinessReport } from "../../services/reports/happiness.report.ts";
import { parseReportBound, type ReportOptions } from "../../services/reports/report.scope.ts";
import type { Database } from "../../store/db.ts";
import { errorSchema } from "../api.schemas.ts";

const bound = (edge: "from" | "to") =>
  z
    .string()
    .transform((value, ctx): Date => {
      const parsed = parseReportBound(value, edge);
      if (!parsed) {
        ctx.addIssue({
          code: "custom",
          message: `must be an ISO date (2026-01-31) or date-time with an offset (2026-01-31T12:00:00Z); got "${value}"`,
        });
        return z.NEVER;
      }
      return parsed;
    })
    .meta({
      description:
        edge === "from"
          ? "First inbound message at or after this date (UTC day) or instant"
          : "First inbound message up to this date (the whole UTC day included) or before this instant",
    });

const querySchema = z
  .object({
    from: bound("from").optional(),
    to: bound("to").optional(),
    channel: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(200)
      .optional()
      .meta({ description: "Channel key" }),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, {
    message: "`from` must be earlier than `to`",
    path: ["to"],
  });

const rangeSchema = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  channel: z.string().nullable(),
});
const secondsSchema = z.object({ p50: z.number().nullable(), p90: z.number().nullable() });

const fairnessSchema = z.object({
  range: rangeSchema,
  buckets: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      min: z.number().nullable(),
      max: z.number().nullable(),
      people: z.number().int(),
      conversations: z.number().int(),
      answered: z.number().int(),
      answeredShare: z.number().nullable(),
      firstResponseSeconds: secondsSchema,
    }),
  ),
  ratio: z.number().nullable(),
  slowest: z.string().nullable(),
  fastest: z.string().nullable(),
  threshold: z.number(),
  fair: z.boolean().nullable(),
  verdict: z.string(),
});

const figuresSchema = z.object({
  people: z.number().int(),
  peopleAnswered: z.number().int(),
  answeredShare: z.number().nullable(),
  conversations: z.number().int(),
  answeredConversations: z.number().int(),
  firstResponseSeconds: secondsSchema,
  sentiment: z.object({
    start: z.number().nullable(),
    end: z.number().nullable(),
    shift: z.number().nullable(),
    startedNegative: z.number().int(),
    recovered: z.number().int(),
    recoveredShare: z.number().nullable(),
  }),
});

const happinessSchema = z.object({
  range: rangeSchema,
  overall: figuresSchema,
  byChannel: z.array(figuresSchema.extend({ channel: z.object({ key: z.string(), name: z.string() }) })),
  byWeek: z.array(figuresSchema.extend({ week: z.string(), start: z.string() })),
});

const options = (query: z.infer<typeof querySchema>): ReportOptions => ({
  ...(query.from ? { from: query.from } : {}),
  ...(query.to ? { to: query.to } : {}),
  ...(query.channel ? { channel: query.channel } : {}),
});

export const reportRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  app.get(
    "/api/reports/fairness",
    {
      schema: {
        tags: ["reports"],
        summary: "Time to first human response by audience-size bucket: does follower count change the wait?",
        querystring: querySchema,
        response: { 200: fairnessSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => fairnessReport(database, options(request.query)),
  );

  app.get(
    "/api/reports/happiness",
    {
      schema: {
        tags: ["reports"],
        summary:
          "People answered by a human, response times and sentiment shift — overall, by channel, by week",
        querystring: querySchema,
        response: { 200: happinessSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => happinessReport(database, options(request.query)),
  );
};
