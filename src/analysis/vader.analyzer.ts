/**
 * The baseline analyzer: VADER sentiment (vader-sentiment), thresholds ±0.05 on the compound score.
 * It classifies sentiment only; intent, urgency, spam and language are left empty (issue #3 adds them).
 */
import vader from "vader-sentiment";
import type { Analysis, Analyzer, SentimentLabel } from "./analyzer.ts";

export function labelFor(score: number, threshold = 0.05): SentimentLabel {
  if (score >= threshold) return "positive";
  if (score <= -threshold) return "negative";
  return "neutral";
}

export function vaderCompound(text: string): number {
  return vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
}

export const vaderAnalyzer: Analyzer = {
  version: "vader-1.1.3",
  analyze(text: string): Analysis {
    const score = vaderCompound(text);
    return {
      sentiment: { score, label: labelFor(score) },
      intent: [],
      urgency: null,
      spam: null,
      language: null,
    };
  },
};
