/**
 * Shared text preparation: one cheap pass that every classifier reuses, so the whole analysis stays fast.
 */
export interface Prepared {
  /** The original text. */
  text: string;
  /** Lower-cased text, HTML undone and curly apostrophes straightened. */
  lower: string;
  /** Lower-cased text, HTML undone (curly apostrophes kept): what the spam model reads. */
  plainLower: string;
  /** Whitespace tokens with edge punctuation stripped (case kept); emoji are separate tokens. */
  words: string[];
  /** `words`, lower-cased. */
  lowerWords: string[];
  /** Indices in `words` of one-word hashtags ("#fail", "#lostluggage"); CamelCase hashtags are split into words. */
  hashtags: number[];
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/**
 * Undo the HTML that comment APIs (YouTube, Facebook) put in text: `&#39;` for an apostrophe, `<br />` for a
 * line break, `<a href="…">` around links. Without this, "you&#39;re" and "subscribe<br />" hide words from
 * the model and the rules alike. Cheap when there is nothing to undo.
 */
export function unHtml(text: string): string {
  if (!text.includes("&") && !text.includes("<")) return text;
  return text
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>[^<]*<\/a>/gi, " $1 ")
    .replace(/<br\s*\/?>/gi, " ")
    .replace(/<\/?[a-z][^>]*>/gi, " ")
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] !== "#") return ENTITIES[e.toLowerCase()] ?? m;
      const code = e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
    });
}

const EMOJI = /(\p{Extended_Pictographic})/gu;
const HAS_EMOJI = /\p{Extended_Pictographic}/u;
/** Every emoji is at or above U+00A9 "©": most texts have no such character, and this scan is the cheaper one. */
const MAY_HAVE_EMOJI = /[\u00a9-\uffff]/;
const CURLY_APOSTROPHE = /’/g;
const SPACES = /\s+/;
// Edge punctuation we strip from words; emoticons such as ":)" survive because they are all punctuation.
const PUNCT = new Set(Array.from("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»…"));

/** Emoticons with letters or digits (":D", ":P", "<3", ":-/"), which edge stripping would break; trailing
 * sentence punctuation may follow. Pure-punctuation emoticons (":)", ":(") survive stripping anyway. */
const EMOTICON = /^([<>]?[:;=][-'^o]?(?:[)(\][/\\|*$@]|[dDpPoOsScC3](?![a-z]))+|<\/?3+)[.,!?]*$/;

/** The words of a CamelCase hashtag: "LostLuggage" → Lost, Luggage; "NEVERagain" stays whole. */
const CAMEL = /[A-Z][a-z]+|[a-z]+|[A-Z]+(?![a-z])|\d+/g;

function stripEdges(part: string): string {
  let a = 0;
  let b = part.length;
  while (a < b && PUNCT.has(part[a]!)) a++;
  while (b > a && PUNCT.has(part[b - 1]!)) b--;
  return a === 0 && b === part.length ? part : part.slice(a, b);
}

export function prepare(input: string): Prepared {
  // Curly apostrophes would hide negations ("don’t") from the word lists.
  const plain = unHtml(input);
  const text = plain.includes("’") ? plain.replace(CURLY_APOSTROPHE, "'") : plain;
  const spaced = MAY_HAVE_EMOJI.test(text) && HAS_EMOJI.test(text) ? text.replace(EMOJI, " $1 ") : text;
  const parts = spaced.split(SPACES);
  const words: string[] = [];
  const lowerWords: string[] = [];
  const hashtags: number[] = [];
  for (const part of parts) {
    if (part.length === 0) continue;
    // Mentions and links carry no sentiment ("@united" is not the word "united").
    if (part.charCodeAt(0) === 64 || part.startsWith("http")) continue;
    const c0 = part.charCodeAt(0);
    // Only ":", ";", "=", "<" and ">" can open an emoticon: skip the regex for every other word.
    const emoticon =
      c0 === 58 || c0 === 59 || c0 === 61 || c0 === 60 || c0 === 62 ? EMOTICON.exec(part) : null;
    const stripped = emoticon ? emoticon[1]! : stripEdges(part);
    if (c0 === 35 && stripped.length > 0) {
      // "#NotHappy", "#LostLuggage": CamelCase hashtags are words run together; read them as words.
      const camel = stripped.match(CAMEL);
      if (camel && camel.length > 1) {
        for (const w of camel) {
          words.push(w);
          lowerWords.push(w.toLowerCase());
        }
        continue;
      }
      hashtags.push(words.length);
    }
    // Keep pure-punctuation tokens of length ≥ 2 (emoticons like ":(" or "<3"); drop lone punctuation.
    const word = stripped.length > 0 ? stripped : part.length >= 2 ? part : "";
    if (word.length === 0) continue;
    words.push(word);
    lowerWords.push(word.toLowerCase());
  }
  const lower = text.toLowerCase();
  return {
    text: input,
    lower,
    plainLower: text === plain ? lower : plain.toLowerCase(),
    words,
    lowerWords,
    hashtags,
  };
}

/** True when the word has letters and all of them are upper case ("NOT", "WTF"). */
export function isShouting(word: string): boolean {
  return word.length > 1 && word !== word.toLowerCase() && word === word.toUpperCase();
}

/**
 * One regex that matches wherever one of the given regexes (same flags, no back-references) does. Most texts match
 * none of a classifier's patterns, and one scan with it clears them at about a third of the cost of one scan each.
 */
export function anyOf(res: readonly RegExp[]): RegExp {
  const flags = res[0]?.flags ?? "";
  for (const re of res) {
    if (re.flags !== flags || /\\[1-9]/.test(re.source))
      throw new Error(`anyOf cannot join /${re.source}/${re.flags}`);
  }
  return new RegExp(res.map((re) => `(?:${re.source})`).join("|"), flags);
}

/** True when the text contains one of the substrings (a cheap pre-check before a costly regex). */
export function containsAny(text: string, parts: readonly string[]): boolean {
  for (const part of parts) if (text.includes(part)) return true;
  return false;
}
