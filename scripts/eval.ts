/**
 * `npm run eval`: measures Rapport's analyzer and the vader-sentiment baseline on ../shared/data with fixed,
 * hash-based splits, prints a Markdown report and writes it into docs/analysis.md between the eval markers.
 * Rules were tuned only on the "tune" halves; figures to quote are the "dev" rows.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { type CompiledLinear, compileLinear } from "../src/analysis/linear.ts";
import { rapportAnalyzer } from "../src/analysis/rapport.analyzer.ts";
import { sentiment, sentimentLabel } from "../src/analysis/sentiment.ts";
import { SPAM_TUNING, spamWith } from "../src/analysis/spam.ts";
import { labelFor, vaderCompound } from "../src/analysis/vader.analyzer.ts";
import {
  bucket,
  DATA_DIR,
  dataAvailable,
  loadAirline,
  loadComplaints,
  loadSms,
  loadTwcsSentiment,
  loadVader,
  loadYoutube,
  type VaderCorpus,
} from "./analysis-data.ts";
import { binaryReport, classReport, f3, pct, pearson } from "./eval-metrics.ts";
import { bitextAsHam, trainSpam } from "./train.ts";

const SENT = ["negative", "neutral", "positive"] as const;
const out: string[] = [];
const say = (line = "") => {
  out.push(line);
  console.log(line);
};

function airline(): void {
  const rows = loadAirline();
  say("### Sentiment: Twitter US Airline (3-class)");
  say(
    "Split: FNV-1a(`airline:` + tweet_id) mod 100 < 50 → tune (rules were written looking at these), else dev.",
  );
  say("Nothing was trained on this set.");
  say();
  say("| part | n | Rapport macro-F1 | Rapport acc. | vader-sentiment macro-F1 | vader-sentiment acc. |");
  say("|---|---|---|---|---|---|");
  const parts: [string, typeof rows][] = [
    ["tune", rows.filter((r) => bucket("airline", r.id) < 50)],
    ["**dev**", rows.filter((r) => bucket("airline", r.id) >= 50)],
    ["dev, confidence ≥ 0.6", rows.filter((r) => bucket("airline", r.id) >= 50 && r.confidence >= 0.6)],
  ];
  for (const [name, part] of parts) {
    const gold = part.map((r) => r.label);
    const ours = classReport(
      gold,
      part.map((r) => sentiment(r.text).label),
      SENT,
    );
    const base = classReport(
      gold,
      part.map((r) => labelFor(vaderCompound(r.text))),
      SENT,
    );
    say(
      `| ${name} | ${part.length} | ${f3(ours.macroF1)} | ${f3(ours.accuracy)} | ${f3(base.macroF1)} | ${f3(base.accuracy)} |`,
    );
  }
  say();
}

function twcs(): void {
  const rows = loadTwcsSentiment();
  const gold = rows.map((r) => r.label);
  const ours = classReport(
    gold,
    rows.map((r) => sentiment(r.text).label),
    SENT,
  );
  const base = classReport(
    gold,
    rows.map((r) => labelFor(vaderCompound(r.text))),
    SENT,
  );
  say("### Sentiment: TWCS AmazonHelp 300 (noisy single-annotator labels; smoke test, never tuned on)");
  say();
  say("| n | Rapport macro-F1 | Rapport acc. | vader-sentiment macro-F1 | vader-sentiment acc. |");
  say("|---|---|---|---|---|");
  say(
    `| ${rows.length} | ${f3(ours.macroF1)} | ${f3(ours.accuracy)} | ${f3(base.macroF1)} | ${f3(base.accuracy)} |`,
  );
  say();
}

function vaderCorpora(): void {
  say("### Sentiment: VADER human-rated corpora");
  say(
    "Whole files (no model is trained on them; the shipped lexicon is VADER's own). Gold 3-class: mean/4 at ±0.05.",
  );
  say(
    "3-class F1 is macro; Rapport's labels use its own thresholds, the ±0.05 column re-labels its score at ±0.05.",
  );
  say();
  say(
    "| corpus | n | Rapport r | vader-sentiment r | Rapport macro-F1 | Rapport macro-F1 (±0.05) | vader-sentiment macro-F1 |",
  );
  say("|---|---|---|---|---|---|---|");
  for (const corpus of ["tweets", "movie", "amazon", "nyt"] as VaderCorpus[]) {
    const rows = loadVader(corpus);
    if (!rows) {
      say(`| ${corpus} | — | file absent (held out) | | | | |`);
      continue;
    }
    const gold = rows.map((r) => labelFor(r.rating / 4));
    const ours = rows.map((r) => sentiment(r.text).score);
    const base = rows.map((r) => vaderCompound(r.text));
    const ratings = rows.map((r) => r.rating);
    say(
      `| ${corpus} | ${rows.length} | ${f3(pearson(ours, ratings))} | ${f3(pearson(base, ratings))} | ${f3(
        classReport(gold, ours.map(sentimentLabel), SENT).macroF1,
      )} | ${f3(
        classReport(
          gold,
          ours.map((s) => labelFor(s)),
          SENT,
        ).macroF1,
      )} | ${f3(
        classReport(
          gold,
          base.map((s) => labelFor(s)),
          SENT,
        ).macroF1,
      )} |`,
    );
  }
  say();
}

function complaints(): void {
  const rows = loadComplaints();
  say("### Intent: complaints (Preoțiuc-Pietro et al. 2019)");
  say(
    "Split: FNV-1a(`complaints:` + tweet_id) mod 100 < 50 → tune, else dev. Rapport: `complaint` ∈ intent.",
  );
  say("Baseline: vader-sentiment compound ≤ −0.05 read as complaint. Nothing was trained on this set.");
  say();
  say("| part | n | Rapport F1 | P | R | vader-negative F1 |");
  say("|---|---|---|---|---|---|");
  for (const [name, part] of [
    ["tune", rows.filter((r) => bucket("complaints", r.id) < 50)],
    ["**dev**", rows.filter((r) => bucket("complaints", r.id) >= 50)],
  ] as const) {
    const gold = part.map((r) => r.label === "complaint");
    const ours = binaryReport(
      gold,
      part.map((r) => rapportAnalyzer.analyze(r.text).intent.includes("complaint")),
    );
    const base = binaryReport(
      gold,
      part.map((r) => vaderCompound(r.text) <= -0.05),
    );
    say(
      `| ${name} | ${part.length} | ${f3(ours.f1)} | ${f3(ours.precision)} | ${f3(ours.recall)} | ${f3(base.f1)} |`,
    );
  }
  say();
}

function spamEval(): void {
  const sms = loadSms();
  const yt = loadYoutube();
  const bitext = bitextAsHam();
  const smsTrain = sms.filter((r) => bucket("sms", r.id) >= 20);
  const smsTest = sms.filter((r) => bucket("sms", r.id) < 20);
  say("### Spam");
  say(
    "Each row uses a model trained in this run without the rows it is tested on: YouTube leave-one-video-out",
  );
  say(
    "(train: the other videos + SMS train part + Bitext as ham); SMS: FNV-1a(`sms:` + id) mod 100 < 20 is the",
  );
  say("test part (train: the rest + all YouTube + Bitext). Rules and their weights are the shipped ones.");
  say("vader-sentiment has no spam detector, so there is no baseline column.");
  say();
  say("| test set | n | F1 | precision | recall | ham FPR |");
  say("|---|---|---|---|---|---|");
  const run = (model: CompiledLinear, test: { text: string; label: string }[]) =>
    binaryReport(
      test.map((r) => r.label === "spam"),
      test.map((r) => spamWith(model, r.text, SPAM_TUNING, sentiment(r.text).score).label === "spam"),
    );
  const pooledGold: boolean[] = [];
  const pooledPred: boolean[] = [];
  for (const video of [...new Set(yt.map((r) => r.video))]) {
    const model = compileLinear(trainSpam([...smsTrain, ...bitext, ...yt.filter((r) => r.video !== video)]));
    const test = yt.filter((r) => r.video === video);
    const r = run(model, test);
    for (const t of test) {
      pooledGold.push(t.label === "spam");
      pooledPred.push(spamWith(model, t.text, SPAM_TUNING, sentiment(t.text).score).label === "spam");
    }
    say(
      `| YouTube ${video} (held out) | ${r.n} | ${f3(r.f1)} | ${f3(r.precision)} | ${f3(r.recall)} | ${pct(r.fpr)} |`,
    );
  }
  const pooled = binaryReport(pooledGold, pooledPred);
  say(
    `| **YouTube, pooled leave-one-video-out** | ${pooled.n} | ${f3(pooled.f1)} | ${f3(pooled.precision)} | ${f3(pooled.recall)} | ${pct(pooled.fpr)} |`,
  );
  const smsModel = compileLinear(trainSpam([...smsTrain, ...yt, ...bitext]));
  const s = run(smsModel, smsTest);
  say(`| **SMS test part** | ${s.n} | ${f3(s.f1)} | ${f3(s.precision)} | ${f3(s.recall)} | ${pct(s.fpr)} |`);
  // Care traffic is (nearly) all ham: how often does the shipped model flag it?
  const care = [...loadAirline().map((r) => r.text), ...loadComplaints().map((r) => r.text)];
  const flagged = care.filter((t) => rapportAnalyzer.analyze(t).spam.label === "spam").length;
  say(
    `| care traffic (airline + complaints tweets, all taken as ham; shipped model) | ${care.length} | | | | ${pct(flagged / care.length)} |`,
  );
  say();
}

function languageEval(): void {
  const rows = loadAirline();
  const en = rows.filter((r) => rapportAnalyzer.analyze(r.text).language === "en").length;
  say("### Language");
  say(`Airline tweets (English): ${pct(en / rows.length)} detected as \`en\` (n = ${rows.length}).`);
  say();
}

function main(): void {
  if (!dataAvailable()) {
    console.error(`eval: ${DATA_DIR} is missing; nothing to evaluate.`);
    process.exit(1);
  }
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  say(
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run eval\` on ${cpu} (${cpus().length} cores), Node ${process.version}, analyzer ${rapportAnalyzer.version}.`,
  );
  say();
  airline();
  twcs();
  vaderCorpora();
  complaints();
  spamEval();
  languageEval();
  const doc = resolve(import.meta.dirname, "..", "docs", "analysis.md");
  if (existsSync(doc)) {
    const text = readFileSync(doc, "utf8");
    const start = "<!-- eval:start -->";
    const end = "<!-- eval:end -->";
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a >= 0 && b > a) {
      writeFileSync(doc, `${text.slice(0, a + start.length)}\n${out.join("\n")}\n${text.slice(b)}`);
      console.error(`eval: wrote results into ${doc}`);
    }
  }
}

main();
