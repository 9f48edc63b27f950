/** Multinomial naive Bayes training (Laplace smoothing, binary features per document), script-only. */
import type { NbModel } from "../src/analysis/nb.ts";

export interface NbExample {
  features: string[];
  label: string;
}

export function trainNb(
  examples: NbExample[],
  classes: string[],
  opts: { alpha?: number; minCount?: number; source: string; maxFeatures?: number },
): NbModel {
  const alpha = opts.alpha ?? 1;
  const minCount = opts.minCount ?? 2;
  const k = classes.length;
  const counts = new Map<string, number[]>();
  const totals = new Array<number>(k).fill(0);
  const docs = new Array<number>(k).fill(0);
  for (const ex of examples) {
    const c = classes.indexOf(ex.label);
    if (c < 0) continue;
    docs[c]!++;
    for (const f of new Set(ex.features)) {
      let row = counts.get(f);
      if (!row) {
        row = new Array<number>(k).fill(0);
        counts.set(f, row);
      }
      row[c]!++;
      totals[c]!++;
    }
  }
  let kept = [...counts].filter(([, row]) => row.reduce((a, b) => a + b, 0) >= minCount);
  const vocab = kept.length + 1;
  const logp = (n: number, c: number) => Math.log((n + alpha) / (totals[c]! + alpha * vocab));
  const ratio = (row: number[]) => row.slice(1).map((n, i) => logp(n, i + 1) - logp(row[0]!, 0));
  if (opts.maxFeatures && kept.length > opts.maxFeatures) {
    const strength = (row: number[]) =>
      Math.max(...ratio(row).map(Math.abs)) * Math.log(1 + row.reduce((a, b) => a + b));
    kept = kept.sort((a, b) => strength(b[1]) - strength(a[1])).slice(0, opts.maxFeatures);
    kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const weights: Record<string, number[]> = {};
  for (const [f, row] of kept) weights[f] = ratio(row).map(round);
  const n = docs.reduce((a, b) => a + b, 0);
  const prior = docs.map((d) => round(Math.log((d + 1) / (n + k)) - Math.log((docs[0]! + 1) / (n + k))));
  return {
    source: opts.source,
    classes,
    prior,
    weights,
    unseen: classes.slice(1).map((_, i) => round(logp(0, i + 1) - logp(0, 0))),
  };
}
