/**
 * Answering: replies through the authenticity guard and the outbox, private notes with @mentions,
 * retrying a failed send; the guard's preview, its rule settings and its report.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { GUARD_RULES, type GuardRule, type RuleSeverity } from "../../core/guard.ts";
import type { GuardService } from "../../services/guard.service.ts";
import type { ReplyService } from "../../services/reply.service.ts";
import { parseReportBound } from "../../services/reports/report.scope.ts";
import { conversationRepository } from "../../store/conversation.repository.ts";
import type { Database } from "../../store/db.ts";
import { guardRepository } from "../../store/guard.repository.ts";
import { errorSchema, idParamsSchema } from "../api.schemas.ts";
import { actorOf, requireAdmin, requireAgent } from "../auth/auth.hook.ts";
import { findingSchema, mentionSchema, messageSchema, presentMessage } from "./conversations.routes.ts";

const errors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  422: errorSchema,
};
const severitySchema = z.enum(["off", "warn", "block"]);
const rulesResponse = z.object({
  rules: z.array(z.object({ rule: z.enum(GUARD_RULES), severity: severitySchema, description: z.string() })),
});
const textSchema = z
  .string()
  .min(1, "must not be empty")
  .max(10_000, "must be at most 10,000 characters")
  .refine((t) => t.trim().length > 0, "must not be empty");

const dateBound = (edge: "from" | "to") =>
  z.string().transform((value, ctx): Date => {
    const parsed = parseReportBound(value, edge);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: `must be an ISO date or date-time; got "${value}"` });
      return z.NEVER;
    }
    return parsed;
  });

export const replyRoutes: FastifyPluginAsyncZod<{
  database: Database;
  replies: ReplyService;
  guard: GuardService;
}> = async (app, { database, replies, guard }) => {
  const conversations = conversationRepository(database.db);
  const messageOut = async (id: string) => presentMessage((await conversations.message(id))!);

  app.post(
    "/api/conversations/:id/replies",
    {
      schema: {
        tags: ["replies"],
        summary:
          "Reply as the signed-in agent: reviewed by the authenticity guard, then sent through the outbox",
        description:
          "422 guard_blocked when a rule blocks; 409 guard_warnings when there are warnings and acknowledgeWarnings is not true. Both carry details.findings.",
        params: idParamsSchema,
        body: z.object({ text: textSchema, acknowledgeWarnings: z.boolean().optional() }),
        response: {
          201: z.object({ message: messageSchema, findings: z.array(findingSchema) }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const agent = requireAgent(request);
      const { messageId, findings } = await replies.reply(request.params.id, agent, request.body.text, {
        acknowledgeWarnings: request.body.acknowledgeWarnings === true,
      });
      return reply.status(201).send({ message: await messageOut(messageId), findings });
    },
  );

  app.post(
    "/api/conversations/:id/notes",
    {
      schema: {
        tags: ["replies"],
        summary: "Add a private note for teammates (never sent); @Name mentions agents",
        params: idParamsSchema,
        body: z.object({ text: textSchema }),
        response: {
          201: z.object({ message: messageSchema, mentions: z.array(mentionSchema) }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const agent = requireAgent(request);
      const { messageId, mentions } = await replies.note(request.params.id, agent, request.body.text);
      return reply.status(201).send({ message: await messageOut(messageId), mentions });
    },
  );

  app.post(
    "/api/messages/:id/retry",
    {
      schema: {
        tags: ["replies"],
        summary: "Queue a reply whose delivery failed to be sent again",
        params: idParamsSchema,
        response: { 200: z.object({ message: messageSchema }), ...errors },
      },
    },
    async (request) => {
      await replies.retry(request.params.id, actorOf(request));
      return { message: await messageOut(request.params.id) };
    },
  );

  app.post(
    "/api/guard/review",
    {
      schema: {
        tags: ["guard"],
        summary: "Review a draft reply with the authenticity guard (no side effects)",
        body: z.object({
          conversationId: z.uuid({ message: "must be a UUID" }),
          text: z.string().max(10_000),
        }),
        response: { 200: z.object({ findings: z.array(findingSchema) }), ...errors },
      },
    },
    async (request) => ({
      findings: await guard.reviewDraft(request.body.conversationId, request.body.text),
    }),
  );

  app.get(
    "/api/guard/rules",
    {
      schema: {
        tags: ["guard"],
        summary: "The authenticity guard's rules and how each is set (off, warn, block)",
        response: { 200: rulesResponse, ...errors },
      },
    },
    async () => ({ rules: await guard.rules() }),
  );

  app.put(
    "/api/guard/rules",
    {
      schema: {
        tags: ["guard"],
        summary: "Set rules to off, warn or block (admin); rules not given keep their setting",
        body: z.object({
          rules: z.partialRecord(z.enum(GUARD_RULES), severitySchema),
        }),
        response: { 200: rulesResponse, ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      return { rules: await guard.setRules(request.body.rules as Partial<Record<GuardRule, RuleSeverity>>) };
    },
  );

  app.get(
    "/api/reports/guard",
    {
      schema: {
        tags: ["reports"],
        summary: "The authenticity guard's findings: per rule and severity, overridden warnings, blocks",
        querystring: z.object({ from: dateBound("from").optional(), to: dateBound("to").optional() }),
        response: {
          200: z.object({
            range: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
            replies: z.number().int().meta({ description: "Replies written in Rapport and sent" }),
            repliesWithWarnings: z.number().int(),
            overriddenWarnings: z
              .number()
              .int()
              .meta({ description: "Warnings on replies the agent chose to send anyway" }),
            blockedAttempts: z.number().int(),
            rules: z.array(
              z.object({
                rule: z.enum(GUARD_RULES),
                setting: severitySchema,
                warned: z.number().int().meta({ description: "Warnings overridden (sent anyway)" }),
                blocked: z.number().int().meta({ description: "Attempts this rule blocked" }),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      const counts = await guardRepository(database.db).counts({
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
      const settings = await guard.settings();
      const warned = (rule: string) =>
        counts.byRule
          .filter((r) => r.rule === rule && r.severity === "warn")
          .reduce((n, r) => n + r.count, 0);
      return {
        range: { from: from?.toISOString() ?? null, to: to?.toISOString() ?? null },
        replies: counts.replies,
        repliesWithWarnings: counts.repliesWithWarnings,
        overriddenWarnings: counts.byRule
          .filter((r) => r.severity === "warn")
          .reduce((n, r) => n + r.count, 0),
        blockedAttempts: counts.blockedAttempts,
        rules: GUARD_RULES.map((rule) => ({
          rule,
          setting: settings[rule],
          warned: warned(rule),
          blocked: counts.blockedByRule.find((r) => r.rule === rule)?.count ?? 0,
        })),
      };
    },
  );
};
