/**
 * The document a sandboxed frame shows an email's HTML in. The HTML was sanitised on ingest; here it is
 * also fenced in: the frame has no scripts and no same-origin access (see message-body.tsx), and this
 * document's content security policy allows nothing to load — no scripts, styles from elsewhere, fonts,
 * frames or forms — except inline images, and remote images only after the agent asked ("Load images":
 * a remote image tells the sender the mail was read). Pure and tested.
 */

/** The content security policy of the frame's document. */
export function emailCsp(loadImages: boolean): string {
  return [
    "default-src 'none'",
    `img-src data:${loadImages ? " https: http:" : ""}`,
    "style-src 'unsafe-inline'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join("; ");
}

const BASE_STYLE =
  "body{margin:0;padding:0.25rem;font:14px/1.45 system-ui,sans-serif;color:#1d2129;overflow-wrap:anywhere}" +
  "img{max-width:100%;height:auto}table{max-width:100%}blockquote{margin:0 0 0 .5rem;padding-left:.5rem;border-left:2px solid #dfe2e7;color:#566070}";

export function emailDocument(html: string, options: { loadImages: boolean }): string {
  return (
    `<!doctype html><html><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${emailCsp(options.loadImages)}">` +
    `<meta name="referrer" content="no-referrer">` +
    `<base target="_blank"><style>${BASE_STYLE}</style></head><body>${html}</body></html>`
  );
}

/** Whether the HTML has images the frame would fetch from the network. */
export function hasRemoteImages(html: string): boolean {
  return /<img\b[^>]*\bsrc\s*=\s*["']?\s*(https?:)?\/\//i.test(html);
}
