/**
 * Urgency: high when the message reports a safety risk, an outage, money taken, travel today, or the person has
 * had to write repeatedly; low for praise, thanks and chit-chat; normal otherwise. Every level says why.
 */
import type { AnalysisContext, Urgency } from "./analyzer.ts";
import type { Prepared } from "./text.ts";
import { anyOf, prepare } from "./text.ts";

export interface UrgencyResult {
  level: Urgency;
  reasons: string[];
}

const HIGH: { reason: string; re: RegExp }[] = [
  {
    reason: "safety",
    re: /\b(?:fire|smoke|smoking|injur(?:ed|y|ies)|hurt|bleeding|unsafe|danger(?:ous)?|emergency|ambulance|hospital|allerg(?:y|ic)|choking|gas leak|carbon monoxide|electrocut\w*|assault(?:ed)?|harass(?:ed|ment)|threat(?:ened|ening)?|stalk(?:ed|ing)|suicid\w*|overdose|sparking|exploded|burn(?:ed|t|ing) (?:me|my)|food poisoning|glass in|recall)\b/,
  },
  {
    reason: "outage",
    re: /\b(?:outage|(?:is|are|site|app|website|server|service|system|internet|wifi|network|power) (?:is )?(?:down|offline|not loading)|down (?:for|again|since)|no (?:power|internet|service|signal|connection|water|heat|heating)|can't (?:log ?in|login|sign in|access|connect)|cannot (?:log ?in|login|sign in|access|connect)|(?:error|errors) (?:500|503|502)|crash(?:es|ed|ing)? (?:every|on|when|again))\b/,
  },
  {
    reason: "money taken",
    re: /\b(?:charged (?:me )?(?:twice|double|two times|again|without)|double[- ]charged|overcharged|took (?:my|the) money|money (?:taken|gone|missing|stolen)|unauthori[sz]ed (?:charge|transaction|payment)|fraud(?:ulent)?|stolen|scammed|never received (?:my )?(?:refund|money)|still (?:no|waiting for (?:my|a|the)) refund|refund (?:still|never))\b/,
  },
  {
    reason: "travel today",
    re: /\b(?:(?:flight|train|bus|ferry|departure|check-?in|boarding) (?:is |leaves |departs )?(?:today|tonight|in (?:an?|\d+) (?:hour|hr|min))|(?:today|tonight)'?s? (?:flight|train|departure)|at the (?:airport|gate|station)|stranded|missed (?:my|our|the) (?:connection|connecting flight|flight|train)|boarding (?:now|soon)|leaving in \d+|(?:flight|train) (?:in|leaves in) \d+)\b/,
  },
];

const REPEAT_TEXT =
  /\b(?:(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time|(?:asked|called|emailed|messaged|tweeted|written|wrote|contacted|dm'?d) (?:you )?(?:\d+|two|three|four|five|several|many|multiple) times|(?:still|again) (?:no|waiting)|no (?:reply|response|answer) (?:yet|still|again)|again and again|(?:keep|kept) (?:asking|calling|writing)|follow(?:ing)? up (?:again|on my))\b/;

const CALM =
  /\b(?:thanks?|thank you|thx|love|great|awesome|amazing|congrat\w*|cheers|appreciate\w*|well done|kudos|lol|haha)\b/;

/** Most texts match none of the patterns for high urgency: one scan clears them all. */
const ANY_HIGH = anyOf([...HIGH.map((h) => h.re), REPEAT_TEXT]);

/** At or above this many earlier inbound messages in the conversation, a person is repeating themselves. */
export const REPEAT_AT = 2;

export function urgencyOf(p: Prepared, ctx: AnalysisContext = {}, sentimentScore = 0): UrgencyResult {
  const reasons: string[] = [];
  const lower = p.lower;
  const high = ANY_HIGH.test(lower);
  if (high) for (const h of HIGH) if (h.re.test(lower)) reasons.push(h.reason);
  const prior = ctx.priorInboundCount ?? 0;
  if (prior >= REPEAT_AT || (high && REPEAT_TEXT.test(lower))) reasons.push("repeated contact");
  if (reasons.length > 0) return { level: "high", reasons };
  if (sentimentScore >= 0.05 && CALM.test(lower))
    return { level: "low", reasons: ["positive, no problem reported"] };
  if (p.lowerWords.length === 0) return { level: "low", reasons: ["no text"] };
  return { level: "normal", reasons: [] };
}

export function urgency(text: string, ctx: AnalysisContext = {}): UrgencyResult {
  return urgencyOf(prepare(text), ctx);
}
