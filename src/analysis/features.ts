/** Feature extraction shared by training (scripts/train.ts) and run time, so both always agree. */
import { unHtml } from "./text.ts";

export { unHtml };

const URL_RE =
  /(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|ly|io|co|uk|me|tk|info|biz)(?:\/\S*)?\b/gi;

const TCO_RE = /https?:\/\/t\.co\/\S*/gi;

/** What every match of URL_RE holds, in lower-case text: a cheap pre-check, since URL_RE's scan is slow. */
const MAY_HAVE_URL = /:\/\/|www\.|\.(?:com|net|org|ly|io|co|uk|me|tk|info|biz)/;

/** Links to video hosts: on a video's own comment section these are mostly timestamps or the video itself. */
const VIDEO_URL_RE = /(?:https?:\/\/)?(?:www\.|m\.)?(?:youtube\.com|youtu\.be)\/\S*/gi;

const MONEY_RE = /[£$€]\s?\d[\d,.]*/g;
const LONG_NUMBER_RE = /\b\d{5,}\b/g;
const NUMBER_RE = /\d+/g;
const HAS_DIGIT = /\d/;
const NON_WORD = /[^a-z0-9_'£$€!]+/;

/** The words of a text as the spam model reads them: lower-cased, links, numbers and money folded to class tokens. */
export function spamWords(text: string): string[] {
  return foldedWords(unHtml(text).toLowerCase());
}

/** spamWords of a text already lower-cased: lower-casing again changes nothing (it is idempotent), and costs about
 * a microsecond on a text with characters beyond Latin-1. */
export function spamWordsOfLower(lower: string): string[] {
  const plain = unHtml(lower);
  return foldedWords(plain === lower ? lower : plain.toLowerCase());
}

function foldedWords(lower: string): string[] {
  let folded = lower.includes("you") ? lower.replace(VIDEO_URL_RE, " _videourl_ ") : lower;
  // t.co wraps every link on X, media included: it says nothing about the destination, so it is no evidence.
  folded = folded.replace(TCO_RE, " ");
  if (MAY_HAVE_URL.test(folded)) folded = folded.replace(URL_RE, " _url_ ");
  // Money and numbers all need a digit; most texts have none.
  if (HAS_DIGIT.test(folded))
    folded = folded
      .replace(MONEY_RE, " _money_ ")
      .replace(LONG_NUMBER_RE, " _longnum_ ")
      .replace(NUMBER_RE, "0");
  const words = folded.split(NON_WORD);
  // The split leaves an empty string where the text starts or ends with a separator.
  if (words[0] === "") words.shift();
  if (words[words.length - 1] === "") words.pop();
  return words;
}

/** The word before a text's first word, in bigram features. */
export const START = "<s>";

/** Spam features: the words of spamWords, each followed by its bigram with the word before it. */
export function spamFeatures(text: string): string[] {
  const out: string[] = [];
  let prev = START;
  for (const w of spamWords(text)) {
    out.push(w);
    out.push(`${prev} ${w}`);
    prev = w;
  }
  return out;
}
