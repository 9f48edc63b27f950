/**
 * Language (ISO 639-1). A stop-word vote settles most messages in a few microseconds; tinyld (profiles shipped
 * in its npm package) decides the rest. Non-Latin scripts are read from the script itself.
 */
import { detect } from "tinyld/light";
import { lexiconValence } from "./valence.ts";

/** Word → the one language whose stop word it is ("" when several share it). A Map: "constructor" is a word too. */
const STOPWORDS = new Map<string, string>();
const LISTS: Record<string, string> = {
  en:
    "the and is are was were you your my i it this that to of for with have has not but what can will just me be " +
    "do don't i'm it's at on we they please thanks thank u ur im get got go going will ok call now know like how " +
    "when need all so if out up about there from our am would can't dont hi hey time today still again just an " +
    "been did didn't why who where which could should their them he she his her its than then too very lol pls " +
    "tomorrow tonight yes yeah back after before over only any some no one send sent text said help love good in as",
  es: "el la los las es son y que de en un una por para con no mi tu pero muy gracias hola está estoy qué cómo su del al lo se",
  fr: "le la les est sont et que de des en un une pour avec pas mon ma mes je vous nous mais très merci bonjour c'est du au ce ne",
  de: "der die das ist sind und nicht ich sie wir mit für auf ein eine mein meine aber sehr danke hallo es zu den dem von",
  pt: "o os as é são e que não um uma para com meu minha mas muito obrigado obrigada olá do da dos das em no na você",
  it: "il lo gli è sono e che non un una per con mio mia ma molto grazie ciao della del di in sono ho",
  nl: "de het een is zijn en niet ik je jij wij met voor op mijn maar heel dank bedankt hallo van dat",
};
for (const [lang, words] of Object.entries(LISTS)) {
  for (const w of words.split(" ")) {
    // A word shared by several languages is not evidence for any of them.
    STOPWORDS.set(w, STOPWORDS.has(w) ? "" : lang);
  }
}

/** A letter of any script but Latin. */
const NON_LATIN_LETTER = /(?!\p{Script=Latin})\p{L}/u;

/**
 * True when the text has letters of a non-Latin script. Emoji, symbols, punctuation and the replacement
 * character (U+FFFD, where an export lost an emoji) are not letters: "booooo��" is still Latin text.
 */
function hasNonLatinScript(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x370) return NON_LATIN_LETTER.test(text);
  }
  return false;
}

const SCRIPTS: [RegExp, string][] = [
  [/[\u3040-\u30ff]/, "ja"],
  [/[\uac00-\ud7af]/, "ko"],
  [/[\u4e00-\u9fff]/, "zh"],
  [/[\u0400-\u04ff]/, ""],
  [/[\u0600-\u06ff]/, ""],
  [/[\u0590-\u05ff]/, "he"],
  [/[\u0370-\u03ff]/, "el"],
  [/[\u0e00-\u0e7f]/, "th"],
  [/[\u0900-\u097f]/, "hi"],
];

/** ISO 639-1 code, or null when the text has too little to go on. */
export function languageOf(lowerWords: readonly string[], text: string): string | null {
  // Languages in the order they are first seen (a tie goes to the first), and their votes.
  const langs: string[] = [];
  const votes: number[] = [];
  let total = 0;
  for (const w of lowerWords) {
    const lang = STOPWORDS.get(w);
    if (!lang) continue;
    const k = langs.indexOf(lang);
    if (k < 0) {
      langs.push(lang);
      votes.push(1);
    } else votes[k]!++;
    total++;
  }
  let best = "";
  let bestVotes = 0;
  for (let k = 0; k < langs.length; k++) {
    if (votes[k]! > bestVotes) {
      best = langs[k]!;
      bestVotes = votes[k]!;
    }
  }
  // A clear stop-word majority in Latin-script text needs no further work.
  const nonLatin = hasNonLatinScript(text);
  if (best && bestVotes >= total * 0.75 && !nonLatin) return best;
  if (nonLatin)
    for (const [re, lang] of SCRIPTS) {
      if (re.test(text)) {
        if (lang) return lang;
        break; // Cyrillic and Arabic scripts cover several languages: let tinyld choose.
      }
    }
  if (!nonLatin && total === 0) {
    // No stop words at all: English sentiment words are the next-cheapest evidence.
    let english = 0;
    for (const w of lowerWords) if (lexiconValence(w) !== undefined) english++;
    if (english >= 2 || (english === 1 && lowerWords.length <= 3)) return "en";
  }
  const cleaned = text.replace(/(?:@|https?:\/\/)\S+/g, " ");
  const sample = cleaned.length > 160 ? cleaned.slice(0, 160) : cleaned;
  const detected = detect(sample);
  if (detected) return detected;
  return best || null;
}

export function language(text: string): string | null {
  return languageOf(
    text
      .toLowerCase()
      .split(/[^\p{L}']+/u)
      .filter(Boolean),
    text,
  );
}
