/**
 * Shared text preparation: one cheap pass that every classifier reuses, so the whole analysis stays fast.
 */
export interface Prepared {
  /** The original text. */
  text: string;
  /** Lower-cased text with runs of whitespace collapsed. */
  lower: string;
  /** Whitespace tokens with edge punctuation stripped (case kept); emoji are separate tokens. */
  words: string[];
  /** `words`, lower-cased. */
  lowerWords: string[];
}

const EMOJI = /(\p{Extended_Pictographic})/gu;
const HAS_EMOJI = /\p{Extended_Pictographic}/u;
// Edge punctuation we strip from words; emoticons such as ":)" survive because they are all punctuation.
const PUNCT = new Set(Array.from("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»…"));

function stripEdges(part: string): string {
  let a = 0;
  let b = part.length;
  while (a < b && PUNCT.has(part[a]!)) a++;
  while (b > a && PUNCT.has(part[b - 1]!)) b--;
  return a === 0 && b === part.length ? part : part.slice(a, b);
}

export function prepare(input: string): Prepared {
  // Curly apostrophes would hide negations ("don’t") from the word lists.
  const text = input.includes("’") ? input.replace(/’/g, "'") : input;
  const spaced = HAS_EMOJI.test(text) ? text.replace(EMOJI, " $1 ") : text;
  const parts = spaced.split(/\s+/);
  const words: string[] = [];
  const lowerWords: string[] = [];
  for (const part of parts) {
    if (part.length === 0) continue;
    // Mentions and links carry no sentiment ("@united" is not the word "united").
    if (part.charCodeAt(0) === 64 || part.startsWith("http")) continue;
    const stripped = stripEdges(part);
    // Keep pure-punctuation tokens of length ≥ 2 (emoticons like ":(" or "<3"); drop lone punctuation.
    const word = stripped.length > 0 ? stripped : part.length >= 2 ? part : "";
    if (word.length === 0) continue;
    words.push(word);
    lowerWords.push(word.toLowerCase());
  }
  return { text: input, lower: text.toLowerCase(), words, lowerWords };
}

/** True when the word has letters and all of them are upper case ("NOT", "WTF"). */
export function isShouting(word: string): boolean {
  return word.length > 1 && word !== word.toLowerCase() && word === word.toUpperCase();
}
