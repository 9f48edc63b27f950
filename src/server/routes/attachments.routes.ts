/**
 * Download a message's attachment, as sent. Always as a download, except raster images asked for with
 * `?inline=1` (the workspace's previews): those are shown, still sandboxed, never sniffed; SVG, HTML and
 * anything else can only be downloaded.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError, notFound } from "../../core/errors.ts";
import { attachmentRepository, attachmentState } from "../../store/attachment.repository.ts";
import type { Database } from "../../store/db.ts";
import { idParamsSchema } from "../api.schemas.ts";

/** Types a browser shows as a picture and never runs: the only ones served inline. */
const INLINE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"]);

export const attachmentRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, deps) => {
  app.get(
    "/api/messages/:id/attachments/:n",
    {
      schema: {
        tags: ["conversations"],
        summary: "Download a message's attachment n (0-based), as sent",
        params: idParamsSchema.extend({ n: z.coerce.number().int().min(0).max(1000) }),
        querystring: z.object({
          inline: z
            .enum(["0", "1"])
            .optional()
            .meta({ description: "1: show a PNG, JPEG, GIF, WebP or AVIF image instead of downloading it" }),
        }),
      },
    },
    async (request, reply) => {
      const file = await attachmentRepository(deps.database.db).get(request.params.id, request.params.n);
      if (!file) throw notFound("The attachment");
      if (!file.content) {
        const { status, note } = attachmentState({ ...file, stored: false });
        throw new AppError(
          "not_found",
          status === "downloading"
            ? `${file.filename} is still being downloaded from the platform; try again in a moment.`
            : `${file.filename} is not kept: ${note}.`,
        );
      }
      const ascii = file.filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
      const inline = request.query.inline === "1" && INLINE_TYPES.has(file.contentType);
      return reply
        .header("content-type", file.contentType)
        .header(
          "content-disposition",
          `${inline ? "inline" : "attachment"}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
        )
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "sandbox")
        .send(file.content);
    },
  );
};
