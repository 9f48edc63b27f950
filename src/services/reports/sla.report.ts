/**
 * The SLA report: how many clocks were met on time, breached, near their breach or still running, by
 * policy, by channel and by kind — computed from the stored targets only, aggregated in SQL.
 */
import { AppError } from "../../core/errors.ts";
import { DEFAULT_POLICY, type SlaKind } from "../../core/sla.ts";
import type { Database } from "../../store/db.ts";
import { type SlaReportRow, slaRepository } from "../../store/sla.repository.ts";

export interface SlaCounts {
  /** Met on time. */
  met: number;
  /** Met late, or past due without being met. */
  breached: number;
  /** Neither met nor breached yet (includes near and paused). */
  running: number;
  /** Running with less than max(20% of the span, 15 min) left. */
  near: number;
  /** Running, paused while the conversation waits on the customer. */
  paused: number;
  /** met / (met + breached); null when no clock has finished. */
  metRate: number | null;
}

export interface SlaReport {
  generatedAt: string;
  /** The window applies to when each clock started: [from, to). */
  from: string | null;
  to: string | null;
  channel: { id: string; key: string; name: string } | null;
  totals: SlaCounts;
  /** policyId null: the built-in default policy (or a policy since deleted). */
  byPolicy: Array<SlaCounts & { policyId: string | null; name: string }>;
  byChannel: Array<SlaCounts & { channelId: string; key: string | null; name: string | null }>;
  byKind: Array<SlaCounts & { kind: SlaKind }>;
}

const KINDS: SlaKind[] = ["first_response", "next_response", "resolution"];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function sum(rows: SlaReportRow[]): SlaCounts {
  const c = { met: 0, breached: 0, running: 0, near: 0, paused: 0 };
  for (const r of rows) {
    c.met += r.met;
    c.breached += r.breached;
    c.running += r.running;
    c.near += r.near;
    c.paused += r.paused;
  }
  const finished = c.met + c.breached;
  return { ...c, metRate: finished === 0 ? null : Math.round((c.met / finished) * 10_000) / 10_000 };
}

function groups<K>(rows: SlaReportRow[], key: (r: SlaReportRow) => K): Array<[K, SlaCounts]> {
  const by = new Map<K, SlaReportRow[]>();
  for (const r of rows) {
    const k = key(r);
    by.set(k, [...(by.get(k) ?? []), r]);
  }
  return [...by].map(([k, list]) => [k, sum(list)]);
}

/** The SLA report over targets started in [from, to), optionally for one channel (key or id). */
export async function slaReport(
  database: Database,
  options: { from?: Date; to?: Date; channel?: string; now?: Date } = {},
): Promise<SlaReport> {
  const repo = slaRepository(database.db);
  const now = options.now ?? new Date();
  const names = await repo.names();
  let channel: SlaReport["channel"] = null;
  if (options.channel !== undefined) {
    const wanted = options.channel;
    const found = [...names.channels].find(
      ([id, c]) => c.key === wanted || (UUID.test(wanted) && id === wanted),
    );
    if (!found) throw new AppError("not_found", `No channel "${wanted}".`);
    channel = { id: found[0], ...found[1] };
  }
  const rows = await repo.report({ from: options.from, to: options.to, channelId: channel?.id, now });
  const byCount = <T extends SlaCounts>(a: T, b: T) =>
    b.met + b.breached + b.running - (a.met + a.breached + a.running);
  return {
    generatedAt: now.toISOString(),
    from: options.from?.toISOString() ?? null,
    to: options.to?.toISOString() ?? null,
    channel,
    totals: sum(rows),
    byPolicy: groups(rows, (r) => r.policyId)
      .map(([policyId, counts]) => ({
        policyId,
        name: policyId === null ? DEFAULT_POLICY.name : (names.policies.get(policyId) ?? policyId),
        ...counts,
      }))
      .sort(byCount),
    byChannel: groups(rows, (r) => r.channelId)
      .map(([channelId, counts]) => ({
        channelId,
        key: names.channels.get(channelId)?.key ?? null,
        name: names.channels.get(channelId)?.name ?? null,
        ...counts,
      }))
      .sort(byCount),
    byKind: KINDS.map((kind) => ({ kind, ...sum(rows.filter((r) => r.kind === kind)) })),
  };
}
