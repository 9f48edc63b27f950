/** Metrics for scripts/eval.ts. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

export interface ClassReport {
  macroF1: number;
  accuracy: number;
  perClass: Record<string, { p: number; r: number; f1: number }>;
}

export function classReport(
  gold: readonly string[],
  pred: readonly string[],
  classes: readonly string[],
): ClassReport {
  const perClass: ClassReport["perClass"] = {};
  let correct = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] === pred[i]) correct++;
  let sum = 0;
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < gold.length; i++) {
      if (pred[i] === c && gold[i] === c) tp++;
      else if (pred[i] === c) fp++;
      else if (gold[i] === c) fn++;
    }
    const p = tp + fp ? tp / (tp + fp) : 0;
    const r = tp + fn ? tp / (tp + fn) : 0;
    const f1 = p + r ? (2 * p * r) / (p + r) : 0;
    perClass[c] = { p, r, f1 };
    sum += f1;
  }
  return { macroF1: sum / classes.length, accuracy: correct / gold.length, perClass };
}

export interface BinaryReport {
  f1: number;
  precision: number;
  recall: number;
  /** False-positive rate on the negative class. */
  fpr: number;
  n: number;
}

export function binaryReport(gold: readonly boolean[], pred: readonly boolean[]): BinaryReport {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < gold.length; i++) {
    if (pred[i] && gold[i]) tp++;
    else if (pred[i]) fp++;
    else if (gold[i]) fn++;
    else tn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    precision,
    recall,
    fpr: fp + tn ? fp / (fp + tn) : 0,
    n: gold.length,
  };
}

export const f3 = (x: number): string => x.toFixed(3);
export const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
