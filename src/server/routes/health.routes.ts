/** GET /api/health: is the server up and can it reach its database? No authentication. */
import { sql } from "drizzle-orm";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Database } from "../../store/db.ts";
import { errorSchema } from "../api.schemas.ts";

export const healthRoutes: FastifyPluginAsyncZod<{ database: Database; version: string }> = async (
  app,
  { database, version },
) => {
  app.get(
    "/api/health",
    {
      config: { public: true },
      schema: {
        tags: ["system"],
        summary: "Health check (no authentication)",
        security: [],
        response: {
          200: z.object({
            status: z.literal("ok"),
            engine: z.enum(["pglite", "postgres"]),
            version: z.string(),
          }),
          503: errorSchema,
        },
      },
    },
    async (_request, reply) => {
      try {
        await database.rows(sql`SELECT 1`);
      } catch (error) {
        reply.log.error({ err: error }, "health check: database unreachable");
        return reply
          .status(503)
          .send({ error: { code: "unavailable", message: "The database is unreachable." } });
      }
      return { status: "ok" as const, engine: database.engine, version };
    },
  );
};
