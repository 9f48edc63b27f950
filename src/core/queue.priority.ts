/**
 * The fair queue's priority: a pure function of *need* and *waiting*, never of influence.
 *
 * Every conversation awaiting our reply has a due time — its SLA target for the reply the person is
 * waiting for (or a default target). Need pulls that due time earlier by a share of the wait's span:
 * an urgent or safety matter, a complaint, negative sentiment, an unanswered question, a person writing
 * again while waiting. The queue is ordered by this need-adjusted due time ("earliest deadline first"),
 * so a quiet person who has waited long overtakes a loud newcomer, and the position of everyone is a
 * simple, explainable number: how far past (or before) their adjusted deadline they are.
 *
 * Inputs deliberately exclude follower counts, verified status and any "influence" or customer value:
 * the types below have no place for them. A property test proves that the order does not change when
 * authors' follower counts do.
 */

export interface NeedSignals {
  /** A message in the current wait was negative. */
  negative: boolean;
  /** A message in the current wait is a complaint. */
  complaint: boolean;
  /** Reasons the analysis found a message urgent (safety, outage, money taken, travel today, …). */
  urgent: string[];
  /** The person asked a question we have not answered. */
  question: boolean;
  /** We answered before and the person is waiting for a follow-up. */
  followUp: boolean;
  /** The person wrote more than once while waiting. */
  repeated: boolean;
  /** The latest message looks like spam: it goes to the back of the queue (an agent still sees it). */
  likelySpam: boolean;
}

export interface QueueInput {
  /** When the current wait began. */
  waitingSince: Date;
  /** The SLA due time of the reply the person is waiting for; null = the default target. */
  slaDueAt: Date | null;
  need: NeedSignals;
}

/** The target when no SLA policy applies: an hour for a reply. */
export const DEFAULT_TARGET_MINUTES = 60;

/** Share of the wait's span by which each need pulls the due time earlier. */
export const NEED_WEIGHTS = {
  urgent: 0.5,
  complaint: 0.25,
  negative: 0.2,
  followUp: 0.15,
  repeated: 0.15,
  question: 0.1,
} as const;

/** Need can pull a deadline earlier by at most this share of its span: waiting always counts. */
export const MAX_PULL = 0.8;
/** Likely spam is pushed back by this share of its span. */
export const SPAM_PUSH = 2;

export const emptyNeed = (): NeedSignals => ({
  negative: false,
  complaint: false,
  urgent: [],
  question: false,
  followUp: false,
  repeated: false,
  likelySpam: false,
});

const MINUTE = 60_000;

function dueOf(input: QueueInput): Date {
  return input.slaDueAt ?? new Date(input.waitingSince.getTime() + DEFAULT_TARGET_MINUTES * MINUTE);
}

/** The share of the span that need pulls the deadline earlier (negative for likely spam). */
export function needPull(need: NeedSignals): number {
  if (need.likelySpam) return -SPAM_PUSH;
  let pull = 0;
  if (need.urgent.length > 0) pull += NEED_WEIGHTS.urgent;
  if (need.complaint) pull += NEED_WEIGHTS.complaint;
  if (need.negative) pull += NEED_WEIGHTS.negative;
  if (need.followUp) pull += NEED_WEIGHTS.followUp;
  if (need.repeated) pull += NEED_WEIGHTS.repeated;
  if (need.question) pull += NEED_WEIGHTS.question;
  return Math.min(pull, MAX_PULL);
}

/** The queue's sort key: the due time pulled earlier by need. Earlier = served first. */
export function queueDueAt(input: QueueInput): Date {
  const due = dueOf(input);
  const span = Math.max(due.getTime() - input.waitingSince.getTime(), MINUTE);
  return new Date(due.getTime() - span * needPull(input.need));
}

/**
 * The score shown beside each position: minutes past the need-adjusted deadline (negative = time
 * left). Higher is served first; ordering by score equals ordering by queueDueAt.
 */
export function priorityScore(input: QueueInput, now: Date): number {
  return Math.round((now.getTime() - queueDueAt(input).getTime()) / MINUTE);
}

/** "2 h 10 min", "40 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / MINUTE));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** Short human reasons for a queue position ("why is this first?"). */
export function explain(input: QueueInput, now: Date): string[] {
  const due = dueOf(input);
  const waited = now.getTime() - input.waitingSince.getTime();
  const target = formatDuration(due.getTime() - input.waitingSince.getTime());
  const targetName = input.slaDueAt ? `${target} target` : `${target} default target`;
  const late = now.getTime() - due.getTime();
  const why = [
    late >= 0
      ? `waiting ${formatDuration(waited)}, ${formatDuration(late)} past the ${targetName}`
      : `waiting ${formatDuration(waited)}, ${formatDuration(-late)} left of the ${targetName}`,
  ];
  const need = input.need;
  if (need.likelySpam) why.push("looks like spam: moved to the back");
  for (const reason of need.urgent) why.push(`urgent: ${reason}`);
  if (need.complaint) why.push("complaint");
  if (need.negative) why.push("unhappy (negative sentiment)");
  if (need.question) why.push("asked a question");
  if (need.followUp) why.push("waiting for a follow-up to our reply");
  if (need.repeated) why.push("wrote again while waiting");
  return why;
}
