/**
 * Loaders for the development data in ../shared/data (never copied into the repo) and the fixed,
 * hash-based splits that train and eval share. Script-only: nothing here ships in src/.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";

const here = dirname(fileURLToPath(import.meta.url));
export const DATA_DIR = resolve(here, "..", "..", "shared", "data");

export function dataAvailable(): boolean {
  return existsSync(DATA_DIR);
}

/** FNV-1a 32-bit hash: the fixed split key (stable across runs and machines). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Bucket 0..99 of an id under a named split, so different sets get independent splits. */
export function bucket(split: string, id: string): number {
  return hash32(`${split}:${id}`) % 100;
}

export interface Rated {
  id: string;
  rating: number;
  text: string;
}
export type VaderCorpus = "tweets" | "movie" | "amazon" | "nyt";
const VADER_FILES: Record<VaderCorpus, string> = {
  tweets: "tweets_GroundTruth.txt",
  movie: "movieReviewSnippets_GroundTruth.txt",
  amazon: "amazonReviewSnippets_GroundTruth.txt",
  nyt: "nytEditorialSnippets_GroundTruth.txt",
};

/** A VADER corpus (mean rating −4..4), or null when the file is absent (the tweets file is held out). */
export function loadVader(corpus: VaderCorpus): Rated[] | null {
  const file = join(DATA_DIR, "sentiment", "vader_icwsm2014", VADER_FILES[corpus]);
  if (!existsSync(file)) return null;
  const rows: Rated[] = [];
  for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
    const [id, rating, ...rest] = line.split("\t");
    if (!id || rating === undefined || rest.length === 0) continue;
    rows.push({ id: `${corpus}:${id}`, rating: Number(rating), text: rest.join("\t") });
  }
  return rows;
}

export interface Labelled<L extends string> {
  id: string;
  label: L;
  text: string;
}

export function loadAirline(): (Labelled<"positive" | "neutral" | "negative"> & { confidence: number })[] {
  const file = join(DATA_DIR, "sentiment", "twitter_us_airline", "Tweets.csv");
  const records = parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  const seen = new Set<string>();
  const rows: (Labelled<"positive" | "neutral" | "negative"> & { confidence: number })[] = [];
  for (const r of records) {
    const id = r.tweet_id ?? "";
    if (seen.has(id)) continue;
    seen.add(id);
    rows.push({
      id,
      label: r.airline_sentiment as "positive" | "neutral" | "negative",
      text: r.text ?? "",
      confidence: Number(r.airline_sentiment_confidence),
    });
  }
  return rows;
}

export function loadComplaints(): (Labelled<"complaint" | "other"> & { domain: string })[] {
  const file = join(DATA_DIR, "complaints", "preotiuc2019", "complaints-data.csv");
  const records = parse(readFileSync(file), { skip_empty_lines: true, relax_quotes: true }) as string[][];
  return records.map((r) => ({
    id: r[0] ?? "",
    text: r[1] ?? "",
    label: r[2] === "1" ? ("complaint" as const) : ("other" as const),
    domain: r[3] ?? "",
  }));
}

export function loadSms(): Labelled<"spam" | "ham">[] {
  const file = join(DATA_DIR, "spam", "sms_spam_collection", "SMSSpamCollection");
  const rows: Labelled<"spam" | "ham">[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const tab = line.indexOf("\t");
    if (tab < 0) continue;
    const label = line.slice(0, tab);
    const text = line.slice(tab + 1).replace(/\r$/, "");
    // Ids are content hashes: the file has no ids, and row numbers would shift if the file changed.
    if (label === "spam" || label === "ham")
      rows.push({ id: `sms:${hash32(text)}:${rows.length}`, label, text });
  }
  return rows;
}

export function loadYoutube(): (Labelled<"spam" | "ham"> & { video: string })[] {
  const dir = join(DATA_DIR, "spam", "youtube_spam_collection");
  const rows: (Labelled<"spam" | "ham"> & { video: string })[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith(".csv")) continue;
    const video = name.replace(/\.csv$/, "");
    const records = parse(readFileSync(join(dir, name)), { columns: true, skip_empty_lines: true }) as Record<
      string,
      string
    >[];
    for (const r of records) {
      rows.push({
        id: r.COMMENT_ID ?? "",
        video,
        text: r.CONTENT ?? "",
        label: r.CLASS === "1" ? "spam" : "ham",
      });
    }
  }
  return rows;
}

export function loadBitext(): (Labelled<string> & { category: string })[] {
  const file = join(DATA_DIR, "intent", "bitext", "bitext_sample_customer_service_8k_utterances.csv");
  const records = parse(readFileSync(file), { columns: true, bom: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  return records.map((r, i) => ({
    id: `bitext8k:${i}`,
    text: r.utterance ?? "",
    label: r.intent ?? "",
    category: r.category ?? "",
  }));
}

/** 300 hand-labelled AmazonHelp inbound tweets from TWCS (noisy, single annotator): a smoke test only. */
export function loadTwcsSentiment(): Labelled<"positive" | "neutral" | "negative">[] {
  const file = join(DATA_DIR, "customer_support", "twcs", "twcs_amazonhelp_sentiment_300.csv");
  const records = parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  return records.map((r) => ({
    id: r.tweet_id ?? "",
    text: r.text ?? "",
    label: r.label as "positive" | "neutral" | "negative",
  }));
}
