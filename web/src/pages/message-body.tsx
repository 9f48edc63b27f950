/**
 * A message's body: its plain text (always, by default), and for email the formatted HTML on request in a
 * sandboxed frame (no scripts, no same-origin access, a strict policy, remote images only after "Load
 * images"), the "automated" badge, and the attachments with their download links. Customer text never
 * becomes markup in the app's own page.
 */
import { useState } from "react";
import type { Attachment, Message } from "../api/types";
import { Chip } from "../components/chips";
import { emailDocument, hasRemoteImages } from "../lib/email-frame";
import { formatBytes } from "../lib/format";

const AUTOMATED: Record<NonNullable<Message["automated"]>, string> = {
  auto_reply: "automatic reply",
  bounce: "bounce",
  list: "mailing list",
};

export function AutomatedChip({ kind }: { kind: Message["automated"] }) {
  if (!kind) return null;
  return (
    <Chip tone="neutral" title="Mail no person wrote: nobody waits for an answer to it">
      {`automated: ${AUTOMATED[kind]}`}
    </Chip>
  );
}

export function MessageBody({ m }: { m: Message }) {
  const [formatted, setFormatted] = useState(false);
  const [images, setImages] = useState(false);
  const html = m.html;
  return (
    <>
      {html && (
        <fieldset className="body-toggle">
          <legend className="visually-hidden">How to show this mail</legend>
          <button
            type="button"
            className="link-button"
            aria-pressed={formatted}
            onClick={() => setFormatted(!formatted)}
          >
            {formatted ? "Show plain text" : "Show formatted"}
          </button>
          {formatted && hasRemoteImages(html) && !images && (
            <button type="button" className="link-button" onClick={() => setImages(true)}>
              Load images
            </button>
          )}
          {formatted && images && <span className="muted small">Images loaded</span>}
        </fieldset>
      )}
      {html && formatted ? (
        <iframe
          className="email-frame"
          title={`Formatted mail from ${m.author?.kind === "identity" ? (m.author.displayName ?? m.author.handle ?? "the sender") : "us"}`}
          // No allow-scripts and no allow-same-origin: the mail runs nothing and reaches nothing of the
          // app. Popups only so its links open in a new tab, outside the sandbox.
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          referrerPolicy="no-referrer"
          srcDoc={emailDocument(html, { loadImages: images })}
        />
      ) : (
        // Customer text is rendered as text: React escapes it; no HTML is ever interpreted.
        <p className={m.deletedAt ? "message-text deleted" : "message-text"}>{m.text}</p>
      )}
      {m.originalText !== null && m.originalText !== m.text && (
        <details className="message-original">
          <summary>Before the edit</summary>
          <p className="message-text">{m.originalText}</p>
        </details>
      )}
      {m.attachments.length > 0 && <Attachments items={m.attachments} />}
    </>
  );
}

/** Types the server shows inline (`?inline=1`); anything else is only a download link. */
const PREVIEWABLE = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"]);

function Attachments({ items }: { items: Attachment[] }) {
  return (
    <ul className="attachments" aria-label="Attachments">
      {items.map((a) => (
        <li key={a.index}>
          {a.url && PREVIEWABLE.has(a.contentType) && (
            <a
              href={`${a.url}?inline=1`}
              target="_blank"
              rel="noopener noreferrer"
              className="attachment-preview"
            >
              <img src={`${a.url}?inline=1`} alt={a.filename} loading="lazy" />
            </a>
          )}
          {a.url ? (
            <a href={a.url} download={a.filename}>
              {a.filename}
            </a>
          ) : (
            <span>{a.filename}</span>
          )}{" "}
          <span className="muted small">
            {a.contentType}
            {a.status === "stored" && ` · ${formatBytes(a.size)}`}
            {a.status === "downloading" && " · downloading from the platform…"}
            {a.status === "unavailable" && ` · not kept: ${a.note}`}
          </span>
          {a.status !== "stored" && a.sourceUrl && (
            <>
              {" "}
              <a
                href={a.sourceUrl}
                target="_blank"
                rel="noopener noreferrer"
                referrerPolicy="no-referrer"
                className="small"
              >
                open on the platform
              </a>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
