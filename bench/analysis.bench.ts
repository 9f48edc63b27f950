/**
 * Messages per second of the whole Rapport analysis (sentiment, intent, urgency, spam, language) against
 * vader-sentiment's sentiment alone, over the same texts: airline + SMS + YouTube from ../shared/data when
 * present, generated care-like texts otherwise. Run: npx tsx bench/analysis.bench.ts
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { rapportAnalyzer } from "../src/analysis/rapport.analyzer.ts";
import { vaderCompound } from "../src/analysis/vader.analyzer.ts";

const DATA = resolve(import.meta.dirname, "..", "..", "shared", "data");

function csvColumn(file: string, column: string, limit: number): string[] {
  const rows = parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  return rows.slice(0, limit).map((r) => r[column] ?? "");
}

function loadTexts(): { texts: string[]; source: string } {
  if (!existsSync(DATA)) return { texts: generated(5000), source: "5,000 generated care-like messages" };
  const texts = csvColumn(join(DATA, "sentiment", "twitter_us_airline", "Tweets.csv"), "text", 4000);
  const sms = readFileSync(join(DATA, "spam", "sms_spam_collection", "SMSSpamCollection"), "utf8");
  for (const line of sms.split("\n").slice(0, 3000)) texts.push(line.slice(line.indexOf("\t") + 1));
  const ytDir = join(DATA, "spam", "youtube_spam_collection");
  for (const f of readdirSync(ytDir).sort()) texts.push(...csvColumn(join(ytDir, f), "CONTENT", 1000));
  const kept = texts.filter((t) => t.length > 0);
  return { texts: kept, source: `${kept.length.toLocaleString("en")} real messages (airline, SMS, YouTube)` };
}

function generated(n: number): string[] {
  const parts = [
    "@brand my bag never arrived",
    "been waiting 3 hours for a reply",
    "Thanks so much, great service!",
    "How do I reset my password?",
    "check out my channel http://bit.ly/abc",
    "flight cancelled again, this is ridiculous",
    "You should add dark mode",
    "Where is my order? It's been two weeks",
  ];
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${parts[i % parts.length]} ${i % 7 === 0 ? "😡" : ""} #${i}`);
  return out;
}

function rate(fn: (t: string) => unknown, texts: string[], minMs = 2000): number {
  for (const t of texts.slice(0, 500)) fn(t); // warm-up
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (const t of texts) fn(t);
    n += texts.length;
    elapsed = performance.now() - start;
  }
  return n / (elapsed / 1000);
}

export interface AnalysisBench {
  source: string;
  /** Whole Rapport analysis (sentiment, intent, urgency, spam, language), messages per second. */
  rapportPerSecond: number;
  /** vader-sentiment's sentiment alone, messages per second. */
  vaderPerSecond: number;
  version: string;
}

/** Runs both analysers over the same texts, one after the other, on this (single) thread. */
export function benchAnalysis(minMs = 2000): AnalysisBench {
  const { texts, source } = loadTexts();
  const rapportPerSecond = rate((t) => rapportAnalyzer.analyze(t), texts, minMs);
  const vaderPerSecond = rate((t) => vaderCompound(t), texts, minMs);
  return { source, rapportPerSecond, vaderPerSecond, version: rapportAnalyzer.version };
}

/** The Markdown table that `npm run bench` writes into docs/benchmarks.md. */
export function analysisTable(r: AnalysisBench): string {
  const n = (x: number) => Math.round(x).toLocaleString("en");
  return [
    `Texts: ${r.source}, each analyser looped for ≥ 2 s after a warm-up, one core (one thread).`,
    "",
    "| analyser | what it computes | messages/s | ratio |",
    "|---|---|---:|---:|",
    `| Rapport (${r.version}) | sentiment, intent, urgency, spam, language | ${n(r.rapportPerSecond)} | ${(r.rapportPerSecond / r.vaderPerSecond).toFixed(2)}× |`,
    `| vader-sentiment | sentiment only | ${n(r.vaderPerSecond)} | 1.00× |`,
  ].join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = benchAnalysis();
  console.log(
    `analysis bench: ${r.source}, one core, ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`,
  );
  console.log(
    `rapport (${r.version}, all fields): ${Math.round(r.rapportPerSecond).toLocaleString("en")} msg/s`,
  );
  console.log(
    `vader-sentiment (sentiment only):        ${Math.round(r.vaderPerSecond).toLocaleString("en")} msg/s`,
  );
  console.log(`ratio: ${(r.rapportPerSecond / r.vaderPerSecond).toFixed(2)}×`);
}
