/** Feature extraction shared by training (scripts/train.ts) and run time, so both always agree. */
import { unHtml } from "./text.ts";

export { unHtml };

const URL_RE =
  /(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|ly|io|co|uk|me|tk|info|biz)(?:\/\S*)?\b/gi;

const TCO_RE = /https?:\/\/t\.co\/\S*/gi;

/** Links to video hosts: on a video's own comment section these are mostly timestamps or the video itself. */
const VIDEO_URL_RE = /(?:https?:\/\/)?(?:www\.|m\.)?(?:youtube\.com|youtu\.be)\/\S*/gi;

/** Spam features: words with links, numbers and money folded to class tokens, plus word bigrams. */
export function spamFeatures(text: string): string[] {
  const out: string[] = [];
  const lower = unHtml(text).toLowerCase();
  const folded = (lower.includes("you") ? lower.replace(VIDEO_URL_RE, " _videourl_ ") : lower)
    // t.co wraps every link on X, media included: it says nothing about the destination, so it is no evidence.
    .replace(TCO_RE, " ")
    .replace(URL_RE, " _url_ ")
    .replace(/[£$€]\s?\d[\d,.]*/g, " _money_ ")
    .replace(/\b\d{5,}\b/g, " _longnum_ ")
    .replace(/\d+/g, "0");
  const words = folded.split(/[^a-z0-9_'£$€!]+/);
  let prev = "<s>";
  for (const w of words) {
    if (w.length === 0) continue;
    out.push(w);
    out.push(`${prev} ${w}`);
    prev = w;
  }
  return out;
}
