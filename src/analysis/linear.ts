/** Runtime side of the small binary logistic-regression models shipped as JSON (see scripts/lr-train.ts). */
export interface LinearModel {
  /** What the model was trained on (shown in docs/analysis.md). */
  source: string;
  bias: number;
  weights: Record<string, number>;
}

/** A weight whose object identity stands for its feature, so a feature is counted once without comparing strings. */
interface Weight {
  value: number;
}

/** What the model knows of one word: its own weight, and the weights of the pairs it opens, by second word. */
interface WordWeights {
  own: Weight | undefined;
  next: Map<string, Weight> | undefined;
}

export interface CompiledLinear {
  bias: number;
  weights: Map<string, number>;
  /** The same weights by word: one look-up per word scores the word and its pair with the word before it, where
   * joining the two words into a string for every pair of every text cost more than the look-ups themselves. */
  words: Map<string, WordWeights>;
}

export function compileLinear(model: LinearModel): CompiledLinear {
  const words = new Map<string, WordWeights>();
  const entry = (word: string): WordWeights => {
    let e = words.get(word);
    if (!e) {
      e = { own: undefined, next: undefined };
      words.set(word, e);
    }
    return e;
  };
  for (const [feature, value] of Object.entries(model.weights)) {
    const parts = feature.split(" ");
    if (parts.length === 1) entry(feature).own = { value };
    else if (parts.length === 2) {
      const first = entry(parts[0]!);
      first.next ??= new Map();
      first.next.set(parts[1]!, { value });
    }
    // Features of three or more words never occur in a word sequence's features.
  }
  return { bias: model.bias, weights: new Map(Object.entries(model.weights)), words };
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
  let z = model.bias;
  const once = new Once<Weight>();
  let prev = model.words.get(start);
  for (const word of words) {
    const e = model.words.get(word);
    if (e?.own && once.first(e.own)) z += e.own.value;
    const pair = prev?.next?.get(word);
    if (pair && once.first(pair)) z += pair.value;
    prev = e;
  }
  return z;
}
