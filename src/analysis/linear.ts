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
  /**
   * The same weights by number, for `wordsLogit`: one string look-up per word, then numbers only. (Joining two words
   * into a string for every pair of a text, or a map per first word, cost more than the rest of the scoring.)
   */
  byNumber: {
    /** Every word of a one- or two-word feature, numbered 0…size−1. */
    words: Map<string, number>;
    /** A word's own feature number by word number, −1 when it has none. */
    single: Int32Array;
    /** A two-word feature's number by first word number × size + second word number. */
    pairs: Map<number, number>;
    /** Weights by feature number. */
    values: Float64Array;
  };
}

export function compileLinear(model: LinearModel): CompiledLinear {
  const entries = Object.entries(model.weights);
  const parts = entries.map(([feature]) => feature.split(" "));
  const words = new Map<string, number>();
  for (const p of parts) if (p.length <= 2) for (const w of p) if (!words.has(w)) words.set(w, words.size);
  const single = new Int32Array(words.size).fill(-1);
  const pairs = new Map<number, number>();
  const values = new Float64Array(entries.length);
  entries.forEach(([, value], f) => {
    values[f] = value;
    const [first, second, ...rest] = parts[f]!;
    const a = words.get(first!)!;
    if (second === undefined) single[a] = f;
    else if (rest.length === 0) pairs.set(a * words.size + words.get(second)!, f);
    // Features of three or more words never occur among a word sequence's features.
  });
  return { bias: model.bias, weights: new Map(entries), byNumber: { words, single, pairs, values } };
}

/** Counts each feature once. Only features with a weight need it; a short message has few, and scanning them
 * beats hashing every feature into a Set. Long texts switch to a Set. */
class Once<T> {
  private readonly counted: T[] = [];
  private seen: Set<T> | null = null;

  first(f: T): boolean {
    if (this.seen) {
      if (this.seen.has(f)) return false;
      this.seen.add(f);
    } else {
      if (this.counted.includes(f)) return false;
      this.counted.push(f);
      if (this.counted.length === 32) this.seen = new Set(this.counted);
    }
    return true;
  }
}

/** The model's logit for a bag of features (duplicates count once). */
export function linearLogit(model: CompiledLinear, features: readonly string[]): number {
  let z = model.bias;
  const once = new Once<string>();
  for (const f of features) {
    const w = model.weights.get(f);
    if (w !== undefined && once.first(f)) z += w;
  }
  return z;
}

/**
 * The model's logit for the features of a word sequence: each word, then the pair "previous word" + " " + word,
 * with `start` before the first word (see spamFeatures). The same sum, in the same order, as `linearLogit` over
 * those features, without building them.
 */
export function wordsLogit(model: CompiledLinear, words: readonly string[], start: string): number {
  const { words: numbers, single, pairs, values } = model.byNumber;
  let z = model.bias;
  const once = new Once<number>();
  let prev = numbers.get(start);
  for (const word of words) {
    const n = numbers.get(word);
    if (n !== undefined) {
      const own = single[n]!;
      if (own >= 0 && once.first(own)) z += values[own]!;
      const pair = prev === undefined ? undefined : pairs.get(prev * numbers.size + n);
      if (pair !== undefined && once.first(pair)) z += values[pair]!;
    }
    prev = n;
  }
  return z;
}
