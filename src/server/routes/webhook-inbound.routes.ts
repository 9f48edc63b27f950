/**
 * POST /api/webhooks/:channelKey — a webhook channel's inbound endpoint (public: the signature is the
 * credential). Verifies the signature over the exact raw body (timestamp within 5 minutes, constant-time
 * compare), then hands each canonical message to the ingest pipeline, which stores it raw first and
 * dead-letters what it cannot normalize. Rate-limited per sender address and channel. A paused webhook
 * channel still accepts: pausing stops polling, and a pushed message refused would be lost if the sender
 * does not retry. See docs/channels/webhooks.md.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { WEBHOOK_KIND } from "../../channels/webhook/webhook.connector.ts";
import { AppError } from "../../core/errors.ts";
import { checkSignature } from "../../core/signature.ts";
import type { IngestSummary } from "../../services/ingest.types.ts";
import type { SecretBox } from "../../services/secrets.ts";
import { channelRepository } from "../../store/channel.repository.ts";
import type { Database } from "../../store/db.ts";
import { errorSchema } from "../api.schemas.ts";
import type { Ingestor } from "./ingest.routes.ts";
import { ingestOutcomeSchema, MAX_INGEST_ITEMS } from "./ingest.routes.ts";

export interface WebhookInboundDeps {
  database: Database;
  ingest: Ingestor;
  secrets: SecretBox | null;
  /** Largest body accepted (the API's limit). */
  bodyLimit: number;
  /**
   * Requests per sender address and channel per window (default 600 a minute, each up to 1,000
   * messages): a runaway or hostile sender gets 429s instead of the server's time. A 429 loses nothing —
   * the sender's retry is stored once.
   */
  rateLimit?: { max: number; timeWindow: number | string };
}

export const WEBHOOK_RATE_LIMIT = { max: 600, timeWindow: "1 minute" } as const;

const outcomeSchema = ingestOutcomeSchema;

const summarySchema = z.object({
  messages: z.number().int(),
  duplicates: z.number().int(),
  changes: z.number().int(),
  ignored: z.number().int(),
  deadLetters: z.number().int(),
  outcomes: z.array(outcomeSchema),
});

const present = (summary: IngestSummary) => ({
  messages: summary.messages,
  duplicates: summary.duplicates,
  changes: summary.changes,
  ignored: summary.ignored,
  deadLetters: summary.deadLetters,
  outcomes: summary.outcomes,
});

export const webhookInboundRoutes: FastifyPluginAsyncZod<WebhookInboundDeps> = async (app, deps) => {
  const channels = channelRepository(deps.database.db);
  // The signature covers the exact bytes: keep the body raw, whatever its content type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: deps.bodyLimit }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    "/api/webhooks/:channelKey",
    {
      config: {
        public: true,
        rateLimit: {
          ...(deps.rateLimit ?? WEBHOOK_RATE_LIMIT),
          keyGenerator: (request) =>
            `${request.ip}|${(request.params as { channelKey?: string } | undefined)?.channelKey ?? ""}`,
        },
      },
      bodyLimit: deps.bodyLimit,
      schema: {
        tags: ["webhooks"],
        summary: "A webhook channel's inbound endpoint: one canonical message or an array, signed",
        description:
          "Public: authenticated by X-Rapport-Timestamp and X-Rapport-Signature (sha256=hex HMAC-SHA256 of " +
          '"timestamp.body" with the channel\'s secret; 5 minutes tolerance). `channel` may be omitted; ' +
          "when given it must be this channel's key. 200 when at least one message was stored or already " +
          "known; 422 when every item became a dead letter. See docs/channels/webhooks.md.",
        params: z.object({ channelKey: z.string().min(1).max(200) }),
        response: {
          200: summarySchema,
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          404: errorSchema,
          413: errorSchema,
          422: summarySchema.extend({ error: errorSchema.shape.error }),
          429: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const key = request.params.channelKey;
      const channel = await channels.byKey(key);
      if (!channel || channel.kind !== WEBHOOK_KIND)
        throw new AppError("not_found", `No webhook channel has the key "${key}".`);
      if (!deps.secrets) throw new Error("webhook channel secrets cannot be decrypted: no secret key");
      const secret = deps.secrets.open(channel.secrets).signingSecret;
      if (!secret) {
        throw new AppError(
          "unauthorized",
          "This channel has no signing secret yet: an admin must rotate it (POST /api/channels/:id/rotate-secret).",
        );
      }
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const check = checkSignature(request.headers, raw, secret);
      if (!check.ok) throw new AppError("unauthorized", check.message, { reason: check.reason });

      let body: unknown;
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch (error) {
        throw new AppError("bad_request", `The body is not valid JSON: ${(error as Error).message}`);
      }
      if (body === null || typeof body !== "object")
        throw new AppError(
          "bad_request",
          "The body must be a canonical message (an object) or an array of them.",
        );
      const items: unknown[] = Array.isArray(body) ? body : [body];
      if (items.length === 0) throw new AppError("bad_request", "The array is empty: nothing to ingest.");
      if (items.length > MAX_INGEST_ITEMS) {
        throw new AppError(
          "payload_too_large",
          `At most ${MAX_INGEST_ITEMS} messages per request; this one has ${items.length}. Split the batch.`,
        );
      }
      // The signature speaks for this channel only; `channel` is filled in when omitted.
      const payloads = items.map((item, i) => {
        if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
        const named = (item as { channel?: unknown }).channel;
        if (named === undefined || named === null) return { ...item, channel: key };
        if (named !== key) {
          throw new AppError(
            "forbidden",
            `Item ${i} names the channel "${String(named).slice(0, 200)}"; this endpoint accepts messages for "${key}" only (omit the field or use that key).`,
          );
        }
        return item;
      });

      const summary = await deps.ingest.ingest(
        payloads.map((payload) => ({ source: `webhook:${key}`, format: WEBHOOK_KIND, payload })),
      );
      if (summary.deadLetters === payloads.length) {
        const reasons = summary.outcomes
          .map((o, i) => (o.status === "dead_letter" ? `item ${i}: ${o.reason}` : null))
          .filter((r): r is string => r !== null);
        return reply.status(422).send({
          ...present(summary),
          error: {
            code: "unprocessable",
            message: `No message could be ingested; all ${payloads.length} became dead letters. ${reasons.slice(0, 5).join(" | ")}`,
            details: { reasons },
          },
        });
      }
      return present(summary);
    },
  );
};
