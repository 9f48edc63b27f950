/** Labels on conversations, and a person's notes and tags. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { notFound } from "../../core/errors.ts";
import type { EventBus, RapportEvent } from "../../services/events.ts";
import type { Database } from "../../store/db.ts";
import { labelRepository } from "../../store/label.repository.ts";
import { lifecycleRepository } from "../../store/lifecycle.repository.ts";
import { errorSchema, idParamsSchema } from "../api.schemas.ts";
import { actorOf } from "../auth/auth.hook.ts";

const labelName = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(50, "must be at most 50 characters")
  .regex(/^[^,]+$/, "must not contain commas");
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };

export const labelRoutes: FastifyPluginAsyncZod<{ database: Database; events: EventBus }> = async (
  app,
  { database, events },
) => {
  const labels = labelRepository(database.db);

  app.get(
    "/api/labels",
    {
      schema: {
        tags: ["conversations"],
        summary: "Every label, with how many conversations carry it",
        response: {
          200: z.object({
            items: z.array(
              z.object({ name: z.string(), color: z.string().nullable(), conversations: z.number().int() }),
            ),
          }),
          ...errors,
        },
      },
    },
    async () => ({ items: await labels.list() }),
  );

  const change = async (
    id: string,
    name: string,
    action: "added" | "removed",
    actor: ReturnType<typeof actorOf>,
  ) => {
    const updated: RapportEvent[] = [{ type: "conversation.updated", conversationId: id }];
    // The audit entry and the event's journal entry (outbound webhooks) commit together.
    const journal = await database.db.transaction(async (tx) => {
      await lifecycleRepository(tx).audit([
        {
          actor_kind: actor.kind,
          actor_id: actor.id,
          action: `conversation.label_${action}`,
          subject_id: id,
          data: { label: name },
        },
      ]);
      return events.stage(tx, updated);
    });
    events.publish(updated, journal);
    return { labels: await labels.labelsOf(id) };
  };

  app.post(
    "/api/conversations/:id/labels",
    {
      schema: {
        tags: ["conversations"],
        summary: "Add a label to a conversation (the label is created on first use)",
        params: idParamsSchema,
        body: z.object({ name: labelName }),
        response: { 200: z.object({ labels: z.array(z.string()) }), ...errors },
      },
    },
    async (request) => {
      if (!(await labels.add(request.params.id, request.body.name))) throw notFound("The conversation");
      return change(request.params.id, request.body.name, "added", actorOf(request));
    },
  );

  app.delete(
    "/api/conversations/:id/labels/:name",
    {
      schema: {
        tags: ["conversations"],
        summary: "Remove a label from a conversation",
        params: z.object({ id: z.uuid({ message: "must be a UUID" }), name: labelName }),
        response: { 200: z.object({ labels: z.array(z.string()) }), ...errors },
      },
    },
    async (request) => {
      await labels.remove(request.params.id, request.params.name);
      return change(request.params.id, request.params.name, "removed", actorOf(request));
    },
  );

  app.patch(
    "/api/people/:id",
    {
      schema: {
        tags: ["people"],
        summary: "Change a person's notes and tags",
        params: idParamsSchema,
        body: z
          .object({
            notes: z.string().max(10_000).nullable().optional(),
            tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
          })
          .refine((b) => b.notes !== undefined || b.tags !== undefined, "give notes and/or tags"),
        response: { 200: z.object({ id: z.uuid() }), ...errors },
      },
    },
    async (request) => {
      const { notes, tags } = request.body;
      const updated = await labels.updatePerson(request.params.id, {
        ...(notes !== undefined ? { notes } : {}),
        ...(tags !== undefined ? { tags: [...new Set(tags)] } : {}),
      });
      if (!updated) throw notFound("The person");
      return { id: request.params.id };
    },
  );
};
