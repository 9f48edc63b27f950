/**
 * Makes an HTML body safe to keep: sanitize-html's default allow-list of text-formatting tags, no
 * scripts, styles, forms or frames, links only to http(s) and mailto (opened without referrer), images
 * only with an http(s) or data: source and no other attributes than alt, title, width and height. Every
 * HTML body is sanitised on ingest, whatever its source, so nothing raw reaches `messages.html`.
 *
 * Images are kept so an agent can choose to see them; the workspace shows this HTML only in a sandboxed
 * frame whose content security policy blocks remote images until the agent clicks "Load images" (a
 * remote image tells the sender the mail was read).
 */
import sanitizeHtml from "sanitize-html";

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, "img"],
  allowedAttributes: {
    a: ["href", "title", "rel", "target"],
    img: ["src", "alt", "title", "width", "height"],
    td: ["colspan", "rowspan"],
    th: ["colspan", "rowspan"],
  },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["http", "https", "data"] },
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  nonTextTags: ["style", "script", "textarea", "option", "noscript", "title", "head"],
  transformTags: {
    a: sanitizeHtml.simpleTransform("a", { rel: "noopener noreferrer nofollow", target: "_blank" }),
  },
};

export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}
