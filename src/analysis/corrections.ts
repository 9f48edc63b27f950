/**
 * Agents' corrections of a message's analysis, as pure functions over the message's analysis columns
 * (docs/corrections.md). The columns take the human label, so everything that reads
 * them (queue, filters, reports) follows the agent; the analyzer's own value is kept beside it.
 */
import type { Intent, SentimentLabel, Urgency } from "./analyzer.ts";
import { NEGATIVE_AT, POSITIVE_AT } from "./sentiment.ts";
import { SPAM_AT } from "./spam.ts";

export const CORRECTABLE_FIELDS = ["sentiment", "intent", "urgency", "spam", "language"] as const;
export type CorrectableField = (typeof CORRECTABLE_FIELDS)[number];

/** What an agent may say about a message, field by field. */
export interface HumanLabels {
  sentiment?: SentimentLabel;
  intent?: Intent[];
  urgency?: Urgency;
  spam?: "spam" | "ham";
  language?: string;
}

/** The analysis columns of a stored message. */
export interface AnalysisColumns {
  sentiment_score: number | null;
  sentiment_label: SentimentLabel | null;
  intent: string[] | null;
  urgency: Urgency | null;
  spam_score: number | null;
  spam_label: "spam" | "ham" | null;
  language: string | null;
}

export type HumanValue = string | string[];
/** The analyzer's value of a field; sentiment and spam keep their score too. */
export type MachineValue = string | string[] | null | { label: string | null; score: number | null };

/**
 * The score a corrected label gets when the analyzer's score lies outside that label's range (a score
 * inside it is kept): the reports' "sentiment before and after" and the spam filter read scores.
 */
export const CORRECTED_SCORE = {
  sentiment: { positive: 0.6, neutral: 0, negative: -0.6 },
  spam: { spam: 1, ham: 0 },
} as const;

const INTENT_ORDER: readonly Intent[] = ["question", "complaint", "suggestion", "praise", "other"];

/** An intent list in the analyzer's order without repeats ("other" only alone). */
export function normalizeIntents(list: readonly string[]): Intent[] {
  const set = new Set(list);
  const named = INTENT_ORDER.filter((i) => i !== "other" && set.has(i));
  return named.length > 0 ? named : ["other"];
}

/** The label of a value: sentiment and spam keep `{ label, score }`, the other fields are their label (or list). */
export function labelOf(value: MachineValue | HumanValue): string | string[] | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value.label : value;
}

export function machineValue(columns: AnalysisColumns, field: CorrectableField): MachineValue {
  switch (field) {
    case "sentiment":
      return { label: columns.sentiment_label, score: columns.sentiment_score };
    case "spam":
      return { label: columns.spam_label, score: columns.spam_score };
    case "intent":
      return columns.intent ?? [];
    case "urgency":
      return columns.urgency;
    case "language":
      return columns.language;
  }
}

/** Whether the agent's value says the same as the analyzer's (then there is nothing to correct). */
export function agrees(field: CorrectableField, human: HumanValue, machine: MachineValue): boolean {
  if (field === "intent") {
    if (!Array.isArray(machine) || !Array.isArray(human)) return false;
    return normalizeIntents(human).join() === normalizeIntents(machine).join();
  }
  return labelOf(machine) === human;
}

function sentimentRange(label: SentimentLabel, score: number | null): boolean {
  if (score === null) return false;
  if (label === "positive") return score >= POSITIVE_AT;
  if (label === "negative") return score <= NEGATIVE_AT;
  return score > NEGATIVE_AT && score < POSITIVE_AT;
}

/** The columns with the agent's value of one field in place of the analyzer's. */
export function applyHuman(
  columns: AnalysisColumns,
  field: CorrectableField,
  human: HumanValue,
): AnalysisColumns {
  switch (field) {
    case "sentiment": {
      const label = human as SentimentLabel;
      const keep = sentimentRange(label, columns.sentiment_score);
      return {
        ...columns,
        sentiment_label: label,
        sentiment_score: keep ? columns.sentiment_score : CORRECTED_SCORE.sentiment[label],
      };
    }
    case "spam": {
      const label = human as "spam" | "ham";
      const score = columns.spam_score;
      const keep = score !== null && (label === "spam" ? score >= SPAM_AT : score < SPAM_AT);
      return { ...columns, spam_label: label, spam_score: keep ? score : CORRECTED_SCORE.spam[label] };
    }
    case "intent":
      return { ...columns, intent: normalizeIntents(human as string[]) };
    case "urgency":
      return { ...columns, urgency: human as Urgency };
    case "language":
      return { ...columns, language: human as string };
  }
}

/** Restores the analyzer's value of one field (a correction taken back). */
export function applyMachine(
  columns: AnalysisColumns,
  field: CorrectableField,
  machine: MachineValue,
): AnalysisColumns {
  const scored = machine !== null && typeof machine === "object" && !Array.isArray(machine) ? machine : null;
  switch (field) {
    case "sentiment":
      return {
        ...columns,
        sentiment_label: (scored?.label as SentimentLabel | null) ?? null,
        sentiment_score: scored?.score ?? null,
      };
    case "spam":
      return {
        ...columns,
        spam_label: (scored?.label as "spam" | "ham" | null) ?? null,
        spam_score: scored?.score ?? null,
      };
    case "intent":
      return { ...columns, intent: Array.isArray(machine) ? machine : [] };
    case "urgency":
      return { ...columns, urgency: (machine as Urgency | null) ?? null };
    case "language":
      return { ...columns, language: (machine as string | null) ?? null };
  }
}

/** The fields a request names, with their values (intent lists normalised). */
export function humanEntries(labels: HumanLabels): Array<[CorrectableField, HumanValue]> {
  const entries: Array<[CorrectableField, HumanValue]> = [];
  for (const field of CORRECTABLE_FIELDS) {
    const value = labels[field];
    if (value === undefined) continue;
    entries.push([field, field === "intent" ? normalizeIntents(value as string[]) : (value as string)]);
  }
  return entries;
}
