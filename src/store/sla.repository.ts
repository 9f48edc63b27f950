/**
 * SLA storage: policies and business hours (small tables, query builder), and the bulk reads and writes
 * of the SLA service — a few set-based statements per batch of conversations, whatever its size.
 */
import { type AnyColumn, and, asc, eq, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import type { BusinessHoursSchedule } from "../core/business-hours.ts";
import type { ConversationStatus, PlannedTarget, SlaKind, SlaPolicy, StoredTarget } from "../core/sla.ts";
import { COPY_MIN_ROWS, copyRows, encodeCopy } from "./copy.ts";
import type { Db } from "./db.ts";
import { businessHours, conversations, messages, slaPolicies, slaTargets } from "./schema.ts";

const json = (value: unknown) => JSON.stringify(value);

/**
 * `column IN (ids)` with the ids as one JSON parameter: a batch's thousands of conversations would
 * otherwise be thousands of bound parameters, each built by the query builder and serialised apart.
 */
function inIds(column: AnyColumn, ids: string[]): SQL {
  return sql`${column} IN (SELECT value::uuid FROM json_array_elements_text(${json(ids)}::json))`;
}

const TARGET_COLUMNS = [
  "conversation_id",
  "policy_id",
  "channel_id",
  "kind",
  "started_at",
  "due_at",
  "met_at",
  "paused_at",
  "paused_minutes",
];

export type SlaPolicyRow = typeof slaPolicies.$inferSelect;
export type SlaPolicyInput = Omit<typeof slaPolicies.$inferInsert, "id" | "createdAt">;
export type BusinessHoursRow = typeof businessHours.$inferSelect;
export type BusinessHoursInput = Omit<typeof businessHours.$inferInsert, "id" | "createdAt">;

export interface SlaConversationFacts {
  id: string;
  channelId: string;
  status: ConversationStatus;
  firstInboundAt: Date | null;
  firstHumanResponseAt: Date | null;
  resolvedAt: Date | null;
  slaPausedAt: Date | null;
  slaPolicyId: string | null;
  firstResponseDueAt: Date | null;
  nextResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  slaDueAt: Date | null;
}

export interface SlaTimelineRow {
  conversationId: string;
  at: Date;
  direction: "in" | "out";
  human: boolean;
  intent: string[] | null;
  urgency: string | null;
}

export interface SlaConversationUpdate {
  id: string;
  slaPolicyId: string | null;
  slaPausedAt: Date | null;
  firstResponseDueAt: Date | null;
  nextResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  slaDueAt: Date | null;
}

export interface SlaReportFilters {
  from?: Date;
  to?: Date;
  channelId?: string;
  now: Date;
}

export interface SlaReportRow {
  policyId: string | null;
  channelId: string;
  kind: SlaKind;
  met: number;
  breached: number;
  running: number;
  near: number;
  paused: number;
}

/**
 * `copy`: load large batches of new targets with COPY (PostgreSQL only; see copy.ts), as imports do.
 */
export function slaRepository(db: Db, options: { copy?: boolean } = {}) {
  return {
    /** Every policy with its business hours, in matching order (the service matches in memory). */
    async policies(tx: Db = db): Promise<SlaPolicy[]> {
      const rows = await tx
        .select({ policy: slaPolicies, hours: businessHours })
        .from(slaPolicies)
        .leftJoin(businessHours, eq(businessHours.id, slaPolicies.businessHoursId))
        .orderBy(asc(slaPolicies.position), asc(slaPolicies.createdAt), asc(slaPolicies.id));
      return rows.map(({ policy, hours }) => ({
        id: policy.id,
        name: policy.name,
        channelId: policy.channelId,
        intent: policy.intent,
        urgency: policy.urgency,
        firstResponseMinutes: policy.firstResponseMinutes,
        nextResponseMinutes: policy.nextResponseMinutes,
        resolutionMinutes: policy.resolutionMinutes,
        businessHours: hours ? toSchedule(hours) : null,
        position: policy.position,
        enabled: policy.enabled,
      }));
    },

    /** The conversations' SLA inputs and current columns, locked against concurrent SLA writers. */
    async facts(tx: Db, ids: string[]): Promise<SlaConversationFacts[]> {
      if (ids.length === 0) return [];
      return tx
        .select({
          id: conversations.id,
          channelId: conversations.channelId,
          status: conversations.status,
          firstInboundAt: conversations.firstInboundAt,
          firstHumanResponseAt: conversations.firstHumanResponseAt,
          resolvedAt: conversations.resolvedAt,
          slaPausedAt: conversations.slaPausedAt,
          slaPolicyId: conversations.slaPolicyId,
          firstResponseDueAt: conversations.firstResponseDueAt,
          nextResponseDueAt: conversations.nextResponseDueAt,
          resolutionDueAt: conversations.resolutionDueAt,
          slaDueAt: conversations.slaDueAt,
        })
        .from(conversations)
        .where(inIds(conversations.id, ids))
        .orderBy(asc(conversations.id))
        .for("no key update");
    },

    /** The conversations' non-note messages in time order, with what policy matching reads. */
    async timelines(tx: Db, ids: string[]): Promise<SlaTimelineRow[]> {
      if (ids.length === 0) return [];
      return tx
        .select({
          conversationId: messages.conversationId,
          at: messages.createdAt,
          direction: messages.direction,
          human: sql<boolean>`${messages.authorAgentId} IS NOT NULL`,
          intent: messages.intent,
          urgency: messages.urgency,
        })
        .from(messages)
        .where(
          and(
            inIds(messages.conversationId, ids),
            ne(messages.visibility, "note"),
            // Automated mail (auto-replies, bounces, lists) starts no clock.
            or(eq(messages.direction, "out"), isNull(messages.automated)),
          ),
        )
        .orderBy(asc(messages.conversationId), asc(messages.createdAt), asc(messages.id));
    },

    async targets(tx: Db, ids: string[]): Promise<Array<StoredTarget & { conversationId: string }>> {
      if (ids.length === 0) return [];
      return tx
        .select({
          id: slaTargets.id,
          conversationId: slaTargets.conversationId,
          kind: slaTargets.kind,
          policyId: slaTargets.policyId,
          startedAt: slaTargets.startedAt,
          dueAt: slaTargets.dueAt,
          metAt: slaTargets.metAt,
          pausedAt: slaTargets.pausedAt,
          pausedMinutes: slaTargets.pausedMinutes,
        })
        .from(slaTargets)
        .where(inIds(slaTargets.conversationId, ids))
        .orderBy(asc(slaTargets.id));
    },

    /** Applies a diff of targets: three statements at most. */
    async saveTargets(
      tx: Db,
      diff: {
        remove: number[];
        insert: Array<PlannedTarget & { conversationId: string; channelId: string }>;
        update: Array<PlannedTarget & { id: number }>;
      },
    ): Promise<void> {
      if (diff.remove.length > 0) {
        await tx.execute(sql`
          DELETE FROM sla_targets
          WHERE id IN (SELECT value::bigint FROM json_array_elements_text(${json(diff.remove)}::json))`);
      }
      // New rows with generated ids: nothing can conflict, so a COPY needs no fallback.
      const chunks =
        options.copy && diff.insert.length >= COPY_MIN_ROWS
          ? encodeCopy(
              diff.insert.map((t) => [
                t.conversationId,
                t.policyId,
                t.channelId,
                t.kind,
                t.startedAt,
                t.dueAt,
                t.metAt,
                t.pausedAt,
                t.pausedMinutes,
              ]),
            )
          : undefined;
      if (chunks) await copyRows(tx, "sla_targets", TARGET_COLUMNS, chunks);
      else if (diff.insert.length > 0) {
        await tx.execute(sql`
          INSERT INTO sla_targets (conversation_id, policy_id, channel_id, kind, started_at, due_at, met_at,
            paused_at, paused_minutes)
          SELECT "conversationId", "policyId", "channelId", kind, "startedAt", "dueAt", "metAt", "pausedAt",
            "pausedMinutes"
          FROM json_to_recordset(${json(diff.insert)}::json) AS r("conversationId" uuid, "policyId" uuid,
            "channelId" uuid, kind text, "startedAt" timestamptz, "dueAt" timestamptz, "metAt" timestamptz,
            "pausedAt" timestamptz, "pausedMinutes" integer)`);
      }
      if (diff.update.length > 0) {
        await tx.execute(sql`
          UPDATE sla_targets t SET policy_id = r."policyId", started_at = r."startedAt", due_at = r."dueAt",
            met_at = r."metAt", paused_at = r."pausedAt", paused_minutes = r."pausedMinutes"
          FROM json_to_recordset(${json(diff.update)}::json) AS r(id bigint, "policyId" uuid,
            "startedAt" timestamptz, "dueAt" timestamptz, "metAt" timestamptz, "pausedAt" timestamptz,
            "pausedMinutes" integer)
          WHERE t.id = r.id`);
      }
    },

    /** Writes the SLA columns of conversations (only rows given; callers pass the changed ones). */
    async updateConversations(tx: Db, rows: SlaConversationUpdate[]): Promise<void> {
      if (rows.length === 0) return;
      await tx.execute(sql`
        UPDATE conversations c SET sla_policy_id = r."slaPolicyId", sla_paused_at = r."slaPausedAt",
          first_response_due_at = r."firstResponseDueAt", next_response_due_at = r."nextResponseDueAt",
          resolution_due_at = r."resolutionDueAt", sla_due_at = r."slaDueAt"
        FROM json_to_recordset(${json(rows)}::json) AS r(id uuid, "slaPolicyId" uuid, "slaPausedAt" timestamptz,
          "firstResponseDueAt" timestamptz, "nextResponseDueAt" timestamptz, "resolutionDueAt" timestamptz,
          "slaDueAt" timestamptz)
        WHERE c.id = r.id`);
    },

    /**
     * Target counts by policy, channel and kind, as of `now`, for targets started in [from, to).
     * met: met on time; breached: met late, or unmet past due (a paused clock only if due before its pause);
     * running: neither (near and paused are subsets of running).
     */
    async report(filters: SlaReportFilters): Promise<SlaReportRow[]> {
      const now = filters.now.toISOString();
      const where = [sql`TRUE`];
      if (filters.from) where.push(sql`started_at >= ${filters.from.toISOString()}::timestamptz`);
      if (filters.to) where.push(sql`started_at < ${filters.to.toISOString()}::timestamptz`);
      if (filters.channelId) where.push(sql`channel_id = ${filters.channelId}::uuid`);
      const result = (await db.execute(sql`
        WITH t AS (
          SELECT policy_id, channel_id, kind, started_at, due_at, paused_at,
            met_at IS NOT NULL AND met_at <= due_at AS is_met,
            (met_at IS NOT NULL AND met_at > due_at)
              OR (met_at IS NULL AND due_at <= COALESCE(paused_at, ${now}::timestamptz)) AS is_breached
          FROM sla_targets WHERE ${sql.join(where, sql` AND `)})
        SELECT policy_id AS "policyId", channel_id AS "channelId", kind,
          count(*) FILTER (WHERE is_met) AS met,
          count(*) FILTER (WHERE is_breached) AS breached,
          count(*) FILTER (WHERE NOT is_met AND NOT is_breached) AS running,
          count(*) FILTER (WHERE NOT is_met AND NOT is_breached AND paused_at IS NULL
            AND due_at - ${now}::timestamptz
              < GREATEST((due_at - started_at) * 0.2, interval '15 minutes')) AS near,
          count(*) FILTER (WHERE NOT is_met AND NOT is_breached AND paused_at IS NOT NULL) AS paused
        FROM t GROUP BY policy_id, channel_id, kind`)) as unknown as {
        rows: Array<Record<string, string | number | null>>;
      };
      return result.rows.map((r) => ({
        policyId: (r.policyId as string | null) ?? null,
        channelId: r.channelId as string,
        kind: r.kind as SlaKind,
        met: Number(r.met),
        breached: Number(r.breached),
        running: Number(r.running),
        near: Number(r.near),
        paused: Number(r.paused),
      }));
    },

    listPolicies: () =>
      db.select().from(slaPolicies).orderBy(asc(slaPolicies.position), asc(slaPolicies.createdAt)),
    findPolicy: async (id: string) => (await db.select().from(slaPolicies).where(eq(slaPolicies.id, id)))[0],
    createPolicy: async (input: SlaPolicyInput) =>
      (await db.insert(slaPolicies).values(input).returning())[0]!,
    updatePolicy: async (id: string, input: Partial<SlaPolicyInput>) =>
      (await db.update(slaPolicies).set(input).where(eq(slaPolicies.id, id)).returning())[0],
    deletePolicy: async (id: string) =>
      (await db.delete(slaPolicies).where(eq(slaPolicies.id, id)).returning({ id: slaPolicies.id })).length >
      0,

    listBusinessHours: () => db.select().from(businessHours).orderBy(asc(businessHours.name)),
    findBusinessHours: async (id: string) =>
      (await db.select().from(businessHours).where(eq(businessHours.id, id)))[0],
    createBusinessHours: async (input: BusinessHoursInput) =>
      (await db.insert(businessHours).values(input).returning())[0]!,
    updateBusinessHours: async (id: string, input: Partial<BusinessHoursInput>) =>
      (await db.update(businessHours).set(input).where(eq(businessHours.id, id)).returning())[0],
    deleteBusinessHours: async (id: string) =>
      (await db.delete(businessHours).where(eq(businessHours.id, id)).returning({ id: businessHours.id }))
        .length > 0,

    /** Names of policies and channels, for labelling report rows. */
    async names(): Promise<{
      policies: Map<string, string>;
      channels: Map<string, { key: string; name: string }>;
    }> {
      const policies = await db.select({ id: slaPolicies.id, name: slaPolicies.name }).from(slaPolicies);
      const channels = (await db.execute(sql`SELECT id, key, name FROM channels`)) as unknown as {
        rows: Array<{ id: string; key: string; name: string }>;
      };
      return {
        policies: new Map(policies.map((p) => [p.id, p.name])),
        channels: new Map(channels.rows.map((c) => [c.id, { key: c.key, name: c.name }])),
      };
    },
  };
}

export type SlaRepository = ReturnType<typeof slaRepository>;

function toSchedule(row: BusinessHoursRow): BusinessHoursSchedule {
  return {
    timezone: row.timezone,
    schedule: row.schedule as BusinessHoursSchedule["schedule"],
    holidays: row.holidays,
  };
}
