/**
 * Rapport's analyzer: every classifier over one shared text preparation. Pure and deterministic; the models
 * are JSON imported at build time. `version` changes whenever a rule, threshold or model changes.
 */
import type { Analysis, AnalysisContext, Analyzer } from "./analyzer.ts";
import { intentOf } from "./intent.ts";
import { languageOf } from "./language.ts";
import { ruleScore, sentimentLabel } from "./sentiment.ts";
import { spamOf } from "./spam.ts";
import { prepare } from "./text.ts";
import { REPEAT_AT, urgencyOf } from "./urgency.ts";

/** Analysis with every field filled in (Rapport's analyzer never leaves urgency or spam null). */
export interface FullAnalysis extends Analysis {
  urgency: NonNullable<Analysis["urgency"]>;
  spam: NonNullable<Analysis["spam"]>;
}

export function analyze(text: string, context: AnalysisContext = {}): FullAnalysis {
  const p = prepare(text);
  const parts = ruleScore(p);
  const score = Math.round(parts.rules * 1e4) / 1e4;
  const spamResult = spamOf(p, score);
  const urgencyResult =
    spamResult.label === "spam" ? { level: "low" as const, reasons: ["spam"] } : urgencyOf(p, context, score);
  return {
    sentiment: { score, label: sentimentLabel(score) },
    intent: intentOf(p, parts),
    urgency: urgencyResult,
    spam: spamResult,
    language: languageOf(p.lowerWords, text),
  };
}

/** An Analyzer whose results always carry urgency and spam. */
export interface RapportAnalyzer extends Analyzer {
  analyze(text: string, context?: AnalysisContext): FullAnalysis;
}

/**
 * The part of urgency that needs the conversation: a person who already wrote REPEAT_AT times is
 * repeating themselves. The pipeline applies it inside its transaction (see Analyzer.contextual).
 */
export function contextual(analysis: Analysis, context: AnalysisContext): Analysis {
  const prior = context.priorInboundCount ?? 0;
  if (context.direction === "out" || prior < REPEAT_AT || analysis.spam?.label === "spam") return analysis;
  // A thank-you after our reply is not someone repeating a problem.
  if (analysis.urgency?.level === "low") return analysis;
  const reasons =
    analysis.urgency?.reasons.filter((r) => r !== "positive, no problem reported" && r !== "no text") ?? [];
  if (reasons.includes("repeated contact")) return analysis;
  return { ...analysis, urgency: { level: "high", reasons: [...reasons, "repeated contact"] } };
}

export const rapportAnalyzer: RapportAnalyzer = {
  version: "rapport-0.5.1",
  analyze,
  contextual,
};
