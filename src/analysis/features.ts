/** Feature extraction shared by training (scripts/train.ts) and run time, so both always agree. */

const URL_RE =
  /(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|ly|io|co|uk|me|tk|info|biz)(?:\/\S*)?\b/gi;

const TCO_RE = /https?:\/\/t\.co\/\S*/gi;

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
