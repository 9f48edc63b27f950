/** The audit trail: who did what, when. Append-only. */
import type { Db } from "./db.ts";
import { auditEvents } from "./schema.ts";

export type AuditEvent = Omit<typeof auditEvents.$inferInsert, "id" | "createdAt">;

export function auditRepository(db: Db) {
  return {
    async record(event: AuditEvent): Promise<void> {
      await db.insert(auditEvents).values(event);
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
