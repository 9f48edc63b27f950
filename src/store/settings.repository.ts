/** Workspace settings: one JSON value per key, changed by admins at runtime. */
import { eq, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { settings } from "./schema.ts";

export function settingsRepository(db: Db) {
  return {
    async get(key: string): Promise<unknown> {
      const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
      return row?.value ?? null;
    },
    async set(key: string, value: unknown): Promise<void> {
      await db
        .insert(settings)
        .values({ key, value })
        .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: sql`now()` } });
    },
  };
}
