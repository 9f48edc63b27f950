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

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Reads a report bound: an ISO date ("2026-01-31", a whole UTC day) or an ISO date-time with an offset.
 * A date `to` includes that whole day, so `from=2026-01-01&to=2026-01-31` is all of January; a
 * date-time `to` is exclusive. Returns null when the text is not one of those forms.
 */
export function parseReportBound(value: string, edge: "from" | "to"): Date | null {
  const text = value.trim();
  if (DATE_ONLY.test(text)) {
    const day = new Date(`${text}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text) return null;
    return edge === "to" ? new Date(day.getTime() + 86_400_000) : day;
  }
  if (DATE_TIME.test(text)) {
    const instant = new Date(text);
    return Number.isNaN(instant.getTime()) ? null : instant;
  }
  return null;
}
