/**
 * Outbound webhooks (admin only): subscriptions, their delivery log, redelivery and test events.
 * Under /api/webhook-subscriptions, apart from the inbound channel endpoint /api/webhooks/:channelKey.
 * See docs/channels/webhooks.md.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { WEBHOOK_EVENT_DESCRIPTIONS, WEBHOOK_EVENTS } from "../../services/webhook.events.ts";
import type { WebhookService } from "../../services/webhook.service.ts";
import {
  cursorSchema,
  encodeCursor,
  errorSchema,
  idParamsSchema,
  limitSchema,
  somethingToChange,
} from "../api.schemas.ts";
import { actorOf, requireAdmin } from "../auth/auth.hook.ts";

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

const webhookOut = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  disabledAt: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  lastDeliveryAt: z.string().nullable(),
  lastDeliveryStatus: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const deliveryOut = z.object({
  id: z.uuid(),
  webhookId: z.uuid(),
  eventId: z.uuid(),
  event: z.string(),
  status: z.enum(["pending", "succeeded", "failed", "cancelled"]),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastDurationMs: z.number().int().nullable(),
  nextAttemptAt: z
    .string()
    .nullable()
    .meta({ description: "When the next attempt runs (pending deliveries)" }),
  redeliveryOf: z.uuid().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});

const deliveryDetailOut = deliveryOut.extend({
  body: z.string().meta({ description: "The exact JSON body sent (and signed)" }),
  attemptLog: z.array(
    z.object({
      attempt: z.number().int(),
      startedAt: z.string(),
      durationMs: z.number().int(),
      statusCode: z.number().int().nullable(),
      responseExcerpt: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
});

const eventsSchema = z
  .array(z.enum(WEBHOOK_EVENTS, { message: `must be one of ${WEBHOOK_EVENTS.join(", ")}` }))
  .min(1, "choose at least one event")
  .max(WEBHOOK_EVENTS.length * 2);

const urlSchema = z
  .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
  .max(2048, "must be at most 2048 characters");

const deliveryParams = idParamsSchema.extend({ deliveryId: z.uuid({ message: "must be a UUID" }) });

export const webhookRoutes: FastifyPluginAsyncZod<{ webhooks: WebhookService }> = async (
  app,
  { webhooks },
) => {
  app.addHook("preHandler", async (request) => {
    requireAdmin(request);
  });

  app.get(
    "/api/webhook-subscriptions",
    {
      schema: {
        tags: ["webhooks"],
        summary: "Outbound webhooks (admin), and the events they can subscribe to",
        response: {
          200: z.object({
            items: z.array(webhookOut),
            events: z.array(z.object({ type: z.string(), description: z.string() })),
          }),
          ...errors,
        },
      },
    },
    async () => ({
      items: await webhooks.list(),
      events: WEBHOOK_EVENTS.map((type) => ({ type, description: WEBHOOK_EVENT_DESCRIPTIONS[type] })),
    }),
  );

  app.post(
    "/api/webhook-subscriptions",
    {
      schema: {
        tags: ["webhooks"],
        summary: "Create an outbound webhook (admin); its signing secret is in this answer only",
        body: z.object({
          name: z.string().trim().min(1, "must not be empty").max(200),
          url: urlSchema,
          events: eventsSchema,
          enabled: z.boolean().optional(),
        }),
        response: { 201: z.object({ webhook: webhookOut, secret: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const { enabled, ...rest } = request.body;
      const created = await webhooks.create(
        { ...rest, ...(enabled === undefined ? {} : { enabled }) },
        actorOf(request),
      );
      return reply.status(201).send(created);
    },
  );

  app.get(
    "/api/webhook-subscriptions/:id",
    {
      schema: {
        tags: ["webhooks"],
        summary: "One outbound webhook (admin)",
        params: idParamsSchema,
        response: { 200: webhookOut, ...errors },
      },
    },
    async (request) => webhooks.get(request.params.id),
  );

  app.patch(
    "/api/webhook-subscriptions/:id",
    {
      schema: {
        tags: ["webhooks"],
        summary:
          "Change a webhook's name, URL, events, or switch it on/off (admin); on clears its failure count",
        params: idParamsSchema,
        body: z
          .object({
            name: z.string().trim().min(1, "must not be empty").max(200).optional(),
            url: urlSchema.optional(),
            events: eventsSchema.optional(),
            enabled: z.boolean().optional(),
          })
          .refine(somethingToChange, "nothing to change"),
        response: { 200: webhookOut, ...errors },
      },
    },
    async (request) => {
      const patch = Object.fromEntries(Object.entries(request.body).filter(([, v]) => v !== undefined));
      return webhooks.update(request.params.id, patch, actorOf(request));
    },
  );

  app.delete(
    "/api/webhook-subscriptions/:id",
    {
      schema: {
        tags: ["webhooks"],
        summary: "Delete a webhook and its delivery log (admin)",
        params: idParamsSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await webhooks.remove(request.params.id, actorOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/api/webhook-subscriptions/:id/rotate-secret",
    {
      schema: {
        tags: ["webhooks"],
        summary: "Replace a webhook's signing secret (admin): effective at once, shown in this answer only",
        params: idParamsSchema,
        response: { 200: z.object({ secret: z.string() }), ...errors },
      },
    },
    async (request) => webhooks.rotateSecret(request.params.id, actorOf(request)),
  );

  app.post(
    "/api/webhook-subscriptions/:id/test",
    {
      schema: {
        tags: ["webhooks"],
        summary: "Send a webhook.test event now and answer with the receiver's response (admin)",
        params: idParamsSchema,
        response: { 200: deliveryDetailOut, ...errors },
      },
    },
    async (request) => webhooks.sendTest(request.params.id),
  );

  app.get(
    "/api/webhook-subscriptions/:id/deliveries",
    {
      schema: {
        tags: ["webhooks"],
        summary: "A webhook's delivery log, newest first (admin)",
        params: idParamsSchema,
        querystring: z.object({
          status: z.enum(["pending", "succeeded", "failed", "cancelled"]).optional(),
          limit: limitSchema,
          cursor: cursorSchema.optional(),
        }),
        response: {
          200: z.object({ items: z.array(deliveryOut), nextCursor: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { status, limit, cursor } = request.query;
      const page = await webhooks.deliveries(request.params.id, {
        limit,
        ...(status ? { status } : {}),
        ...(cursor ? { after: cursor } : {}),
      });
      return { items: page.items, nextCursor: encodeCursor(page.next) };
    },
  );

  app.get(
    "/api/webhook-subscriptions/:id/deliveries/:deliveryId",
    {
      schema: {
        tags: ["webhooks"],
        summary: "One delivery: the body sent and every attempt (admin)",
        params: deliveryParams,
        response: { 200: deliveryDetailOut, ...errors },
      },
    },
    async (request) => webhooks.delivery(request.params.id, request.params.deliveryId),
  );

  app.post(
    "/api/webhook-subscriptions/:id/deliveries/:deliveryId/redeliver",
    {
      schema: {
        tags: ["webhooks"],
        summary: "Send a finished delivery again, with the same event id and body (admin)",
        params: deliveryParams,
        response: { 202: deliveryDetailOut, ...errors },
      },
    },
    async (request, reply) => {
      const delivery = await webhooks.redeliver(
        request.params.id,
        request.params.deliveryId,
        actorOf(request),
      );
      return reply.status(202).send(delivery);
    },
  );
};
