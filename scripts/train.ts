/**
 * `npm run train`: rebuilds every shipped model under src/analysis/models/ from redistributable data only
 * (VADER lexicon and corpora, SMS Spam Collection, YouTube Spam Collection, Bitext). Deterministic.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spamFeatures } from "../src/analysis/features.ts";
import type { LinearModel } from "../src/analysis/linear.ts";
import { dataAvailable, loadBitext, loadSms, loadYoutube } from "./analysis-data.ts";
import { trainLr } from "./lr-train.ts";

const here = dirname(fileURLToPath(import.meta.url));
const MODELS = resolve(here, "..", "src", "analysis", "models");

/** The VADER lexicon (MIT, via the Apache-2.0 vader-sentiment port), parsed from the package source. */
export function buildLexicon(): Record<string, number> {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve("vader-sentiment/package.json")), "src", "vader_lexicon.js");
  const words: Record<string, number> = {};
  const entry = /^\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_$]+))\s*:\s*(-?[0-9.]+),?\s*$/;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = entry.exec(line);
    if (!m) continue;
    const key = (m[1] ?? m[2] ?? m[3] ?? "").replace(/\\(.)/g, "$1");
    words[key] = Number(m[4]);
  }
  return words;
}

export const SPAM_SOURCE =
  "SMS Spam Collection v.1 + YouTube Spam Collection v1 (3 videos) + Bitext 8k customer-service utterances as ham";

/** Trainer settings of the shipped spam model. The step size 0.1 (was 0.2) keeps the weights of words seen mostly
 * in SMS smaller, so they transfer better to comments; scripts/spam-select.ts chose it with SPAM_TUNING.bias. */
export const SPAM_TRAINER = { epochs: 10, lr: 0.1, l2: 1e-4, minCount: 2, prune: 0.02 };

/** The spam model: logistic regression over spamFeatures. Eval calls this on its own training folds. */
export function trainSpam(
  rows: { text: string; label: "spam" | "ham" }[],
  source = SPAM_SOURCE,
  trainer: Partial<typeof SPAM_TRAINER> = {},
): LinearModel {
  return trainLr(
    rows.map((r) => ({ features: spamFeatures(r.text), y: r.label === "spam" ? 1 : 0 })),
    { source, ...SPAM_TRAINER, ...trainer },
  );
}

/** Bitext customer-service utterances, all ham: the spam sets have no care traffic, so without these the
 * model learns that "reply", "order" or "refund" are spam words. */
export function bitextAsHam(): { text: string; label: "ham" }[] {
  return loadBitext().map((r) => ({ text: r.text, label: "ham" as const }));
}

function writeModel(name: string, model: unknown): void {
  const path = join(MODELS, name);
  writeFileSync(path, `${JSON.stringify(model)}\n`);
  console.log(`wrote ${path} (${(readFileSync(path).length / 1024).toFixed(0)} KiB)`);
}

function main(): void {
  const lexicon = buildLexicon();
  console.log(`lexicon: ${Object.keys(lexicon).length} entries`);
  writeModel("lexicon.json", { source: "VADER lexicon (Hutto & Gilbert 2014, MIT)", words: lexicon });
  if (!dataAvailable())
    throw new Error("../shared/data is missing: the spam model needs the SMS and YouTube sets");
  const spamRows = [...loadSms(), ...loadYoutube(), ...bitextAsHam()];
  console.log(`spam: training on ${spamRows.length} messages`);
  writeModel("spam.json", trainSpam(spamRows));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
