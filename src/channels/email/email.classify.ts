/**
 * What kind of mail this is, from its headers: a bounce (a delivery status report or a mail from
 * MAILER-DAEMON), an auto-reply (RFC 3834 Auto-Submitted, X-Autoreply, Precedence: auto_reply) or
 * mailing-list mail (List-Id, List-Unsubscribe, Precedence: bulk/list). Such mail is stored but kept out
 * of the queue. Also the subject normalisation used for threading by subject.
 */

export type Automated = "auto_reply" | "bounce" | "list";

/** Header name (lower case) → raw values, as the parser found them. */
export type HeaderLookup = (name: string) => string[];

const BOUNCE_SENDERS = /^(mailer-daemon|postmaster|mail-daemon)$/i;

export function classifyMail(header: HeaderLookup, fromAddress: string | null): Automated | null {
  const contentType = header("content-type").join(" ").toLowerCase();
  if (/multipart\/report/.test(contentType) && /report-type\s*=\s*"?delivery-status/.test(contentType))
    return "bounce";
  const localPart = fromAddress?.split("@")[0] ?? "";
  if (BOUNCE_SENDERS.test(localPart)) return "bounce";

  const autoSubmitted = header("auto-submitted").map((v) => v.trim().toLowerCase());
  if (autoSubmitted.some((v) => v !== "" && !v.startsWith("no"))) return "auto_reply";
  if (header("x-autoreply").length > 0 || header("x-autorespond").length > 0) return "auto_reply";
  const precedence = header("precedence").map((v) => v.trim().toLowerCase());
  if (precedence.includes("auto_reply")) return "auto_reply";

  if (header("list-id").length > 0 || header("list-unsubscribe").length > 0) return "list";
  if (precedence.some((v) => v === "bulk" || v === "list" || v === "junk")) return "list";
  return null;
}

/** Reply and forward prefixes in the languages mail clients commonly write ("Re:", "Fwd:", "AW:", "SV:" …). */
const PREFIX = /^\s*(?:(?:re|fwd?|aw|wg|sv|vs|antw|tr|rif|r|odp|enc)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+/i;

/** "Re: Fwd:  Order 48213" → "order 48213": the subject without reply/forward prefixes, for matching. */
export function normalizeSubject(subject: string | null | undefined): string {
  let s = (subject ?? "").trim();
  for (let previous = ""; previous !== s; ) {
    previous = s;
    s = s.replace(PREFIX, "").replace(/^\s*\[[^\]]{1,40}\]\s*(?=(?:re|fwd?|aw|wg|sv)\s*:)/i, "");
  }
  return s.replace(/\s+/g, " ").trim().toLowerCase();
}

/** The subject of our reply: "Re: " + the original subject, without stacking prefixes. */
export function replySubject(subject: string | null | undefined): string {
  const s = (subject ?? "").trim();
  if (!s) return "Re: your message";
  return /^\s*re\s*:/i.test(s) ? s : `Re: ${s.replace(PREFIX, "")}`;
}
