/** A channel's health in words: "Checked 2 min ago", "IMAP: auth failed at 10:42". Pure and tested. */
import type { ChannelHealth } from "../api/channels";
import { relativeTime } from "./format";

/** "10:42" today, else "12 Mar, 10:42", in the reader's locale. */
export function clockTime(iso: string, now: number = Date.now()): string {
  const at = new Date(iso);
  const sameDay = new Date(now).toDateString() === at.toDateString();
  return sameDay
    ? at.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })
    : at.toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

export interface HealthSummary {
  tone: "good" | "bad" | "neutral" | "warn";
  /** A chip's word. */
  label: string;
  /** One line for people. */
  text: string;
}

export function healthSummary(health: ChannelHealth, now: number = Date.now()): HealthSummary {
  switch (health.status) {
    case "ok":
      return { tone: "good", label: "working", text: `Last checked ${relativeTime(health.lastOkAt, now)}` };
    case "error": {
      const e = health.lastError;
      const what = e ? `${e.service.toUpperCase()}: ${e.step ? `${e.step} failed` : "failed"}` : "Failed";
      const when = health.lastErrorAt ? ` at ${clockTime(health.lastErrorAt, now)}` : "";
      return { tone: "bad", label: "failing", text: `${what}${when}` };
    }
    case "waiting":
      return { tone: "warn", label: "starting", text: "Not checked yet" };
    case "paused":
      return { tone: "neutral", label: "paused", text: "Paused: not polled" };
    default:
      return { tone: "neutral", label: "not polled", text: "Nothing polls this channel" };
  }
}
