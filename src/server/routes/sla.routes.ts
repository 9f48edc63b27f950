/**
 * SLA configuration (admin only): policies and business hours. And the SLA report, for every agent.
 */
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { isValidTimeZone, parseClock, WEEKDAYS } from "../../core/business-hours.ts";
import { AppError, notFound } from "../../core/errors.ts";
import { clampQueryBound } from "../../core/instants.ts";
import { slaReport } from "../../services/reports/sla.report.ts";
import type { Database } from "../../store/db.ts";
import { type BusinessHoursRow, type SlaPolicyRow, slaRepository } from "../../store/sla.repository.ts";
import { errorSchema, idParamsSchema, somethingToChange } from "../api.schemas.ts";

/** Changing SLA configuration needs a signed-in admin (or an admin's API token). */
function requireAdmin(request: FastifyRequest): void {
  if (request.principal?.agent?.role !== "admin") {
    throw new AppError("forbidden", "Only admins can change SLA policies and business hours.");
  }
}

const MAX_MINUTES = 365 * 24 * 60;
const minutesSchema = z
  .number({ message: "must be a number of minutes" })
  .int("must be a whole number of minutes")
  .min(1, `must be between 1 and ${MAX_MINUTES}`)
  .max(MAX_MINUTES, `must be between 1 and ${MAX_MINUTES}`);

const policyBody = z.object({
  name: z.string().trim().min(1, "must not be empty").max(200),
  channelId: z.uuid({ message: "must be a channel id (UUID)" }).nullable().default(null),
  intent: z.string().trim().min(1).max(100).nullable().default(null),
  urgency: z.enum(["low", "normal", "high"]).nullable().default(null),
  firstResponseMinutes: minutesSchema,
  nextResponseMinutes: minutesSchema.nullable().default(null),
  resolutionMinutes: minutesSchema.nullable().default(null),
  businessHoursId: z.uuid({ message: "must be a business hours id (UUID)" }).nullable().default(null),
  position: z.number().int().min(-1_000_000).max(1_000_000).default(0),
  enabled: z.boolean().default(true),
});
const policyPatch = z
  .object({
    name: policyBody.shape.name,
    channelId: policyBody.shape.channelId.unwrap(),
    intent: policyBody.shape.intent.unwrap(),
    urgency: policyBody.shape.urgency.unwrap(),
    firstResponseMinutes: minutesSchema,
    nextResponseMinutes: policyBody.shape.nextResponseMinutes.unwrap(),
    resolutionMinutes: policyBody.shape.resolutionMinutes.unwrap(),
    businessHoursId: policyBody.shape.businessHoursId.unwrap(),
    position: policyBody.shape.position.unwrap(),
    enabled: z.boolean(),
  })
  .partial()
  .strict()
  .refine(somethingToChange, "nothing to change");

const policySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  channelId: z.uuid().nullable(),
  intent: z.string().nullable(),
  urgency: z.string().nullable(),
  firstResponseMinutes: z.number().int(),
  nextResponseMinutes: z.number().int().nullable(),
  resolutionMinutes: z.number().int().nullable(),
  businessHoursId: z.uuid().nullable(),
  position: z.number().int(),
  enabled: z.boolean(),
  createdAt: z.string(),
});

const intervalSchema = z.tuple([z.string(), z.string()]).superRefine(([from, to], ctx) => {
  const a = parseClock(from);
  const b = parseClock(to);
  if (a === null || b === null)
    ctx.addIssue({ code: "custom", message: 'times must be "HH:MM" (00:00–24:00)' });
  else if (a >= b) ctx.addIssue({ code: "custom", message: `start ${from} must be before end ${to}` });
});
const scheduleSchema = z
  .object(Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(intervalSchema).max(24).optional()])))
  .strict()
  .refine((s) => Object.values(s).some((list) => (list?.length ?? 0) > 0), "must open on at least one day")
  .meta({
    description: 'Local intervals per weekday: { "mon": [["09:00", "17:00"]], … }; a missing day is closed.',
  });
const dateSchema = z.iso.date({ message: 'must be a date "YYYY-MM-DD"' });
const hoursBody = z.object({
  name: z.string().trim().min(1, "must not be empty").max(200),
  timezone: z
    .string()
    .refine(isValidTimeZone, "must be an IANA time zone, e.g. Europe/Berlin")
    .meta({ description: "IANA time zone" }),
  schedule: scheduleSchema,
  holidays: z.array(dateSchema).max(1000).default([]),
});
const hoursPatch = z
  .object({
    name: hoursBody.shape.name,
    timezone: hoursBody.shape.timezone,
    schedule: scheduleSchema,
    holidays: z.array(dateSchema).max(1000),
  })
  .partial()
  .strict()
  .refine(somethingToChange, "nothing to change");

const hoursSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  timezone: z.string(),
  schedule: z.record(z.string(), z.array(z.tuple([z.string(), z.string()]))),
  holidays: z.array(z.string()),
  createdAt: z.string(),
});

const countsSchema = {
  met: z.number().int(),
  breached: z.number().int(),
  running: z.number().int(),
  near: z.number().int(),
  paused: z.number().int(),
  metRate: z.number().nullable(),
};
const reportSchema = z.object({
  generatedAt: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  channel: z.object({ id: z.uuid(), key: z.string(), name: z.string() }).nullable(),
  totals: z.object(countsSchema),
  byPolicy: z.array(z.object({ policyId: z.uuid().nullable(), name: z.string(), ...countsSchema })),
  byChannel: z.array(
    z.object({
      channelId: z.uuid(),
      key: z.string().nullable(),
      name: z.string().nullable(),
      ...countsSchema,
    }),
  ),
  byKind: z.array(
    z.object({ kind: z.enum(["first_response", "next_response", "resolution"]), ...countsSchema }),
  ),
});

const instantSchema = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { message: "must be an ISO date or date-time" })
  .transform((v) => clampQueryBound(new Date(v)));

const presentPolicy = (row: SlaPolicyRow) => ({ ...row, createdAt: row.createdAt.toISOString() });
const presentHours = (row: BusinessHoursRow) => ({
  ...row,
  schedule: row.schedule as Record<string, Array<[string, string]>>,
  createdAt: row.createdAt.toISOString(),
});

const adminErrors = { 400: errorSchema, 401: errorSchema, 403: errorSchema };

export const slaRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, { database }) => {
  const repo = slaRepository(database.db);
  // Before validation, so a non-admin learns nothing about the expected shapes.
  app.addHook("preValidation", async (request) => {
    if (request.routeOptions.url?.startsWith("/api/sla/")) requireAdmin(request);
  });

  /** Rejects references to channels or business hours that do not exist (400, naming the field). */
  const checkReferences = async (body: { channelId?: string | null; businessHoursId?: string | null }) => {
    if (body.channelId) {
      const { channels } = await repo.names();
      if (!channels.has(body.channelId)) {
        throw new AppError("validation_failed", "body.channelId: no such channel");
      }
    }
    if (body.businessHoursId && !(await repo.findBusinessHours(body.businessHoursId))) {
      throw new AppError("validation_failed", "body.businessHoursId: no such business hours");
    }
  };
  const checkHoursName = async (name: string | undefined, except?: string) => {
    if (name === undefined) return;
    const clash = (await repo.listBusinessHours()).find((h) => h.name === name && h.id !== except);
    if (clash) throw new AppError("conflict", `Business hours named "${name}" already exist.`);
  };

  app.get(
    "/api/sla/policies",
    {
      schema: {
        tags: ["sla"],
        summary: "SLA policies in matching order (the first enabled match applies)",
        response: { 200: z.object({ items: z.array(policySchema) }), ...adminErrors },
      },
    },
    async () => ({ items: (await repo.listPolicies()).map(presentPolicy) }),
  );

  app.post(
    "/api/sla/policies",
    {
      schema: {
        tags: ["sla"],
        summary: "Create an SLA policy",
        body: policyBody,
        response: { 201: policySchema, ...adminErrors },
      },
    },
    async (request, reply) => {
      await checkReferences(request.body);
      reply.status(201);
      return presentPolicy(await repo.createPolicy(request.body));
    },
  );

  app.get(
    "/api/sla/policies/:id",
    {
      schema: {
        tags: ["sla"],
        summary: "One SLA policy",
        params: idParamsSchema,
        response: { 200: policySchema, ...adminErrors, 404: errorSchema },
      },
    },
    async (request) => {
      const row = await repo.findPolicy(request.params.id);
      if (!row) throw notFound("The SLA policy");
      return presentPolicy(row);
    },
  );

  app.patch(
    "/api/sla/policies/:id",
    {
      schema: {
        tags: ["sla"],
        summary: "Change an SLA policy (conversations pick it up when they next change)",
        params: idParamsSchema,
        body: policyPatch,
        response: { 200: policySchema, ...adminErrors, 404: errorSchema },
      },
    },
    async (request) => {
      await checkReferences(request.body);
      const row = await repo.updatePolicy(request.params.id, request.body);
      if (!row) throw notFound("The SLA policy");
      return presentPolicy(row);
    },
  );

  app.delete(
    "/api/sla/policies/:id",
    {
      schema: {
        tags: ["sla"],
        summary: "Delete an SLA policy (to keep its name in reports, disable it instead)",
        params: idParamsSchema,
        response: { 204: z.null(), ...adminErrors, 404: errorSchema },
      },
    },
    async (request, reply) => {
      if (!(await repo.deletePolicy(request.params.id))) throw notFound("The SLA policy");
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/api/sla/business-hours",
    {
      schema: {
        tags: ["sla"],
        summary: "Business hours schedules",
        response: { 200: z.object({ items: z.array(hoursSchema) }), ...adminErrors },
      },
    },
    async () => ({ items: (await repo.listBusinessHours()).map(presentHours) }),
  );

  app.post(
    "/api/sla/business-hours",
    {
      schema: {
        tags: ["sla"],
        summary: "Create business hours: a weekly schedule in a time zone, with holidays",
        body: hoursBody,
        response: { 201: hoursSchema, ...adminErrors, 409: errorSchema },
      },
    },
    async (request, reply) => {
      await checkHoursName(request.body.name);
      reply.status(201);
      return presentHours(await repo.createBusinessHours(request.body));
    },
  );

  app.get(
    "/api/sla/business-hours/:id",
    {
      schema: {
        tags: ["sla"],
        summary: "One business hours schedule",
        params: idParamsSchema,
        response: { 200: hoursSchema, ...adminErrors, 404: errorSchema },
      },
    },
    async (request) => {
      const row = await repo.findBusinessHours(request.params.id);
      if (!row) throw notFound("The business hours");
      return presentHours(row);
    },
  );

  app.patch(
    "/api/sla/business-hours/:id",
    {
      schema: {
        tags: ["sla"],
        summary: "Change business hours",
        params: idParamsSchema,
        body: hoursPatch,
        response: { 200: hoursSchema, ...adminErrors, 404: errorSchema, 409: errorSchema },
      },
    },
    async (request) => {
      await checkHoursName(request.body.name, request.params.id);
      const row = await repo.updateBusinessHours(request.params.id, request.body);
      if (!row) throw notFound("The business hours");
      return presentHours(row);
    },
  );

  app.delete(
    "/api/sla/business-hours/:id",
    {
      schema: {
        tags: ["sla"],
        summary: "Delete business hours (policies using them run around the clock)",
        params: idParamsSchema,
        response: { 204: z.null(), ...adminErrors, 404: errorSchema },
      },
    },
    async (request, reply) => {
      if (!(await repo.deleteBusinessHours(request.params.id))) throw notFound("The business hours");
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/api/reports/sla",
    {
      schema: {
        tags: ["reports"],
        summary: "SLA clocks met, breached, near breach and running — by policy, channel and kind",
        querystring: z.object({
          from: instantSchema
            .optional()
            .meta({ description: "Clocks started at or after (ISO date or date-time)" }),
          to: instantSchema.optional().meta({ description: "Clocks started before (ISO date or date-time)" }),
          channel: z.string().trim().min(1).max(200).optional().meta({ description: "Channel key or id" }),
        }),
        response: { 200: reportSchema, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const { from, to, channel } = request.query;
      if (from && to && from.getTime() >= to.getTime()) {
        throw new AppError("validation_failed", "querystring.from: must be before to");
      }
      return slaReport(database, { from, to, channel });
    },
  );
};
