/**
 * The fairness audit: does time to first human response depend on how many followers a person has?
 * On a fair queue it does not, and every audience-size bucket waits about as long as the others.
 * Follower counts are read here (as the conversation's `audience_size` snapshot) and nowhere else.
 */
import type { Database } from "../../store/db.ts";
import { AUDIENCE_BUCKETS, reportsRepository } from "../../store/reports.repository.ts";
import { type ReportOptions, type ReportRange, resolveScope, roundSeconds, share } from "./report.scope.ts";

/** The slowest bucket's median may be at most this many times the fastest's to call the queue fair. */
export const FAIRNESS_THRESHOLD = 1.25;
/** Medians below a second are treated as one second, so near-instant replies cannot blow up the ratio. */
const MIN_SECONDS = 1;

export type BucketKey = (typeof AUDIENCE_BUCKETS)[number]["key"] | "unknown";

export interface FairnessBucket {
  key: BucketKey;
  /** "0–99", "1k–9,999", "100k+", "unknown". */
  label: string;
  /** Inclusive follower-count bounds; null = open-ended (or unknown audience). */
  min: number | null;
  max: number | null;
  people: number;
  conversations: number;
  /** Conversations with a reply from a human agent. */
  answered: number;
  answeredShare: number | null;
  /** Time from the first inbound message to the first human reply, over answered conversations. */
  firstResponseSeconds: { p50: number | null; p90: number | null };
}

export interface FairnessReport {
  range: ReportRange;
  buckets: FairnessBucket[];
  /** Slowest bucket's p50 / fastest bucket's p50, among buckets with answered conversations. */
  ratio: number | null;
  slowest: BucketKey | null;
  fastest: BucketKey | null;
  threshold: number;
  /** null when fewer than two buckets have answered conversations. */
  fair: boolean | null;
  verdict: string;
}

const LABELS: Record<BucketKey, string> = {
  "0-99": "0–99",
  "100-999": "100–999",
  "1000-9999": "1k–9,999",
  "10000-99999": "10k–99,999",
  "100000+": "100k+",
  unknown: "unknown",
};

const round = (value: number | null, digits = 4) =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

export async function fairnessReport(database: Database, options: ReportOptions): Promise<FairnessReport> {
  const { scope, range } = await resolveScope(database, options);
  const rows = await reportsRepository(database).fairness(scope);
  const byKey = new Map(rows.map((r) => [r.bucket, r]));
  const keys: BucketKey[] = [...AUDIENCE_BUCKETS.map((b) => b.key), "unknown"];
  const buckets = keys.map((key, i): FairnessBucket => {
    const row = byKey.get(key);
    const bound = AUDIENCE_BUCKETS[i];
    const next = AUDIENCE_BUCKETS[i + 1];
    return {
      key,
      label: LABELS[key],
      min: bound?.min ?? null,
      max: next ? next.min - 1 : null,
      people: row?.people ?? 0,
      conversations: row?.conversations ?? 0,
      answered: row?.answered ?? 0,
      answeredShare: round(share(row?.answered ?? 0, row?.conversations ?? 0)),
      firstResponseSeconds: { p50: roundSeconds(row?.p50 ?? null), p90: roundSeconds(row?.p90 ?? null) },
    };
  });
  return { range, buckets, ...judge(buckets) };
}

const audience = (b: FairnessBucket) =>
  b.key === "unknown" ? "an unknown audience" : `${b.label} followers`;

/** The ratio of the slowest to the fastest bucket's median, and what it means in words. */
export function judge(
  buckets: FairnessBucket[],
): Pick<FairnessReport, "ratio" | "slowest" | "fastest" | "threshold" | "fair" | "verdict"> {
  const measured = buckets.filter((b) => b.answered > 0 && b.firstResponseSeconds.p50 !== null);
  if (measured.length < 2) {
    return {
      ratio: null,
      slowest: null,
      fastest: null,
      threshold: FAIRNESS_THRESHOLD,
      fair: null,
      verdict: "not enough data: fewer than two audience-size buckets have answered conversations",
    };
  }
  const p50 = (b: FairnessBucket) => Math.max(b.firstResponseSeconds.p50 ?? 0, MIN_SECONDS);
  const sorted = [...measured].sort((a, b) => p50(a) - p50(b));
  const fastest = sorted[0]!;
  const slowest = sorted[sorted.length - 1]!;
  const ratio = Math.round((p50(slowest) / p50(fastest)) * 100) / 100;
  const fair = ratio <= FAIRNESS_THRESHOLD;
  const verdict = fair
    ? `fair: every audience-size bucket's median first response is within ${FAIRNESS_THRESHOLD}× of the fastest (${ratio}×)`
    : `unfair: people with ${audience(slowest)} wait ${ratio}× as long for a first human response as people with ${audience(fastest)} (threshold ${FAIRNESS_THRESHOLD}×)`;
  return { ratio, slowest: slowest.key, fastest: fastest.key, threshold: FAIRNESS_THRESHOLD, fair, verdict };
}
