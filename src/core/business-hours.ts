/**
 * Business-hours arithmetic for SLA clocks: a weekly schedule of local "HH:MM" intervals in an IANA time
 * zone, with local holidays. Pure (Intl only). Local times are turned into instants per day, so DST days
 * are 23 or 25 hours long exactly as the wall clock says; a local time that does not exist (spring
 * forward) means the first instant after the gap, and one that exists twice (fall back) the earlier one.
 */

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface BusinessHoursSchedule {
  /** IANA time zone, e.g. "Europe/Berlin". */
  timezone: string;
  /** Local [start, end) intervals per weekday, "HH:MM" ("24:00" allowed as an end). A missing day is closed. */
  schedule: Partial<Record<Weekday, Array<[string, string]>>>;
  /** Local dates ("2026-12-25") on which the clock does not run. */
  holidays: string[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far ahead we look for the next open interval before declaring the schedule never open. */
const MAX_DAYS = 3 * 366;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** True when `timezone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timezone: string): boolean {
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading of instant `ms` in `timezone`, expressed as if it were UTC milliseconds. */
function wallClock(ms: number, timezone: string): number {
  const parts = formatter(timezone).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
}

/** Offset of `timezone` from UTC at instant `ms`, in milliseconds (whole seconds). */
function offsetAt(ms: number, timezone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallClock(whole, timezone) - whole;
}

/** The instant at which the wall clock in `timezone` reads `wall` (local time as UTC milliseconds). */
export function localToInstant(wall: number, timezone: string): number {
  const before = offsetAt(wall - DAY, timezone);
  const after = offsetAt(wall + DAY, timezone);
  if (before === after) return wall - before;
  const candidates = [wall - before, wall - after].filter((t) => wallClock(t, timezone) === wall);
  // Fall back (two readings): the earlier. Spring forward (none): the same distance past the gap.
  if (candidates.length > 0) return Math.min(...candidates);
  return wall - before;
}

/** Minutes since local midnight for "HH:MM" (00:00–24:00), or null when malformed. */
export function parseClock(value: string): number | null {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(value);
  if (!match) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 24 * 60 ? minutes : null;
}

/** The local calendar date (UTC midnight of it, as ms) of instant `ms` in `timezone`. */
function localDate(ms: number, timezone: string): number {
  const wall = wallClock(ms, timezone);
  return wall - (((wall % DAY) + DAY) % DAY);
}

function isoDate(dayMs: number): string {
  return new Date(dayMs).toISOString().slice(0, 10);
}

/** The open intervals of one local day, as instants, in order. */
function dayIntervals(
  day: number,
  hours: BusinessHoursSchedule,
  holidays: Set<string>,
): Array<[number, number]> {
  if (holidays.has(isoDate(day))) return [];
  const weekday = WEEKDAYS[new Date(day).getUTCDay()]!;
  const intervals = hours.schedule[weekday] ?? [];
  const out: Array<[number, number]> = [];
  for (const [from, to] of intervals) {
    const a = parseClock(from);
    const b = parseClock(to);
    if (a === null || b === null || b <= a) continue;
    const start = localToInstant(day + a * MINUTE, hours.timezone);
    const end = localToInstant(day + b * MINUTE, hours.timezone);
    if (end > start) out.push([start, end]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

/** Open intervals from the local day containing `from` onward (ends after `from`), lazily. */
function* openIntervals(
  from: number,
  hours: BusinessHoursSchedule,
  until = Number.POSITIVE_INFINITY,
): Generator<[number, number]> {
  const holidays = new Set(hours.holidays);
  const first = localDate(from, hours.timezone);
  let lastEnd = from;
  for (let i = 0, empty = 0; empty < MAX_DAYS; i++) {
    // A local day starts at most ~26 h after its UTC-midnight label; past that, nothing can start before `until`.
    if (first + (i - 2) * DAY > until) return;
    const intervals = dayIntervals(first + i * DAY, hours, holidays);
    if (intervals.length === 0) empty++;
    else empty = 0;
    for (const [start, end] of intervals) {
      // Overlapping intervals (in one day or across a DST-shifted boundary) are counted once.
      const s = Math.max(start, lastEnd);
      if (end > s) {
        yield [s, end];
        lastEnd = end;
      }
    }
  }
  throw new Error(`Business hours in ${hours.timezone} are never open in the next ${MAX_DAYS} days.`);
}

/**
 * The instant at which `minutes` of business time have passed since `start` (null hours: around the
 * clock). Starting outside hours, the clock starts at the next opening.
 */
export function addBusinessMinutes(start: Date, minutes: number, hours: BusinessHoursSchedule | null): Date {
  const from = start.getTime();
  if (hours === null) return new Date(from + minutes * MINUTE);
  if (minutes < 0) throw new RangeError("minutes must not be negative");
  if (minutes === 0) return new Date(from);
  let remaining = minutes * MINUTE;
  for (const [a, b] of openIntervals(from, hours)) {
    const available = b - a;
    if (remaining <= available) return new Date(a + remaining);
    remaining -= available;
  }
  throw new Error("unreachable");
}

/** Business minutes between `a` and `b` (negative when b is before a); may be fractional. */
export function businessMinutesBetween(a: Date, b: Date, hours: BusinessHoursSchedule | null): number {
  const from = a.getTime();
  const to = b.getTime();
  if (to < from) return -businessMinutesBetween(b, a, hours);
  if (hours === null) return (to - from) / MINUTE;
  let total = 0;
  for (const [s, e] of openIntervals(from, hours, to)) {
    if (s >= to) break;
    total += Math.min(e, to) - s;
  }
  return total / MINUTE;
}

/**
 * Whether business hours are open at `at`, and when that changes next: the closing time when open, the
 * next opening when closed (null hours: always open, never changes).
 */
export function openingAt(
  at: Date,
  hours: BusinessHoursSchedule | null,
): { open: boolean; changesAt: Date | null } {
  if (hours === null) return { open: true, changesAt: null };
  const now = at.getTime();
  try {
    for (const [start, end] of openIntervals(now, hours)) {
      if (end <= now) continue;
      return start <= now
        ? { open: true, changesAt: new Date(end) }
        : { open: false, changesAt: new Date(start) };
    }
  } catch {
    // A schedule that never opens.
  }
  return { open: false, changesAt: null };
}
