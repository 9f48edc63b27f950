/**
 * Spam/bot detection: a logistic-regression model over words (trained on the SMS and YouTube spam collections)
 * plus hand-written reason rules, so every spam verdict says why.
 */
import { spamFeatures } from "./features.ts";
import { type CompiledLinear, compileLinear, type LinearModel, linearLogit } from "./linear.ts";
import spamModel from "./models/spam.json" with { type: "json" };

export interface SpamResult {
  score: number;
  label: "spam" | "ham";
  reasons: string[];
}

const MODEL = compileLinear(spamModel as LinearModel);

/** Probability threshold for the spam label (see docs/analysis.md). */
export const SPAM_AT = 0.5;

/** The model's logit is scaled and shifted before the rules add their log-odds (tuned on training folds). */
export const SPAM_TUNING = { scale: 1, bias: -0.5 };

interface Rule {
  reason: string;
  re: RegExp;
  /** Log-odds added when the rule fires. */
  weight: number;
}

const RULES: Rule[] = [
  {
    reason: "self-promotion",
    re: /\b(?:check (?:out )?(?:my|our|me|them|it)(?: out)?|subscribe(?! to (?:her|him|katy))|subs? (?:back|4 ?sub|for ?sub)|visit my|go to my|my (?:channel|new video|videos?|page|playlist|music|mixtape|song|cover|book|blog|instagram|ig|twitter|soundcloud)|add me|(?:i|we) (?:did|made|make) a (?:cover|video|song)|mi canal|donate)\b/i,
    weight: 2.5,
  },
  {
    reason: "follow-for-follow",
    re: /\b(?:follow (?:me|back|this|my)|f4f|follow ?for ?follow|sub ?for ?sub|sub4sub|like ?for ?like|l4l|follow4follow)\b/i,
    weight: 3,
  },
  {
    reason: "engagement-bait",
    re: /\b(?:(?:like|share) (?:this|if|my)|please (?:like|share|vote|help me)|give (?:it|this|me) a (?:like|thumbs)|vote (?:for )?me)\b/i,
    weight: 2,
  },
  {
    reason: "crypto-investment",
    re: /\b(?:bitcoins?|btc|crypto(?:currency)?|forex|binary options|invest(?:ment|ing)? (?:opportunity|plan)|passive income|double your (?:money|investment)|earn \$?\d+|make money|work from home|nft drop|airdrop|free leads|leads on auto|get paid)\b/i,
    weight: 3,
  },
  {
    reason: "prize-bait",
    re: /\b(?:you(?:'ve| have)? won|winner|claim (?:your|now|a)|free (?:gift|iphone|prize|entry|tickets?|ringtone|version)|prize|cash reward|txt|text (?:\w+ )?to \d{4,})\b/i,
    weight: 2,
  },
  {
    reason: "link-bait",
    re: /(?:\b(?:bit\.ly|goo\.gl|tinyurl|linkbucks|adf\.ly|ow\.ly|is\.gd|shorte\.st)\/|(?:https?:\/\/|www\.)\S+[\s\S]{0,80}\b(?:click|free|win|earn|subscribe|visit|check (?:it|this|out)|watch (?:my|this))\b|\b(?:click|visit|go to|check out|watch|download now)\b[\s\S]{0,60}(?:https?:\/\/|www\.))/i,
    weight: 1.5,
  },
];

/** A copy-paste flood: the same short chunk repeated many times, or a wall of one repeated character. */
function isFlood(text: string): boolean {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length < 12) return false;
  const distinct = new Set(words).size;
  return distinct / words.length < 0.25;
}

/** Spam verdict for a text. */
export function spam(text: string): SpamResult {
  return spamWith(MODEL, text);
}

/** Spam verdict under a given model (eval uses this with models trained on its own folds). */
export function spamWith(model: CompiledLinear, text: string, tune = SPAM_TUNING): SpamResult {
  const reasons: string[] = [];
  let logit = linearLogit(model, spamFeatures(text)) * tune.scale + tune.bias;
  for (const rule of RULES) {
    if (rule.re.test(text)) {
      reasons.push(rule.reason);
      logit += rule.weight;
    }
  }
  if (isFlood(text)) {
    reasons.push("copy-paste flood");
    logit += 3;
  }
  const score = Math.round((1 / (1 + Math.exp(-logit))) * 1e4) / 1e4;
  const label = score >= SPAM_AT ? "spam" : "ham";
  if (label === "spam" && reasons.length === 0) reasons.push("spam-like wording");
  return { score, label, reasons: label === "spam" ? reasons : [] };
}
