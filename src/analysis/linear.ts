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
  // Only features with a weight need de-duplicating; a short message has few, and scanning them beats
  // hashing every feature into a Set. Long texts switch to a Set.
  const counted: string[] = [];
  let seen: Set<string> | null = null;
  for (const f of features) {
    const w = model.weights.get(f);
    if (w === undefined) continue;
    if (seen) {
      if (seen.has(f)) continue;
      seen.add(f);
    } else {
      if (counted.includes(f)) continue;
      counted.push(f);
      if (counted.length === 32) seen = new Set(counted);
    }
    z += w;
  }
  return z;
}
