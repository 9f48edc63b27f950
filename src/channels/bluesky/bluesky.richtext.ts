/**
 * Rich text: facets index the text by UTF-8 *bytes* (not UTF-16 units), so slicing goes through the
 * encoded bytes. Inbound, facets become HTML with the full links (the text itself shows shortened
 * ones); outbound, a reply longer than a post allows is split at word boundaries, counted in graphemes.
 */
import type { Facet } from "./bluesky.inbound.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const httpUri = (uri: unknown): uri is string => typeof uri === "string" && /^https?:\/\//i.test(uri);

/**
 * The text as HTML with facets as links: link facets to their full URI, mentions to the profile, tags to
 * the tag's page. Facets that overlap, run past the text or cut a character in two are left out.
 */
export function facetHtml(text: string, facets: Facet[]): string {
  const bytes = encoder.encode(text);
  const sorted = [...facets].sort((a, b) => a.index.byteStart - b.index.byteStart);
  let html = "";
  let at = 0;
  const slice = (start: number, end: number) => {
    try {
      return decoder.decode(bytes.subarray(start, end));
    } catch {
      return null;
    }
  };
  for (const facet of sorted) {
    const { byteStart, byteEnd } = facet.index;
    if (byteStart < at || byteEnd <= byteStart || byteEnd > bytes.length) continue;
    const before = slice(at, byteStart);
    const inner = slice(byteStart, byteEnd);
    if (before === null || inner === null) continue;
    const feature = facet.features[0] ?? {};
    let href: string | null = null;
    if (feature.$type === "app.bsky.richtext.facet#link" && httpUri(feature.uri)) href = feature.uri;
    else if (feature.$type === "app.bsky.richtext.facet#mention" && typeof feature.did === "string")
      href = `https://bsky.app/profile/${feature.did}`;
    else if (feature.$type === "app.bsky.richtext.facet#tag" && typeof feature.tag === "string")
      href = `https://bsky.app/hashtag/${encodeURIComponent(feature.tag)}`;
    if (!href) continue;
    html += escapeHtml(before);
    html += `<a href="${escapeHtml(href)}">${escapeHtml(inner)}</a>`;
    at = byteEnd;
  }
  const rest = slice(at, bytes.length) ?? "";
  return `<p>${(html + escapeHtml(rest)).replace(/\n/g, "<br>")}</p>`;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Length in graphemes (what Bluesky's 300 limit counts). */
export const graphemeLength = (text: string) => [...segmenter.segment(text)].length;

/**
 * Splits `text` into parts of at most `max` graphemes, at paragraph, sentence or word boundaries (never
 * inside a word, so links and @mentions stay whole); a word longer than a part is cut.
 */
export function splitText(text: string, max: number): string[] {
  const trimmed = text.trim();
  if (graphemeLength(trimmed) <= max) return [trimmed];
  const parts: string[] = [];
  let rest = trimmed;
  while (graphemeLength(rest) > max) {
    const graphemes = [...segmenter.segment(rest)].map((s) => s.segment);
    const head = graphemes.slice(0, max).join("");
    const cut =
      lastBoundary(head, /\n\s*\n/g) ?? lastBoundary(head, /[.!?…。！？]\s/g) ?? lastBoundary(head, /\s/g);
    const piece = cut && cut > head.length / 3 ? head.slice(0, cut) : head;
    parts.push(piece.trim());
    rest = rest.slice(piece.length).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}

function lastBoundary(text: string, pattern: RegExp): number | null {
  let end: number | null = null;
  for (const m of text.matchAll(pattern)) end = m.index + m[0].length;
  return end;
}
