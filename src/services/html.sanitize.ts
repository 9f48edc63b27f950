/**
 * Makes an HTML body safe to show: sanitize-html's default allow-list of text-formatting tags, no
 * scripts, styles, forms, frames or images (remote images track readers; inline ones are attachments),
 * links only to http(s) and mailto, opened without referrer. Every HTML body is sanitised on ingest,
 * whatever its source, so nothing raw reaches the store's `messages.html`.
 */
import sanitizeHtml from "sanitize-html";

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== "img"),
  allowedAttributes: {
    a: ["href", "title", "rel", "target"],
    td: ["colspan", "rowspan"],
    th: ["colspan", "rowspan"],
  },
  allowedSchemes: ["http", "https", "mailto"],
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
