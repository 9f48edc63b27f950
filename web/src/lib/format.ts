/** Formatting for people: durations, relative times, SLA states, CSV. Pure and tested. */
import type { SlaState } from "../api/types";

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Seconds (as reports give them) to a short duration, or "—". */
export function formatSeconds(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? "—" : formatDuration(seconds * 1000);
}

/** "just now", "5 min ago", "in 2 h". */
export function relativeTime(iso: string | null, now: number = Date.now()): string {
  if (!iso) return "—";
  const diff = new Date(iso).getTime() - now;
  if (Math.abs(diff) < 45_000) return "just now";
  return diff < 0 ? `${formatDuration(-diff)} ago` : `in ${formatDuration(diff)}`;
}

/** A date and time in the reader's locale. */
export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "512 B", "12 KB", "3.4 MB" (1 KB = 1024 B). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1).replace(/\.0$/, "") : Math.round(value)} ${units[unit]}`;
}

export function formatPercent(share: number | null | undefined): string {
  return share === null || share === undefined ? "—" : `${Math.round(share * 100)}%`;
}

/** A plain-words label for an SLA clock: "overdue 2 h", "due in 10 min", "met", "paused". */
export function slaLabel(state: SlaState | null, dueAt: string | null, now: number = Date.now()): string {
  if (!state) return "no SLA";
  if (state === "met") return "SLA met";
  if (state === "paused") return "SLA paused";
  if (!dueAt) return state === "breached" ? "SLA breached" : state === "near" ? "SLA due soon" : "SLA ok";
  const diff = new Date(dueAt).getTime() - now;
  return diff < 0 ? `overdue ${formatDuration(-diff)}` : `due in ${formatDuration(diff)}`;
}

/** Initials for an avatar: "Maria Lopez" → "ML". */
export function initials(name: string | null | undefined): string {
  const words = (name ?? "?").trim().split(/\s+/).filter(Boolean);
  return (
    words
      .slice(0, 2)
      .map((w) => w[0]!.toUpperCase())
      .join("") || "?"
  );
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  // Quote when needed; prefix formula-like cells so spreadsheets do not evaluate them.
  const safe = /^[=+\-@\t\r]/.test(text) && Number.isNaN(Number(text)) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** RFC 4180 CSV from a header row and data rows. */
export function toCsv(header: string[], rows: unknown[][]): string {
  return `${[header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

/** The "@name" being typed at the caret, if any (for mention suggestions). */
export function mentionAt(text: string, caret: number): { query: string; start: number } | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)@([\p{L}\p{N}._-]*)$/u.exec(before);
  if (!match) return null;
  return { query: match[2]!, start: caret - match[2]!.length - 1 };
}
