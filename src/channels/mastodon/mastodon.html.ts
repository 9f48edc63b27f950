/**
 * Mastodon's HTML (a status's `content`) → plain text, safely: paragraphs become blank lines and `<br>`
 * line breaks; mentions become `@user@domain` (from the status's `mentions`, so a local `@ana` is shown
 * with its server); hashtags stay `#tag`; links are shown as their address — Mastodon shortens the visible
 * text with hidden spans, so the address comes from `href` — or as "text (address)" when the text is
 * something else. Images, scripts and styles are dropped; nothing is ever interpreted, only read.
 */
import { convert, type DomNode, type FormatCallback } from "html-to-text";

const textOf = (nodes: DomNode[]): string =>
  nodes.map((n) => (n.type === "text" ? (n.data ?? "") : textOf(n.children ?? []))).join("");

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

const bare = (url: string) =>
  url
    .replace(/^[a-z]+:\/\//i, "")
    .replace(/^www\./i, "")
    .replace(/\/$/, "");

export interface HtmlToTextOptions {
  /** Profile URL → full acct (`user@domain`), from the status's mentions. */
  mentions?: Map<string, string>;
}

/** The text a person reads in a Mastodon client, from a status's HTML. */
export function mastodonHtmlToText(html: string, options: HtmlToTextOptions = {}): string {
  const anchor: FormatCallback = (elem, walk, builder) => {
    const href: string = typeof elem.attribs?.href === "string" ? elem.attribs.href : "";
    const classes: string = typeof elem.attribs?.class === "string" ? elem.attribs.class : "";
    const text = textOf(elem.children ?? []).trim();
    const acct = href ? options.mentions?.get(href) : undefined;
    if (acct) builder.addInline(`@${acct}`);
    else if (/\bmention\b|\bhashtag\b/.test(classes) || /^[@#]/.test(text))
      walk(elem.children ?? [], builder);
    else if (/^https?:\/\//i.test(href)) {
      const shown = bare(text);
      // Mastodon's own links show (part of) the address itself; anything else keeps its words too.
      if (!shown || bare(href).startsWith(shown.replace(/…$/, ""))) builder.addInline(href);
      else {
        walk(elem.children ?? [], builder);
        builder.addInline(` (${href})`);
      }
    } else walk(elem.children ?? [], builder);
  };
  return (
    convert(html, {
      wordwrap: false,
      preserveNewlines: false,
      formatters: { mastodonAnchor: anchor },
      selectors: [
        { selector: "a", format: "mastodonAnchor" },
        { selector: "img", format: "skip" },
        { selector: "script", format: "skip" },
        { selector: "style", format: "skip" },
        { selector: "h1", options: { uppercase: false } },
        { selector: "h2", options: { uppercase: false } },
        { selector: "h3", options: { uppercase: false } },
        { selector: "h4", options: { uppercase: false } },
        { selector: "h5", options: { uppercase: false } },
        { selector: "h6", options: { uppercase: false } },
        { selector: "table", format: "dataTable" },
        { selector: "ul", options: { itemPrefix: "• " } },
      ],
    })
      // Control characters (not tab or newline) have no business in a post's text.
      .replace(CONTROL, "")
      .trim()
  );
}

/** Mastodon's count of a post's length: a URL is 23 characters, a mention counts its username only. */
export function mastodonLength(text: string): number {
  const counted = text
    .replace(/https?:\/\/[^\s]+/g, "x".repeat(23))
    .replace(/(^|\s)@([\w.-]+)@[\w.:-]+/g, (_all, pre: string, user: string) => `${pre}@${user}`);
  return [...counted].length;
}
