/**
 * Intent: question, complaint, suggestion, praise (several may hold), else other. Hand-written rules over the
 * shared sentiment parts; thresholds were tuned on the tune half of the complaints set (see docs/analysis.md).
 */
import type { Intent } from "./analyzer.ts";
import { NEGATIVE_AT, ruleScore, type SentimentParts } from "./sentiment.ts";
import { type Prepared, prepare } from "./text.ts";

/** A question opening at the start of the text; any "?" anywhere also makes a question. */
const QUESTION_OPENING =
  /^(?:[@#]\S+\s+)*(?:how (?:do|can|long|much|many|come)|what (?:is|are|do|does|time|should)|where (?:is|are|do|can)|when (?:is|are|will|does|do|can)|why (?:is|are|do|does|did|can't|won't)|can (?:i|you|we|someone)|could (?:you|i|someone)|is (?:there|it|this)|are (?:you|there|we)|do (?:you|i|we)|does (?:anyone|anybody|this|it)|any (?:idea|update|news|way)|anyone know)\b/;

const SUGGESTION =
  /\b(?:you should|you guys should|y'all should|you need to (?:add|make|offer|bring|have|fix)|please (?:add|bring back|consider|make|offer|allow|let us)|would (?:be|love) (?:nice|great|better|awesome|cool|helpful|to see)|it would be (?:nice|great|better|good)|why not|why don't you|i suggest|suggestion|feature request|consider (?:adding|making|offering)|how about|wish (?:you|there was|there were|it)|could you (?:add|make|offer|bring)|should (?:add|offer|have|bring))\b/;

const PRAISE =
  /\b(?:thank(?:s| you)|thx|great (?:job|service|work|experience)|well done|kudos|shout ?out|love (?:you|it|this|the|your)|you (?:rock|guys rock|are (?:the best|amazing|awesome|great))|awesome|amazing|excellent|fantastic|best (?:airline|service|company|customer)|appreciate)\b/;

/** Failure reports that are complaints even in neutral words ("my order hasn't shipped"). */
const FAILURE =
  /\b(?:(?:has|have|had|did|does|do|is|was|were|are|wo|would|could|ca)n'?t (?:shipped|arrived|received|worked?|work|been|let|load|get|got|come|show|respond|replied|fixed|refunded|helped)|(?:didn't|doesn't|don't|won't|wont|dont|didnt|doesnt|isn't|isnt|not) (?:work|working|let|load|arrive|ship|respond|reply|show|pleased|happy|acceptable|helpful|receive|received|get|being allowed|allowed)|(?:doesn't|does not|don't) seem to (?:work|be working)|let (?:me|us) down|(?:went out|stopped working|quit working|died) (?:on me|after)|(?:having|have|had|got) (?:a |an |some )?(?:\w+ )?(?:issue|problem|trouble)s?\b|keeps? (?:telling|saying|crashing|failing|freezing|dropping|asking)|tried (?:many|several|multiple|\d+|three|two) times|(?:charged|billed) (?:me|twice|again|for)|wrong (?:size|item|order|address|charge|amount)|(?:ripped|broke|broken|damaged|faulty|defective|scratched|cracked|leaking|stopped working|messed up|screwed up)|what gives|#fail|\bfail\b|shady|rip ?off|mistreated|never (?:get|got|received|arrived|again|buying)|(?:still|yet to) (?:waiting|no|not|haven't|nothing)|no (?:response|reply|answer|update|one)|won't let me|unable to|out of stock again|cut off|(?:promised|supposed to|said (?:they|you|it) would)\b[^.!?]{0,50}\b(?:didn't|did not|never|hasn't|has not|haven't|still not|not)\b|no (?:internet|broadband|power|service|signal|wifi|wi-fi|water|heat|heating|hot water|[345]g|network|connection|phone line|tv) (?:since|for (?:\d+|a|an|two|three|several|over))|ridden with|full of (?:bugs|errors|lies)|falling apart|fell apart|no longer (?:works?|working|charg(?:es|ing)|turns? on))\b/;

/** Status chasing and broken expectations: a customer waiting on a company ("any update?", "still", "where is
 * my…", "for the past 10 days", "down again"). Written from how care requests are phrased in general; it marks a
 * complaint only when the message is about a product or service (see DIRECTED). */
const EXPECTATION =
  /\b(?:why (?:is|are|does|do|did|can't|cant|won't|wont|isn't|aren't|doesn't|don't|didn't|has|have|hasn't|haven't|would|was|were)|how come|any (?:update|answer|news|response|reply|word|luck|progress|eta|idea when)|(?:still|yet to|has yet|have yet|not yet|haven't yet|hasn't yet)\b|where (?:is|are|'s) (?:my|our|the)|what(?:'s| is) (?:going on|happening|up with|the (?:hold ?up|delay|problem|issue))|what happened|when (?:will|is|are|can|do|does) (?:i|we|my|our|it|the|this|you)|how (?:long|much longer)|follow(?:ing)? up|(?:reply|respond|answer|get back) to (?:my|me|us)|please (?:reply|respond|answer|fix|help|sort|resolve|look into)|check (?:your|ur) (?:dm|dms|inbox|messages)|asap|urgent(?:ly)?|(?:for|over|past|in) (?:the )?(?:past |last )?(?:\d+|two|three|four|five|six|several|many|few) (?:days|weeks|months)|(?:been|almost|nearly|over) (?:\d+|a|an|two|three|four|five|six|several) (?:days?|weeks?|months?)|(?:down|off|broken|gone) again|(?:is|are|was|has been|went|gone) (?:down|off|offline)|bring (?:it |them )?back|(?:an?|some|the|this|big|major) (?:issue|problem|error|glitch|bug)s?)\b/i;

/** Handles of care accounts ("@AcmeHelp", "@AskAcme", "@AcmeCares", "@Acme_Support"). */
const CARE_HANDLE =
  /@\w*(?:help|helps|support|care|cares|service|svc|custserv|customer|_cs|cs\b|assist|answers|askus|desk)\b|@ask\w+/i;

/** Products and services people complain about, across trades (written from domain knowledge). */
const SERVICE =
  /\b(?:order|delivery|delivered|package|parcel|shipment|shipping|courier|tracking|refund|return|exchange|warranty|repair|replacement|technician|engineer|appointment|installation|account|profile|login|password|app|website|site|page|browser|(?:the|this|latest|new|last|software|system|firmware|security) update|version|feature|download|install|subscription|membership|points|miles|rewards|coupon|discount|voucher|promo|offer|deal|sale|price|fee|charge|charged|payment|bill|billing|invoice|receipt|plan|contract|upgrade|service|customer service|support|helpline|hotline|call|called|chat|email|dm|hold|queue|line|store|shop|branch|outlet|restaurant|staff|employee|manager|cashier|rep|agent|representative|product|item|device|phone|laptop|tablet|tv|headphones|earphones|earbuds|charger|cable|battery|screen|printer|camera|console|controller|card|router|modem|speaker|shoes|shirt|jacket|coat|jeans|dress|clothes|size|beer|bottle|food|meal|sandwich|burger|pizza|coffee|drink|menu|hotel|room|booking|reservation|stay|car|vehicle|engine|tire|tyre|dealer|dealership|recall|insurance|claim|policy|bank|loan|power|electricity|gas|water|outage|meter|broadband|internet|wifi|network|coverage|signal|data|game|server|software|flight|plane|seat|bag|luggage|baggage|gate|crew|airport|train|bus|ticket|fare|station|journey|quality|communication|check-?in|checkout|cart|form|certificate|appliance|microwave|oven|fridge|freezer|washer|dryer|dishwasher|vacuum|button|[345]g|lte|api|article|newsletter|drive[- ]?(?:thru|through)|bathroom|toilet|platform|electrician|plumber|installer|rate|pricing|restock|stock|case number|reference number|complaint|manual|instructions|packaging|box)s?\b/;

/** Complaint thresholds. A message about a product or service or written to a care account is a complaint when
 * its sentiment label is negative (the same score, mixed-message rule included, that labels sentiment). The rest
 * needs a raw care-aware sentiment sum (VADER scale) of at most `undirected`: people also vent about life, news and
 * each other, and that is not a complaint to a company. Chosen on the complaints tune half. */
export const COMPLAINT_TUNING = {
  directedScore: NEGATIVE_AT,
  undirected: -6,
};

export function intentOf(
  p: Prepared,
  parts: SentimentParts = ruleScore(p),
  tune = COMPLAINT_TUNING,
): Intent[] {
  const lower = p.lower;
  const out: Intent[] = [];
  // The "?" test first: an anchored regex then looks only at the text's start.
  const question = lower.includes("?") || QUESTION_OPENING.test(lower);
  if (question) out.push("question");
  // A directed message (about a product or service, or to a care account) is a complaint when its sentiment is
  // negative or when it chases an expectation; any message is at a very strong sum or with a failure report.
  // Cheap tests first.
  const complaint =
    parts.sum <= tune.undirected ||
    FAILURE.test(lower) ||
    ((parts.rules <= tune.directedScore || EXPECTATION.test(lower)) &&
      (SERVICE.test(lower) || CARE_HANDLE.test(p.text))) ||
    // A negative message addressed to someone (@…) that chases an expectation ("still no…", "why is…").
    (parts.rules <= tune.directedScore && p.text.includes("@") && EXPECTATION.test(lower));
  if (complaint) out.push("complaint");
  if (SUGGESTION.test(lower)) out.push("suggestion");
  if (parts.rules >= 0.3 && PRAISE.test(lower) && !out.includes("complaint")) out.push("praise");
  if (out.length === 0) out.push("other");
  return out;
}

export function intent(text: string): Intent[] {
  return intentOf(prepare(text));
}
