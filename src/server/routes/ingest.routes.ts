/**
 * POST /api/ingest: one canonical message or an array of them. The route checks only the envelope;
 * each item goes to the pipeline untouched, which stores it raw first and dead-letters what it cannot
 * normalize, so nothing sent here is lost.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../core/errors.ts";
import type { IngestItem, IngestSummary } from "../../services/ingest.types.ts";
import { errorSchema } from "../api.schemas.ts";

export const MAX_INGEST_ITEMS = 1000;

export interface Ingestor {
  ingest(items: IngestItem[]): Promise<IngestSummary>;
}

/** What happened to each ingested item (also answered by the webhook channel's endpoint). */
export const ingestOutcomeSchema = z.union([
  z.object({ status: z.literal("stored"), messageId: z.string(), conversationId: z.string() }),
  z.object({ status: z.literal("duplicate"), messageId: z.string().optional() }),
  z.object({ status: z.literal("dead_letter"), deadLetterId: z.number().int(), reason: z.string() }),
  z.object({
    status: z.literal("changed"),
    change: z.enum(["edit", "delete"]),
    messageId: z.string().nullable(),
  }),
  z.object({ status: z.literal("ignored"), reason: z.string() }),
]);

const summarySchema = z.object({
  messages: z.number().int(),
  duplicates: z.number().int(),
  conversations: z.number().int(),
  people: z.number().int(),
  deadLetters: z.number().int(),
  changes: z.number().int(),
  ignored: z.number().int(),
  outcomes: z.array(ingestOutcomeSchema),
});

export const ingestRoutes: FastifyPluginAsyncZod<{ ingest: Ingestor }> = async (app, { ingest }) => {
  app.post(
    "/api/ingest",
    {
      schema: {
        tags: ["ingest"],
        summary: `Ingest messages in the canonical format (one object, or an array of up to ${MAX_INGEST_ITEMS})`,
        description:
          "Each item is stored raw, then normalized. Items that do not match the canonical format become " +
          "dead letters with the reason (see docs/formats.md); the others are stored. 200 when at least " +
          "one item was stored or already known; 422 when every item was dead-lettered.",
        // Deliberately loose: the pipeline, not the route, judges each item.
        body: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]),
        response: {
          200: summarySchema,
          422: summarySchema.extend({ error: errorSchema.shape.error }),
          400: errorSchema,
          401: errorSchema,
          413: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const payloads = Array.isArray(body) ? body : [body];
      if (payloads.length === 0) throw new AppError("bad_request", "The array is empty: nothing to ingest.");
      if (payloads.length > MAX_INGEST_ITEMS) {
        throw new AppError(
          "payload_too_large",
          `At most ${MAX_INGEST_ITEMS} items per request; this one has ${payloads.length}. Split the batch.`,
        );
      }
      const summary = await ingest.ingest(
        payloads.map((payload) => ({ source: "api", format: "canonical", payload })),
      );
      if (summary.deadLetters === payloads.length) {
        const reasons = summary.outcomes
          .map((o, i) => (o.status === "dead_letter" ? `item ${i}: ${o.reason}` : null))
          .filter((r): r is string => r !== null);
        return reply.status(422).send({
          ...summary,
          error: {
            code: "unprocessable",
            message: `No item could be ingested; all ${payloads.length} became dead letters. ${reasons.slice(0, 5).join(" | ")}`,
            details: { reasons },
          },
        });
      }
      return summary;
    },
  );
};
