/** The inbox: list conversations with filters and keyset pagination; read one with its messages. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { CORRECTABLE_FIELDS } from "../../analysis/corrections.ts";
import { notFound } from "../../core/errors.ts";
import { type Finding, GUARD_RULES } from "../../core/guard.ts";
import { presentCorrection } from "../../services/corrections.service.ts";
import {
  type AttachmentState,
  attachmentRepository,
  attachmentState,
} from "../../store/attachment.repository.ts";
import {
  type ConversationStatus,
  conversationRepository,
  type MessageDetail,
} from "../../store/conversation.repository.ts";
import { type CorrectionListed, correctionsRepository } from "../../store/corrections.repository.ts";
import type { Database } from "../../store/db.ts";
import {
  channelRefSchema,
  cursorSchema,
  encodeCursor,
  errorSchema,
  idParamsSchema,
  limitSchema,
} from "../api.schemas.ts";
import { requireAgent } from "../auth/auth.hook.ts";

const STATUSES = ["open", "waiting", "resolved", "spam"] as const;

const statusListSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((value, ctx): ConversationStatus[] => {
    const parts = (Array.isArray(value) ? value.join(",") : value)
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = parts.filter((p) => !(STATUSES as readonly string[]).includes(p));
    if (parts.length === 0 || unknown.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: `must be one or more of ${STATUSES.join(", ")} (comma-separated)${unknown.length ? `; got "${unknown.join(",")}"` : ""}`,
      });
      return z.NEVER;
    }
    return parts as ConversationStatus[];
  })
  .meta({ description: "open | waiting | resolved | spam, comma-separated" });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const listQuerySchema = z.object({
  status: statusListSchema.optional(),
  channel: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(200)
    .optional()
    .meta({ description: "Channel key" }),
  assignee: z
    .string()
    .refine((v) => v === "me" || v === "none" || UUID.test(v), "must be an agent id (UUID), me or none")
    .meta({ description: "An agent id, me, or none (unassigned)" })
    .optional(),
  label: z.string().trim().min(1, "must not be empty").max(200).optional(),
  q: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(500)
    .optional()
    .meta({ description: 'Full-text search over message text (web search syntax: words, "phrases", -not)' }),
  limit: limitSchema,
  cursor: cursorSchema.meta({ description: "nextCursor from the previous page" }).optional(),
});

const personRefSchema = z.object({ id: z.uuid(), displayName: z.string().nullable() });
export const namedRefSchema = z.object({ id: z.uuid(), name: z.string() });

export const conversationSummarySchema = z.object({
  id: z.uuid(),
  channel: channelRefSchema,
  person: personRefSchema.nullable(),
  status: z.enum(STATUSES),
  visibility: z.enum(["public", "private"]),
  subject: z.string().nullable(),
  assignee: namedRefSchema.nullable(),
  team: namedRefSchema.nullable(),
  labels: z.array(z.string()),
  messageCount: z.number().int(),
  firstInboundAt: z.string().nullable(),
  lastMessageAt: z.string().nullable(),
  awaitingReply: z.boolean(),
  preview: z.string().nullable().meta({ description: "The newest message's text, truncated" }),
  lastSentiment: z.enum(["positive", "neutral", "negative"]).nullable(),
  sla: z
    .object({
      policyId: z.uuid().nullable().meta({ description: "null: the built-in default policy" }),
      dueAt: z.string().nullable().meta({ description: "Due time of the reply the person awaits" }),
      firstResponseDueAt: z.string().nullable(),
      nextResponseDueAt: z.string().nullable(),
      resolutionDueAt: z.string().nullable(),
      state: z
        .enum(["ok", "near", "breached", "met", "paused"])
        .nullable()
        .meta({ description: "The worst running clock; null when no SLA applies (see docs/sla.md)" }),
    })
    .meta({ description: "SLA clocks (docs/sla.md)" }),
});

export const findingSchema = z.object({
  rule: z.enum(GUARD_RULES),
  severity: z.enum(["warn", "block"]),
  message: z.string(),
  excerpt: z.string().optional(),
});
export const mentionSchema = z.object({ agentId: z.uuid(), name: z.string() });

export const attachmentSchema = z.object({
  index: z.number().int().meta({ description: "n in GET /api/messages/:id/attachments/:n" }),
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int().meta({ description: "Bytes" }),
  url: z
    .string()
    .nullable()
    .meta({ description: "Where to download it from Rapport; null until it is stored" }),
  status: z.enum(["stored", "downloading", "unavailable"]).meta({
    description:
      "stored: url works; downloading: Rapport is fetching it from the platform; unavailable: not kept (see note)",
  }),
  note: z.string().nullable().meta({ description: "Why it is unavailable" }),
  sourceUrl: z.string().nullable().meta({ description: "Where the platform keeps it (files named by URL)" }),
});

export interface AttachmentInfo extends AttachmentState {
  messageId: string;
  position: number;
  filename: string;
  contentType: string;
}

export const messageSchema = z.object({
  id: z.uuid(),
  externalId: z.string(),
  inReplyToExternalId: z.string().nullable(),
  direction: z.enum(["in", "out"]),
  visibility: z.enum(["public", "private", "note"]),
  text: z.string().meta({ description: "Always plain text (an HTML-only mail converted to text)" }),
  html: z.string().nullable().meta({
    description:
      "An email's HTML body, sanitised on ingest (no scripts, styles, forms or frames). Show it only in a sandboxed frame.",
  }),
  automated: z
    .enum(["auto_reply", "bounce", "list"])
    .nullable()
    .meta({ description: "Mail no person wrote: it does not wait for a reply" }),
  attachments: z.array(attachmentSchema),
  createdAt: z.string(),
  receivedAt: z.string(),
  author: z.union([
    z.object({
      kind: z.literal("identity"),
      id: z.uuid(),
      platform: z.string(),
      handle: z.string().nullable(),
      displayName: z.string().nullable(),
      profileUrl: z.string().nullable(),
    }),
    z.object({ kind: z.literal("agent"), id: z.uuid(), name: z.string() }),
    z.null(),
  ]),
  deliveryStatus: z.enum(["pending", "sent", "failed"]).nullable(),
  deliveryError: z.string().nullable(),
  editedAt: z.string().nullable().meta({ description: "When its author edited it on the platform" }),
  originalText: z.string().nullable().meta({ description: "The text before the first edit" }),
  deletedAt: z
    .string()
    .nullable()
    .meta({ description: "When its author deleted it on the platform (the message is kept)" }),
  sentimentScore: z.number().nullable(),
  sentimentLabel: z.enum(["positive", "neutral", "negative"]).nullable(),
  intent: z.array(z.string()).nullable(),
  urgency: z.enum(["low", "normal", "high"]).nullable(),
  spamScore: z.number().nullable(),
  spamLabel: z.enum(["spam", "ham"]).nullable(),
  language: z.string().nullable(),
  analysis: z.unknown(),
  analyzerVersion: z.string().nullable(),
  guardFindings: z
    .array(findingSchema)
    .nullable()
    .meta({ description: "For replies written in Rapport: the guard's findings when it was sent" }),
  mentions: z.array(mentionSchema).nullable().meta({ description: "For notes: the agents @mentioned" }),
  corrections: z
    .array(
      z.object({
        field: z.enum(CORRECTABLE_FIELDS),
        machine: z.unknown(),
        human: z.union([z.string(), z.array(z.string())]),
        agent: z.object({ id: z.uuid(), name: z.string() }).nullable(),
        correctedAt: z.string(),
      }),
    )
    .meta({ description: "Agents' corrections of the analysis (the columns above show the agent's label)" }),
});

/** A stored message as the API shows it, with its attachments (without content). */
export function presentMessage(
  row: MessageDetail,
  files: AttachmentInfo[] = [],
  corrections: CorrectionListed[] = [],
) {
  const { authorIdentity, authorAgent, guardFindings, mentions, conversationId: _, ...message } = row;
  return {
    ...message,
    attachments: files.map((f) => ({
      index: f.position,
      filename: f.filename,
      contentType: f.contentType,
      size: f.size,
      url: f.stored ? `/api/messages/${row.id}/attachments/${f.position}` : null,
      ...attachmentState(f),
      sourceUrl: f.sourceUrl,
    })),
    author: authorIdentity
      ? { kind: "identity" as const, ...authorIdentity }
      : authorAgent
        ? { kind: "agent" as const, ...authorAgent }
        : null,
    guardFindings: (guardFindings as Finding[] | null) ?? null,
    mentions: (mentions as Array<{ agentId: string; name: string }> | null) ?? null,
    corrections: corrections.map((c) => {
      const { field, machine, human, agent, correctedAt } = presentCorrection(c);
      return { field, machine, human, agent, correctedAt };
    }),
  };
}

export const conversationRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (
  app,
  { database },
) => {
  const conversations = conversationRepository(database.db);

  app.get(
    "/api/conversations",
    {
      schema: {
        tags: ["conversations"],
        summary: "List conversations, newest activity first",
        querystring: listQuerySchema,
        response: {
          200: z.object({ items: z.array(conversationSummarySchema), nextCursor: z.string().nullable() }),
          400: errorSchema,
          401: errorSchema,
        },
      },
    },
    async (request) => {
      const { assignee, cursor, ...query } = request.query;
      const page = await conversations.list({
        ...query,
        assignee: assignee === "me" ? requireAgent(request).id : assignee,
        after: cursor,
      });
      return { items: page.items, nextCursor: encodeCursor(page.next) };
    },
  );

  app.get(
    "/api/conversations/:id",
    {
      schema: {
        tags: ["conversations"],
        summary: "One conversation with all its messages (oldest first) and their analysis",
        params: idParamsSchema,
        response: {
          200: conversationSummarySchema.extend({ messages: z.array(messageSchema) }),
          400: errorSchema,
          401: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (request) => {
      const summary = await conversations.findSummary(request.params.id);
      if (!summary) throw notFound("The conversation");
      const rows = await conversations.messagesOf(summary.id);
      const files = await attachmentRepository(database.db).listFor(rows.map((r) => r.id));
      const byMessage = new Map<string, AttachmentInfo[]>();
      for (const file of files)
        byMessage.set(file.messageId, [...(byMessage.get(file.messageId) ?? []), file]);
      const corrected = new Map<string, CorrectionListed[]>();
      for (const c of await correctionsRepository(database).of(rows.map((r) => r.id)))
        corrected.set(c.message_id, [...(corrected.get(c.message_id) ?? []), c]);
      return {
        ...summary,
        messages: rows.map((row) => presentMessage(row, byMessage.get(row.id), corrected.get(row.id))),
      };
    },
  );
};
