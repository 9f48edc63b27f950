/**
 * Runtime side of the small multinomial naive Bayes models shipped as JSON (trained by scripts/train.ts).
 * A model stores, per feature, one log-likelihood ratio per class against the first class.
 */
export interface NbModel {
  /** What the model was trained on (shown in docs/analysis.md). */
  source: string;
  classes: string[];
  /** log prior ratio of each class to class 0 (class 0 is always 0). */
  prior: number[];
  /** feature → log-likelihood ratio of each class to class 0 (index 0 omitted). */
  weights: Record<string, number[]>;
  /** log-likelihood ratio for an unseen feature, per class (index 0 omitted). */
  unseen: number[];
}

export interface CompiledNb {
  classes: string[];
  prior: number[];
  weights: Map<string, number[]>;
}

export function compileNb(model: NbModel): CompiledNb {
  return { classes: model.classes, prior: model.prior, weights: new Map(Object.entries(model.weights)) };
}

/** Log-odds of every class against class 0 (index 0 is 0). Unknown features are ignored. */
export function nbLogOdds(model: CompiledNb, features: readonly string[]): number[] {
  const out = model.prior.slice();
  for (const f of features) {
    const w = model.weights.get(f);
    if (!w) continue;
    for (let c = 1; c < out.length; c++) out[c]! += w[c - 1]!;
  }
  return out;
}

/** Softmax of log-odds. */
export function nbProbabilities(logOdds: readonly number[]): number[] {
  let max = -Infinity;
  for (const x of logOdds) if (x > max) max = x;
  let sum = 0;
  const e = logOdds.map((x) => {
    const v = Math.exp(x - max);
    sum += v;
    return v;
  });
  return e.map((v) => v / sum);
}
