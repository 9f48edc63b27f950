/**
 * The Analyzer interface: what the ingest pipeline asks of every message. Implementations are pure and
 * deterministic (no network, no clock), so re-analysis of stored messages gives the same answer.
 */
export type SentimentLabel = "positive" | "neutral" | "negative";
export type Intent = "question" | "complaint" | "suggestion" | "praise" | "other";
export type Urgency = "low" | "normal" | "high";

export interface Analysis {
  sentiment: { score: number; label: SentimentLabel };
  /** Empty when the analyzer does not classify intent. */
  intent: Intent[];
  /** Null when the analyzer does not assess urgency. */
  urgency: { level: Urgency; reasons: string[] } | null;
  /** Null when the analyzer does not assess spam. */
  spam: { score: number; label: "spam" | "ham"; reasons: string[] } | null;
  /** ISO 639-1 code, or null when unknown. */
  language: string | null;
}

/** Light metadata an analyzer may use besides the text (never follower counts). */
export interface AnalysisContext {
  direction?: "in" | "out";
  /** How many earlier inbound messages this person sent in the same conversation. */
  priorInboundCount?: number;
}

export interface Analyzer {
  /** Stored with every analysis, so re-analysis can find messages analysed by an older version. */
  readonly version: string;
  /** The text analysis: the expensive part, run before the pipeline's transaction. */
  analyze(text: string, context?: AnalysisContext): Analysis;
  /**
   * Cheap adjustments that need the conversation's state (e.g. repeated contact raises urgency).
   * The pipeline calls it inside its transaction, once the conversation is known.
   */
  contextual?(analysis: Analysis, context: AnalysisContext): Analysis;
}
