/**
 * Rapport's database schema: the single source of truth for tables. Migrations in ./migrations are
 * generated from this file with `npm run db:generate` (drizzle-kit) and reviewed before commit.
 */

export * from "./schema.analysis.ts";
export * from "./schema.core.ts";
export * from "./schema.operations.ts";
export * from "./schema.queue.ts";
export * from "./schema.webchat.ts";
export * from "./schema.webhooks.ts";
