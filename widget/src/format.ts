/** Words the widget shows: honest response times, business hours, who is on duty. Pure. */
import type { WidgetStatus } from "./types.ts";

/** "12 minutes", "1 hour", "about 3 hours", "2 days". */
export function duration(minutes: number): string {
  const m = Math.max(1, Math.round(minutes));
  if (m < 60) return `${m} minute${m === 1 ? "" : "s"}`;
  const hours = m / 60;
  if (hours < 48) {
    const h = Math.round(hours);
    return `${h} hour${h === 1 ? "" : "s"}`;
  }
  const d = Math.round(hours / 24);
  return `${d} days`;
}

/**
 * The measured median when there is one (wall-clock time, nights included); otherwise the target, said
 * as a target — counted in business time, so outside business hours from the opening, as it says.
 */
export function responseText(response: WidgetStatus["response"], closed = false): string {
  if (response.typicalMinutes !== null)
    return `Usually replies in about ${duration(response.typicalMinutes)}`;
  return `We aim to reply within ${duration(response.targetMinutes)}${closed ? " after we open" : ""}`;
}

/** "Open now, until 17:00" / "Closed now, opens Mon 09:00" in the visitor's own time; "" around the clock. */
export function hoursText(status: Pick<WidgetStatus, "open" | "hours">, now: Date, locale?: string): string {
  if (!status.hours) return "";
  const at = status.hours.changesAt ? new Date(status.hours.changesAt) : null;
  const time = (d: Date) => d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  const sameDay = (d: Date) => d.toDateString() === now.toDateString();
  const when = (d: Date) =>
    sameDay(d)
      ? time(d)
      : d.getTime() - now.getTime() < 6 * 24 * 3600_000
        ? `${d.toLocaleDateString(locale, { weekday: "short" })} ${time(d)}`
        : `${d.toLocaleDateString(locale, { month: "short", day: "numeric" })} ${time(d)}`;
  if (status.open) return at ? `Open now, until ${when(at)}` : "Open now";
  return at ? `Closed now, opens ${when(at)}` : "Closed now";
}

/** "Maria Lopez is here", "Maria Lopez and Sam Chen are here", "Maria Lopez, Sam Chen and 2 others are here". */
export function dutyText(agents: Array<{ name: string }>): string {
  const names = agents.map((a) => a.name);
  if (names.length === 0) return "No one is online right now";
  if (names.length === 1) return `${names[0]} is here`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are here`;
  const rest = names.length - 2;
  return `${names[0]}, ${names[1]} and ${rest} other${rest === 1 ? "" : "s"} are here`;
}

/** "Maria Lopez is typing…", "Maria Lopez and Sam Chen are typing…". */
export function typingText(agents: string[]): string {
  if (agents.length === 0) return "";
  return agents.length === 1
    ? `${agents[0]} is typing…`
    : `${agents.slice(0, -1).join(", ")} and ${agents[agents.length - 1]} are typing…`;
}

/** Black or white text, whichever reads better on a "#rrggbb" background (WCAG relative luminance). */
export function textOn(color: string): "#ffffff" | "#111111" {
  const channel = (i: number) => {
    const c = Number.parseInt(color.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? "#ffffff" : "#111111";
}
