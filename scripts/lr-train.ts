/** Binary logistic regression (AdaGrad SGD, L2, seeded shuffling): deterministic and dependency-free. */
import type { LinearModel } from "../src/analysis/linear.ts";
import { mulberry32 } from "../src/core/random.ts";

export interface LrExample {
  features: string[];
  /** 1 for the positive class. */
  y: 0 | 1;
  /** Example weight (class balancing across sources). */
  weight?: number;
}

export function trainLr(
  examples: LrExample[],
  opts: { source: string; epochs?: number; lr?: number; l2?: number; minCount?: number; prune?: number },
): LinearModel {
  const epochs = opts.epochs ?? 12;
  const rate = opts.lr ?? 0.2;
  const l2 = opts.l2 ?? 1e-4;
  const counts = new Map<string, number>();
  const docs = examples.map((e) => [...new Set(e.features)]);
  for (const d of docs) for (const f of d) counts.set(f, (counts.get(f) ?? 0) + 1);
  const minCount = opts.minCount ?? 2;
  const index = new Map<string, number>();
  for (const [f, c] of counts) if (c >= minCount) index.set(f, index.size);
  const ids = docs.map((d) => d.map((f) => index.get(f)).filter((i): i is number => i !== undefined));
  const w = new Float64Array(index.size);
  const g2 = new Float64Array(index.size).fill(1e-8);
  let bias = 0;
  let gb = 1e-8;
  const rand = mulberry32(42);
  const order = examples.map((_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const k of order) {
      const ex = examples[k]!;
      const fs = ids[k]!;
      let z = bias;
      for (const f of fs) z += w[f]!;
      const p = 1 / (1 + Math.exp(-z));
      const g = (p - ex.y) * (ex.weight ?? 1);
      for (const f of fs) {
        const grad = g + l2 * w[f]!;
        g2[f]! += grad * grad;
        w[f]! -= (rate * grad) / Math.sqrt(g2[f]!);
      }
      gb += g * g;
      bias -= (rate * g) / Math.sqrt(gb);
    }
  }
  const prune = opts.prune ?? 0.02;
  const weights: Record<string, number> = {};
  const names = [...index.keys()].sort();
  for (const f of names) {
    const v = w[index.get(f)!]!;
    if (Math.abs(v) >= prune) weights[f] = Math.round(v * 1000) / 1000;
  }
  return { source: opts.source, bias: Math.round(bias * 1000) / 1000, weights };
}
