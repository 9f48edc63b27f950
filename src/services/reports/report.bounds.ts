/** Report date bounds as given on the command line and in the API (no database: the CLI loads it at start). */
import { clampQueryBound } from "../../core/instants.ts";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Reads a report bound: an ISO date ("2026-01-31", a whole UTC day) or an ISO date-time with an offset.
 * A date `to` includes that whole day, so `from=2026-01-01&to=2026-01-31` is all of January; a
 * date-time `to` is exclusive. Returns null when the text is not one of those forms. Years before 0001
 * or a `to` past 9999 are clamped to what PostgreSQL holds (core/instants.ts).
 */
export function parseReportBound(value: string, edge: "from" | "to"): Date | null {
  const text = value.trim();
  if (DATE_ONLY.test(text)) {
    const day = new Date(`${text}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text) return null;
    return clampQueryBound(edge === "to" ? new Date(day.getTime() + 86_400_000) : day);
  }
  if (DATE_TIME.test(text)) {
    const instant = new Date(text);
    return Number.isNaN(instant.getTime()) ? null : clampQueryBound(instant);
  }
  return null;
}
