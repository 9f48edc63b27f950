/** What every report shares: its options, how they resolve to a store scope, and how they are echoed. */
import { AppError } from "../../core/errors.ts";
import type { Database } from "../../store/db.ts";
import { type ReportScope, reportsRepository } from "../../store/reports.repository.ts";

export interface ReportOptions {
  /** Conversations whose first inbound message is at or after this instant. */
  from?: Date;
  /** …and strictly before this instant. */
  to?: Date;
  /** A channel key: only that channel's conversations. */
  channel?: string;
}

/** The options a report was computed with, as the API and `--json` show them. */
export interface ReportRange {
  from: string | null;
  to: string | null;
  channel: string | null;
}

/** Sentiment at or below this score is negative (the analysis labels use ±0.05). The reports' rollup
 * (migration 0001_report_rollup.sql) uses the same threshold: change both together. */
export const NEGATIVE_SENTIMENT = -0.05;

export async function resolveScope(
  database: Database,
  options: ReportOptions,
): Promise<{ scope: ReportScope; range: ReportRange }> {
  if (options.from && options.to && options.from >= options.to) {
    throw new AppError("bad_request", "`from` must be earlier than `to`.");
  }
  const scope: ReportScope = {};
  if (options.from) scope.from = options.from;
  if (options.to) scope.to = options.to;
  if (options.channel !== undefined) {
    const channel = await reportsRepository(database).channelByKey(options.channel);
    if (!channel) throw new AppError("not_found", `No channel has the key "${options.channel}".`);
    scope.channelId = channel.id;
  }
  return {
    scope,
    range: {
      from: options.from?.toISOString() ?? null,
      to: options.to?.toISOString() ?? null,
      channel: options.channel ?? null,
    },
  };
}

/** part / whole, or null when there is nothing to divide by. */
export function share(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** Seconds rounded to whole seconds (percentiles interpolate; a fraction of a second says nothing). */
export function roundSeconds(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}

export { parseReportBound } from "./report.bounds.ts";
