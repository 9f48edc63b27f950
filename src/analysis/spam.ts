/**
 * Spam/bot detection: a logistic-regression model over words (trained on the SMS and YouTube spam collections)
 * plus hand-written reason rules, so every spam verdict says why.
 */
import { START, spamWordsOfLower, unHtml } from "./features.ts";
import { type CompiledLinear, compileLinear, type LinearModel, wordsLogit } from "./linear.ts";
import spamModel from "./models/spam.json" with { type: "json" };
import { sentiment } from "./sentiment.ts";
import { anyOf, containsAny, type Prepared } from "./text.ts";

export interface SpamResult {
  score: number;
  label: "spam" | "ham";
  reasons: string[];
}

const MODEL = compileLinear(spamModel as LinearModel);

/** Probability threshold for the spam label (see docs/analysis.md). */
export const SPAM_AT = 0.5;

/** The model's logit is scaled and shifted before the rules add their log-odds. The bias (0) and the trainer's
 * step size were chosen together by leave-one-video-out on the YouTube training videos, under a 1.5% ham
 * false-positive cap on those folds and on the tune halves of the care-traffic sets (see docs/analysis.md). */
export const SPAM_TUNING = { scale: 1, bias: 0, complaintAt: -0.3, complaintDamp: 2 };

interface Rule {
  reason: string;
  re: RegExp;
  /** Log-odds added when the rule fires. */
  weight: number;
  /** Substrings of which the text must contain one for the rule to be tried (a cheap pre-check). */
  needs?: readonly string[];
}

const FOLLOW_WEIGHT = 3;
const DM = /\b(?:dm|dms|direct message|private message|pm)\b/;

const RULES: Rule[] = [
  {
    reason: "self-promotion",
    re: /\b(?:check (?:me|'?em|them|it|this) out|check out (?:my|our|me)\b|check my (?:channel|videos?|page|profile|music|blog|songs?|tracks?|stuff|covers?|website|site)|(?:take a look|check out|watch) (?:at )?this video|s(?:u[bc]{1,2}s?c?ri?be?|ubscri?be|ucscribe)(?! to (?:her|him|katy|them))|sub (?:to )?me|subs? (?:back|4 ?sub|for ?sub)|(?:visit|go to) my (?:channel|page|profile|website|site|blog|store|shop|videos?)|see my (?:new )?(?:video|track|song|channel|cover)|my (?:youtube )?(?:channel|new video|videos|playlist|mixtape|cover|blog|profile|track|soundcloud|vlog|instagram|ig|twitter|fan ?page)|(?:new|small|upcoming) (?:youtuber|rapper|artist|singer)|if i (?:get|reach|hit) \d+ (?:subs|subscribers|likes|views)|add me|hit me up|(?:i|we) (?:did|made|make) (?:a|some) (?:cover|video|song|covers|gaming channel|channel)|mi canal)\b/,
    weight: 2.5,
  },
  {
    reason: "follow-for-follow",
    re: /\b(?:follow (?:me|back|this|my)|f4f|follow ?(?:for|4) ?follow|sub ?(?:for|4) ?sub|like ?(?:for|4) ?like|l4l)\b/,
    weight: FOLLOW_WEIGHT,
  },
  {
    reason: "engagement-bait",
    re: /\b(?:(?:like|share) (?:this|if|my)|please (?:like|share|vote)\b|give (?:it|this|me) a (?:like|thumbs)|vote (?:for )?me|thumbs? up if|(?:like|upvote|thumbs up) (?:this|my) comment|like if (?:you|u|ur)|(?:get|reach|hit) (?:me )?(?:to )?\d+k? (?:subs|subscribers|likes|followers))\b/,
    weight: 2,
  },
  {
    reason: "donation pitch",
    re: /\b(?:gofundme|kickstarter|indiegogo|patreon|donate|fundraiser|vakinha|sponsor me)\b/,
    weight: 2,
  },
  {
    reason: "crypto-investment",
    re: /\b(?:bitcoins?|btc|crypto(?:currency)?|forex|binary options|invest(?:ment|ing)? (?:opportunity|plan)|passive income|double your (?:money|investment)|earn \$?\d+|earn (?:real |extra |easy )?money|make money|work from home|nft drop|airdrop|free leads|leads on auto|get paid|gift cards?|paypal money|hack(?:ed)? (?:account|facebook|fb)|account hack)\b/,
    weight: 3,
  },
  {
    reason: "prize-bait",
    re: /\b(?:you(?:'ve| have)? won|winner|claim (?:your|now|a)|free (?:gift|iphone|prize|entry|tickets?|ringtone|version)|prize|cash reward|txt|text (?:\w+ )?to \d{4,})\b/,
    weight: 2,
  },
  {
    reason: "link-bait",
    // A link, then within 80 characters after it a call to act; or the reverse. `\S+(?:\s[\s\S]{0,79})?` reaches
    // the same places as `\S+[\s\S]{0,80}` without trying all 80 places again at every split of a long link.
    re: /(?:\b(?:bit\.ly|goo\.gl|tinyurl|linkbucks|adf\.ly|ow\.ly|is\.gd|shorte\.st)\/|(?:https?:\/\/|www\.)\S+(?:\s[\s\S]{0,79})?\b(?:click|free|win|earn|subscribe|visit|check (?:it|this|out)|watch (?:my|this))\b|\b(?:click|visit|go to|check out|watch|download now)\b[\s\S]{0,60}(?:https?:\/\/|www\.))/,
    weight: 1.5,
    // It needs a link ("://" or "www.") or a shortener's "/".
    needs: ["/", "www."],
  },
];

const SPACES = /\s+/;

const ANY_RULE = anyOf(RULES.map((rule) => rule.re));

/** A copy-paste flood in lower-cased text: the same short chunk repeated many times, or a wall of one repeated
 * character. */
function isFlood(lower: string): boolean {
  if (lower.length < 23) return false; // fewer than 12 words
  const words = lower.split(SPACES);
  let n = 0;
  for (const w of words) if (w.length > 0) n++;
  if (n < 12) return false;
  // Fewer than one distinct word in four. The count only grows, so most texts are cleared after a few words.
  const distinct = new Set<string>();
  for (const w of words) {
    if (w.length === 0) continue;
    distinct.add(w);
    if (distinct.size / n >= 0.25) return false;
  }
  return true;
}

/** Spam verdict for a text; pass the sentiment score when known (complaints are rarely spam), else it is computed. */
export function spam(text: string, sentimentScore?: number): SpamResult {
  return spamWith(MODEL, text, SPAM_TUNING, sentimentScore ?? sentiment(text).score);
}

/** Spam verdict of a prepared text, from its sentiment score. */
export function spamOf(p: Prepared, sentimentScore: number): SpamResult {
  return spamOfLower(MODEL, p.plainLower, SPAM_TUNING, sentimentScore);
}

/** Spam verdict under a given model (eval uses this with models trained on its own folds). */
export function spamWith(
  model: CompiledLinear,
  text: string,
  tune = SPAM_TUNING,
  sentimentScore?: number,
): SpamResult {
  return spamOfLower(model, unHtml(text).toLowerCase(), tune, sentimentScore);
}

/** Spam verdict of a text whose HTML is undone and which is lower-cased. */
function spamOfLower(
  model: CompiledLinear,
  lower: string,
  tune: typeof SPAM_TUNING,
  sentimentScore: number | undefined,
): SpamResult {
  const reasons: string[] = [];
  let logit = wordsLogit(model, spamWordsOfLower(lower), START) * tune.scale + tune.bias;
  // Most texts match no rule: one scan clears them all.
  for (const rule of ANY_RULE.test(lower) ? RULES : []) {
    if ((rule.needs === undefined || containsAny(lower, rule.needs)) && rule.re.test(lower)) {
      reasons.push(rule.reason);
      logit += rule.weight;
    }
  }
  // "Follow me so I can DM you": on X a brand must follow a person before they can exchange DMs.
  if (reasons.includes("follow-for-follow") && DM.test(lower)) {
    reasons.splice(reasons.indexOf("follow-for-follow"), 1);
    logit -= FOLLOW_WEIGHT + 1;
  }
  if (isFlood(lower)) {
    reasons.push("copy-paste flood");
    logit += 6;
  }
  // The spam sets hold no care traffic: a clearly negative message with no spam pattern is a complaint,
  // whatever its words look like to the model ("been waiting 3 hours for a reply").
  if (reasons.length === 0 && sentimentScore !== undefined && sentimentScore <= tune.complaintAt) {
    logit -= tune.complaintDamp;
  }
  const score = Math.round((1 / (1 + Math.exp(-logit))) * 1e4) / 1e4;
  const label = score >= SPAM_AT ? "spam" : "ham";
  if (label === "spam" && reasons.length === 0) reasons.push("spam-like wording");
  return { score, label, reasons: label === "spam" ? reasons : [] };
}
