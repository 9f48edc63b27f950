/**
 * A fast re-implementation of VADER's rule engine (Hutto & Gilbert 2014) over a merged lexicon: VADER's words,
 * emoji, and a customer-care layer. Fixes vader-sentiment's case-sensitive negation ("Not happy." is negative).
 */

import { CARE_LEXICON, EMOJI_LEXICON } from "./care.lexicon.ts";
import lexiconModel from "./models/lexicon.json" with { type: "json" };
import { isShouting, type Prepared } from "./text.ts";

const B_INCR = 0.293;
const B_DECR = -0.293;
const C_INCR = 0.733;
const N_SCALAR = -0.74;

const LEXICON = new Map<string, number>();
for (const [k, v] of Object.entries((lexiconModel as { words: Record<string, number> }).words))
  LEXICON.set(k, v);
for (const [k, v] of Object.entries(EMOJI_LEXICON)) LEXICON.set(k, v);
for (const [k, v] of Object.entries(CARE_LEXICON)) LEXICON.set(k, v);

const NEGATE = new Set(
  (
    "aint arent cannot cant couldnt darent didnt doesnt ain't aren't can't couldn't daren't didn't doesn't dont " +
    "hadnt hasnt havent isnt mightnt mustnt neither don't hadn't hasn't haven't isn't mightn't mustn't neednt " +
    "needn't never none nope nor not nothing nowhere oughtnt shant shouldnt uhuh wasnt werent oughtn't shan't " +
    "shouldn't uh-uh wasn't weren't without wont wouldnt won't wouldn't rarely seldom despite no"
  ).split(" "),
);

const BOOSTERS = new Map<string, number>();
for (const w of (
  "absolutely amazingly awfully completely considerably decidedly deeply effing enormously entirely especially " +
  "exceptionally extremely fabulously flipping flippin fricking frickin frigging friggin fully fucking greatly " +
  "hella highly hugely incredibly intensely majorly more most particularly purely quite really remarkably so " +
  "pretty substantially thoroughly totally tremendously uber unbelievably unusually utterly very seriously literally"
).split(" "))
  BOOSTERS.set(w, B_INCR);
for (const w of "almost barely hardly kinda kindof less little marginally occasionally partly scarcely slightly somewhat sorta sortof".split(
  " ",
))
  BOOSTERS.set(w, B_DECR);

/** Valence of "can't wait", VADER's scale (as eager as "excited" is positive, a little less). */
const CANT_WAIT = 1.8;

/** Valence of a negation that governs no sentiment word. */
export const BARE_NEGATION = -0.7;

const COURTESY = new Set([
  "thanks",
  "thank",
  "thx",
  "thnx",
  "thanx",
  "appreciate",
  "appreciated",
  "ty",
  "grateful",
]);

const ELONGATED = /(\p{L})\1\1/u;

/**
 * ELONGATED.test(text), mostly without the regex: a Unicode regex scan costs about a microsecond per text. Three
 * equal code points are three equal code units (or, outside the BMP, three equal surrogate pairs); among ASCII
 * characters only A–Z and a–z are letters, so only other runs need the regex.
 */
export function isElongated(text: string): boolean {
  for (let i = 2; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === text.charCodeAt(i - 1) && c === text.charCodeAt(i - 2)) {
      if (c >= 128) return ELONGATED.test(text);
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return true;
    } else if (c >= 0xdc00 && c <= 0xdfff && i >= 5) {
      // A third equal surrogate pair: a letter outside the BMP ("𝐚𝐚𝐚") is two code units.
      const pair = text.codePointAt(i - 1);
      if (text.codePointAt(i - 3) === pair && text.codePointAt(i - 5) === pair) return ELONGATED.test(text);
    }
  }
  return false;
}

/**
 * Lexicon look-up that also reads elongated words ("soooo", "yaaay", "loooove"): runs of three or more of one
 * letter are tried collapsed to two, then to one. Returns the word's valence and whether it was elongated.
 */
function lookup(word: string, stretched = true): number | undefined {
  const v = LEXICON.get(word);
  if (v !== undefined || !stretched || word.length < 4 || !isElongated(word)) return v;
  return (
    LEXICON.get(word.replace(/(\p{L})\1{2,}/gu, "$1$1")) ?? LEXICON.get(word.replace(/(\p{L})\1{2,}/gu, "$1"))
  );
}

/** Negations that open run-together hashtags ("#nothappy", "#notcool", "#nomore…"). */
const TAG_NEGATION = ["not", "never", "no"];

/**
 * Valence of a one-word hashtag that is not itself in the lexicon ("#lostluggage", "#thankyou",
 * "#customerservicefail"): the longest lexicon word (≥ 4 letters) it ends with, else the longest it starts
 * with, negated after "not"/"never"/"no". English compounds put the head last, so the ending wins.
 */
function hashtagValence(tag: string): number | undefined {
  if (tag.length < 6) return undefined;
  for (const neg of TAG_NEGATION) {
    if (tag.startsWith(neg)) {
      const v = LEXICON.get(tag.slice(neg.length));
      if (v !== undefined && v !== 0) return v * N_SCALAR;
    }
  }
  for (let k = 2; k <= tag.length - 4; k++) {
    const v = LEXICON.get(tag.slice(k));
    if (v !== undefined && v !== 0) return v;
  }
  for (let k = tag.length - 2; k >= 4; k--) {
    const v = LEXICON.get(tag.slice(0, k));
    if (v !== undefined && v !== 0) return v;
  }
  return undefined;
}

/** Booster increment of a word, elongated or not ("sooo", "reaaally"). */
function boosterOf(word: string, stretched: boolean): number | undefined {
  const b = BOOSTERS.get(word);
  if (b !== undefined || !stretched || word.length < 4 || !isElongated(word)) return b;
  const base =
    BOOSTERS.get(word.replace(/(\p{L})\1{2,}/gu, "$1$1")) ??
    BOOSTERS.get(word.replace(/(\p{L})\1{2,}/gu, "$1"));
  return base === undefined ? undefined : base * 2; // the elongation is itself emphasis
}

export function lexiconValence(word: string): number | undefined {
  return lookup(word);
}

export function isNegation(word: string): boolean {
  return NEGATE.has(word) || word.endsWith("n't");
}

export interface ValenceResult {
  /** Per-word valences after boosters, caps, negation and "but" weighting. */
  positive: number;
  negative: number;
  /** Positive valence from gratitude words ("thanks"), kept apart: inside a complaint it is only politeness. */
  courtesy: number;
  /** Number of words that carried valence. */
  hits: number;
}

/** VADER-style valence sums (before punctuation emphasis and normalisation). */
export function valence(p: Prepared): ValenceResult {
  const { words, lowerWords } = p;
  const n = lowerWords.length;
  let caps = 0;
  // A word equal to its lower-cased form has no capitals: no need to case it again.
  for (let i = 0; i < n; i++) if (words[i] !== lowerWords[i] && isShouting(words[i]!)) caps++;
  const capDiff = caps > 0 && caps < n;
  const butAt = lowerWords.indexOf("but");
  // One test per text: only a text with a run of three letters can hold an elongated word.
  const stretched = isElongated(p.lower);
  let positive = 0;
  let negative = 0;
  let courtesy = 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const w = lowerWords[i]!;
    // "Can't wait!" is eagerness, not a complaint.
    if ((w === "can't" || w === "cant" || w === "cannot") && lowerWords[i + 1] === "wait") {
      positive += CANT_WAIT;
      hits++;
      i++;
      continue;
    }
    // A negation that governs no sentiment word ("they didn't rebook us") still reads as a complaint in care.
    if (isNegation(w) && w !== "no" && w !== "without" && w !== "despite") {
      let governs = false;
      for (let j = i + 1; j <= i + 3 && j < n; j++)
        if (lookup(lowerWords[j]!, stretched) !== undefined) governs = true;
      if (!governs) {
        negative += BARE_NEGATION;
        hits++;
      }
    }
    if (boosterOf(w, stretched) !== undefined) continue;
    let v = LEXICON.get(w);
    if (v === undefined) {
      v = stretched ? lookup(w) : undefined;
      // Elongation is emphasis, like a booster ("sooo good", "nooooo").
      if (v !== undefined) v += v > 0 ? B_INCR : -B_INCR;
      else if (p.hashtags.length > 0 && p.hashtags.includes(i)) v = hashtagValence(w);
      if (v === undefined) continue;
    }
    if (w === "like" && i > 0) continue; // "like" is mostly a preposition ("looks like", "feel like")
    if (capDiff && isShouting(words[i]!)) v += v > 0 ? C_INCR : -C_INCR;
    for (let j = 1; j <= 3 && i - j >= 0; j++) {
      const prev = lowerWords[i - j]!;
      const b = boosterOf(prev, stretched);
      if (b !== undefined) {
        let s = v > 0 ? b : -b;
        if (capDiff && isShouting(words[i - j]!)) s += v > 0 ? C_INCR : -C_INCR;
        v += j === 1 ? s : j === 2 ? s * 0.95 : s * 0.9;
      }
      if (isNegation(prev)) v *= N_SCALAR;
    }
    if (butAt >= 0) v *= i < butAt ? 0.5 : i > butAt ? 1.5 : 1;
    if (v > 0) {
      if (COURTESY.has(w)) courtesy += v;
      else positive += v;
    } else negative += v;
    hits++;
  }
  return { positive, negative, courtesy, hits };
}

/** Exclamation and question-mark emphasis, as in VADER. */
export function punctuationEmphasis(text: string): number {
  let ex = 0;
  let qm = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 33) ex++;
    else if (c === 63) qm++;
  }
  let e = Math.min(ex, 4) * 0.292;
  if (qm > 1) e += qm <= 3 ? qm * 0.18 : 0.96;
  return e;
}

/** VADER's normalisation of a raw sum into (−1, 1). */
export function normalize(score: number, alpha = 15): number {
  const x = score / Math.sqrt(score * score + alpha);
  return Math.max(-1, Math.min(1, x));
}
