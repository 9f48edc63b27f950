/** Runtime side of the small binary logistic-regression models shipped as JSON (see scripts/lr-train.ts). */
export interface LinearModel {
  /** What the model was trained on (shown in docs/analysis.md). */
  source: string;
  bias: number;
  weights: Record<string, number>;
}

export interface CompiledLinear {
  bias: number;
  weights: Map<string, number>;
}

export function compileLinear(model: LinearModel): CompiledLinear {
  return { bias: model.bias, weights: new Map(Object.entries(model.weights)) };
}

/** The model's logit for a bag of features (duplicates count once). */
export function linearLogit(model: CompiledLinear, features: readonly string[]): number {
  let z = model.bias;
  const seen = new Set<string>();
  for (const f of features) {
    if (seen.has(f)) continue;
    seen.add(f);
    const w = model.weights.get(f);
    if (w !== undefined) z += w;
  }
  return z;
}
