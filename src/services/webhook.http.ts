/**
 * One signed POST to a webhook receiver (outbound webhooks and the webhook channel's reply callback):
 * the exact body, Rapport's signature headers, a timeout, no redirects followed. Never throws: the
 * result says what happened, with an excerpt of the answer for the delivery log.
 */
import { signatureHeaders } from "../core/signature.ts";

/** Longest wait for an answer. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Characters of the answer kept for the log. */
export const EXCERPT_LENGTH = 1_000;
/** Bytes of the answer read at most (the rest is not waited for). */
const MAX_READ = 64 * 1024;

export const USER_AGENT = "Rapport-Webhooks/1";

export interface PostResult {
  ok: boolean;
  /** Null when no answer came. */
  statusCode: number | null;
  /** The start of the answer's body, as text. */
  excerpt: string | null;
  /** The answer's body when it is JSON (and small enough to read). */
  json: unknown;
  durationMs: number;
  /** Why it failed, in words for the log (absent when ok). */
  error?: string;
  startedAt: Date;
}

async function readSome(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_READ) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, MAX_READ);
}

const describeFailure = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError" || error.name === "AbortError") return "no answer within the timeout";
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ""}`;
  return cause?.message ?? error.message;
};

export async function postSigned(
  url: string,
  body: string,
  secret: string,
  options: { headers?: Record<string, string>; timeoutMs?: number; now?: Date } = {},
): Promise<PostResult> {
  const startedAt = options.now ?? new Date();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        ...options.headers,
        ...signatureHeaders(secret, body, startedAt),
      },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
    });
    const text = await readSome(response).catch(() => "");
    let json: unknown = null;
    if (text && (response.headers.get("content-type") ?? "").includes("json")) {
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    }
    const ok = response.status >= 200 && response.status < 300;
    const excerpt = text ? text.slice(0, EXCERPT_LENGTH) : null;
    return {
      ok,
      statusCode: response.status,
      excerpt,
      json,
      durationMs: elapsed(),
      startedAt,
      ...(ok
        ? {}
        : {
            error:
              response.status >= 300 && response.status < 400
                ? `answered ${response.status} (redirects are not followed; use the final URL)`
                : `answered ${response.status}${excerpt ? `: ${excerpt.slice(0, 200)}` : ""}`,
          }),
    };
  } catch (error) {
    return {
      ok: false,
      statusCode: null,
      excerpt: null,
      json: null,
      durationMs: elapsed(),
      startedAt,
      error: describeFailure(error),
    };
  }
}
