/**
 * Intent: question, complaint, suggestion, praise (several may hold), else other. Hand-written rules over the
 * shared sentiment parts; thresholds were tuned on the tune half of the complaints set (see docs/analysis.md).
 */
import type { Intent } from "./analyzer.ts";
import { ruleScore, type SentimentParts } from "./sentiment.ts";
import { type Prepared, prepare } from "./text.ts";

const QUESTION =
  /\?|^(?:[@#]\S+\s+)*(?:how (?:do|can|long|much|many|come)|what (?:is|are|do|does|time|should)|where (?:is|are|do|can)|when (?:is|are|will|does|do|can)|why (?:is|are|do|does|did|can't|won't)|can (?:i|you|we|someone)|could (?:you|i|someone)|is (?:there|it|this)|are (?:you|there|we)|do (?:you|i|we)|does (?:anyone|anybody|this|it)|any (?:idea|update|news|way)|anyone know)\b/;

const SUGGESTION =
  /\b(?:you should|you guys should|y'all should|you need to (?:add|make|offer|bring|have|fix)|please (?:add|bring back|consider|make|offer|allow|let us)|would (?:be|love) (?:nice|great|better|awesome|cool|helpful|to see)|it would be (?:nice|great|better|good)|why not|why don't you|i suggest|suggestion|feature request|consider (?:adding|making|offering)|how about|wish (?:you|there was|there were|it)|could you (?:add|make|offer|bring)|should (?:add|offer|have|bring))\b/;

const PRAISE =
  /\b(?:thank(?:s| you)|thx|great (?:job|service|work|experience)|well done|kudos|shout ?out|love (?:you|it|this|the|your)|you (?:rock|guys rock|are (?:the best|amazing|awesome|great))|awesome|amazing|excellent|fantastic|best (?:airline|service|company|customer)|appreciate)\b/;

/** Problem cues that make a negative message a complaint rather than a mere mood. */
const PROBLEM =
  /\b(?:you|your|ur|u|they|their|service|order|delivery|package|flight|bag|luggage|account|app|website|site|refund|charge|charged|bill|product|item|customer|support|agent|staff|store|phone|line|hold|wait|waiting|still|never|again|no one|nobody|broken|delayed|cancel+ed|lost|missing|late|wrong)\b/;

/** Failure reports that are complaints even in neutral words ("my order hasn't shipped"). */
const FAILURE =
  /\b(?:(?:has|have|had|did|does|do|is|was|were|are|wo|would|could|ca)n'?t (?:shipped|arrived|received|worked?|work|been|let|load|get|got|come|show|respond|replied|fixed|refunded|helped)|(?:didn't|doesn't|don't|won't|wont|dont|didnt|doesnt|isn't|isnt|not) (?:work|working|let|load|arrive|ship|respond|reply|show|pleased|happy|acceptable|helpful|receive|received|get|being allowed|allowed)|(?:doesn't|does not|don't) seem to (?:work|be working)|let (?:me|us) down|(?:went out|stopped working|quit working|died) (?:on me|after)|(?:having|have|had|got) (?:a |an |some )?(?:\w+ )?(?:issue|problem|trouble)s?\b|keeps? (?:telling|saying|crashing|failing|freezing|dropping|asking)|tried (?:many|several|multiple|\d+|three|two) times|(?:charged|billed) (?:me|twice|again|for)|wrong (?:size|item|order|address|charge|amount)|(?:ripped|broke|broken|damaged|faulty|defective|scratched|cracked|leaking|stopped working|messed up|screwed up)|what gives|#fail|\bfail\b|shady|rip ?off|mistreated|never (?:get|got|received|arrived|again|buying)|(?:still|yet to) (?:waiting|no|not|haven't|nothing)|no (?:response|reply|answer|update|one)|won't let me|unable to|out of stock again|cut off)\b/;

/** Complaint when the care-aware sentiment sum is at most this (VADER scale) and the message is addressed or
 * names a problem; a question needs the stronger threshold. Tuned on the complaints tune half. */
export const COMPLAINT_TUNING = { statement: -0.3, question: -0.1 };

/** A sum this negative is a complaint even when it names no one. */
const STRONG_NEGATIVE = -2;

export function intentOf(
  p: Prepared,
  parts: SentimentParts = ruleScore(p),
  tune = COMPLAINT_TUNING,
): Intent[] {
  const lower = p.lower;
  const out: Intent[] = [];
  const question = QUESTION.test(lower);
  if (question) out.push("question");
  const addressed = lower.includes("@") || PROBLEM.test(lower);
  const limit = question ? tune.question : tune.statement;
  if ((parts.sum <= limit && addressed) || parts.sum <= STRONG_NEGATIVE || FAILURE.test(lower))
    out.push("complaint");
  if (SUGGESTION.test(lower)) out.push("suggestion");
  if (parts.rules >= 0.3 && PRAISE.test(lower) && !out.includes("complaint")) out.push("praise");
  if (out.length === 0) out.push("other");
  return out;
}

export function intent(text: string): Intent[] {
  return intentOf(prepare(text));
}
