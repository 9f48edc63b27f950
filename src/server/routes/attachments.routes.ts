/** Download a message's attachment, as sent: always as a download, never rendered inline. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError, notFound } from "../../core/errors.ts";
import { attachmentRepository } from "../../store/attachment.repository.ts";
import type { Database } from "../../store/db.ts";
import { idParamsSchema } from "../api.schemas.ts";

export const attachmentRoutes: FastifyPluginAsyncZod<{ database: Database }> = async (app, deps) => {
  app.get(
    "/api/messages/:id/attachments/:n",
    {
      schema: {
        tags: ["conversations"],
        summary: "Download a message's attachment n (0-based), as sent",
        params: idParamsSchema.extend({ n: z.coerce.number().int().min(0).max(1000) }),
      },
    },
    async (request, reply) => {
      const file = await attachmentRepository(deps.database.db).get(request.params.id, request.params.n);
      if (!file) throw notFound("The attachment");
      if (!file.content) {
        throw new AppError(
          "not_found",
          `${file.filename} (${file.size} bytes) was larger than the 10 MB kept per attachment; the original mail is kept as its raw event.`,
        );
      }
      const ascii = file.filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
      return reply
        .header("content-type", file.contentType)
        .header(
          "content-disposition",
          `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
        )
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "sandbox")
        .send(file.content);
    },
  );
};
