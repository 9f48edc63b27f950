/** Feature extraction shared by training (scripts/train.ts) and run time, so both always agree. */
import type { Prepared } from "./text.ts";

/** Words (digits folded to "0") and word bigrams. */
export function wordFeatures(p: Prepared): string[] {
  const out: string[] = [];
  let prev = "<s>";
  for (const raw of p.lowerWords) {
    const w = raw.length > 20 ? raw.slice(0, 20) : raw.replace(/[0-9]/g, "0");
    out.push(w);
    out.push(`${prev} ${w}`);
    prev = w;
  }
  return out;
}
