/**
 * A small Mastodon REST client over fetch (undici): bearer auth, JSON in and out, the platform's own
 * error words, and rate limits respected — it waits when `X-RateLimit-Remaining` runs out until
 * `X-RateLimit-Reset`, and on a 429 waits for `Retry-After` (or the reset time) before trying again.
 * 5xx answers are retried with exponential backoff and jitter. Network failures are reported with the
 * step that failed (dns, connect, tls) so "test connection" can say where it broke.
 */

export type FetchLike = typeof fetch;

export interface Backoff {
  /** First retry delay (default 1 s). */
  baseMs: number;
  /** Longest delay (default 5 min). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 1_000, maxMs: 300_000 };

/** Exponential backoff with full jitter: a random delay in [d/2, d] where d = base × 2^attempt, capped. */
export function backoffDelay(attempt: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  const d = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(d / 2 + Math.random() * (d / 2));
}

/** Waits `ms`, or less when the signal aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done);
  });
}

const TLS_CODES = /^(ERR_SSL|ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_CERT)/;

/** The step a network error failed at, from the error or its cause. */
export function networkStep(error: unknown): "dns" | "connect" | "tls" | "timeout" {
  const chain: Array<{ code?: string; message?: string; name?: string }> = [];
  for (let e = error as { cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as never, i++)
    chain.push(e as never);
  for (const e of chain) {
    if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") return "dns";
    if ((e.code && TLS_CODES.test(e.code)) || /certificate|ssl|tls handshake/i.test(e.message ?? ""))
      return "tls";
    if (e.name === "TimeoutError" || e.code === "UND_ERR_CONNECT_TIMEOUT") return "timeout";
  }
  return "connect";
}

/** A failed request: the HTTP status (0 when the network failed) and the server's own words. */
export class MastodonApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** For network failures: where it broke. */
    readonly step: "dns" | "connect" | "tls" | "timeout" | "http",
    /** For 429s: when trying again makes sense. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = "MastodonApiError";
  }

  /** Whether the same request may succeed later (rate limits, server errors, the network). */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export interface ClientOptions {
  instanceUrl: string;
  accessToken?: string;
  fetch?: FetchLike;
  signal?: AbortSignal;
  /** Retries of 429s and 5xx per request (default 3). */
  retries?: number;
  backoff?: Backoff;
  /** Per-request timeout (default 20 s). */
  timeoutMs?: number;
  /** Called before waiting for a rate limit or a retry (logging). */
  onWait?(ms: number, why: string): void;
  /** Longest wait for a rate limit inside one request; longer ones fail with a retryable error (default 10 min). */
  maxWaitMs?: number;
}

export interface RequestOptions {
  query?: Record<string, string | string[] | number | undefined>;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Send without the access token (app registration, instance information). */
  anonymous?: boolean;
}

/** When a rate-limited request may be tried again: Retry-After (seconds or a date), else X-RateLimit-Reset. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const after = headers.get("retry-after");
  if (after) {
    const seconds = Number(after);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = resetTime(headers);
  return reset === null ? null : Math.max(0, reset - now);
}

/** X-RateLimit-Reset: an ISO date (Mastodon) or epoch seconds. */
function resetTime(headers: Headers): number | null {
  const reset = headers.get("x-ratelimit-reset");
  if (!reset) return null;
  if (/^\d+(\.\d+)?$/.test(reset)) return Number(reset) * 1000;
  const date = Date.parse(reset);
  return Number.isNaN(date) ? null : date;
}

export class MastodonClient {
  /** Requests left in the current window, as the server last said, and when the window resets. */
  rate: { remaining: number | null; resetAt: number | null } = { remaining: null, resetAt: null };
  readonly base: string;

  constructor(private readonly options: ClientOptions) {
    this.base = options.instanceUrl.replace(/\/+$/, "");
  }

  async get<T>(path: string, options: RequestOptions = {}): Promise<{ data: T; headers: Headers }> {
    return this.request<T>("GET", path, options);
  }

  async post<T>(path: string, options: RequestOptions = {}): Promise<{ data: T; headers: Headers }> {
    return this.request<T>("POST", path, options);
  }

  async request<T>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<{ data: T; headers: Headers }> {
    const retries = this.options.retries ?? 3;
    const url = new URL(`${this.base}${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
    }
    for (let attempt = 0; ; attempt++) {
      await this.waitForQuota();
      const response = await this.send(method, url, options);
      this.noteRate(response.headers);
      if (response.ok) {
        const text = await response.text();
        return { data: (text ? JSON.parse(text) : null) as T, headers: response.headers };
      }
      const words = await platformWords(response);
      if (response.status === 429) {
        const wait = retryAfterMs(response.headers) ?? backoffDelay(attempt, this.backoff);
        if (attempt < retries && wait <= (this.options.maxWaitMs ?? 600_000)) {
          this.options.onWait?.(wait, `rate limited (429) on ${method} ${path}`);
          await sleep(wait, this.options.signal);
          if (this.options.signal?.aborted) throw new MastodonApiError("aborted", 0, "connect");
          continue;
        }
        throw new MastodonApiError(`Mastodon ${response.status}: ${words}`, 429, "http", wait);
      }
      if (response.status >= 500 && attempt < retries) {
        const wait = backoffDelay(attempt, this.backoff);
        this.options.onWait?.(wait, `${response.status} on ${method} ${path}`);
        await sleep(wait, this.options.signal);
        if (this.options.signal?.aborted) throw new MastodonApiError("aborted", 0, "connect");
        continue;
      }
      throw new MastodonApiError(`Mastodon ${response.status}: ${words}`, response.status, "http");
    }
  }

  private get backoff(): Backoff {
    return this.options.backoff ?? DEFAULT_BACKOFF;
  }

  private async send(method: string, url: URL, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (this.options.accessToken && !options.anonymous)
      headers.authorization = `Bearer ${this.options.accessToken}`;
    if (options.body) headers["content-type"] = "application/json";
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 20_000);
    const signal = this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
    try {
      return await (this.options.fetch ?? fetch)(url, {
        method,
        headers,
        ...(options.body ? { body: JSON.stringify(options.body) } : {}),
        signal,
        redirect: "follow",
      });
    } catch (error) {
      const step = networkStep(error);
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = [cause?.code, cause?.message ?? (error as Error).message].filter(Boolean).join(": ");
      throw new MastodonApiError(
        `${step === "timeout" ? "timed out" : `${step} failed`} reaching ${url.host}: ${detail}`,
        0,
        step,
      );
    }
  }

  private noteRate(headers: Headers): void {
    const remaining = headers.get("x-ratelimit-remaining");
    if (remaining !== null && Number.isFinite(Number(remaining))) {
      this.rate = { remaining: Number(remaining), resetAt: resetTime(headers) };
    }
  }

  /** When the window's requests are spent, wait for its reset (one request is kept for replies). */
  private async waitForQuota(): Promise<void> {
    const { remaining, resetAt } = this.rate;
    if (remaining === null || remaining > 1 || resetAt === null) return;
    const wait = resetAt - Date.now();
    if (wait <= 0) return;
    if (wait > (this.options.maxWaitMs ?? 600_000))
      throw new MastodonApiError(
        `Mastodon rate limit spent until ${new Date(resetAt).toISOString()}`,
        429,
        "http",
        wait,
      );
    this.options.onWait?.(
      wait,
      `rate limit: ${remaining} requests left until ${new Date(resetAt).toISOString()}`,
    );
    await sleep(wait, this.options.signal);
    this.rate = { remaining: null, resetAt: null };
  }
}

/** The server's explanation: Mastodon answers `{ "error": "…" }` (OAuth: `error_description`). */
async function platformWords(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    const words = [body.error, body.error_description].filter((w) => typeof w === "string" && w);
    if (words.length > 0) return words.join(": ");
  } catch {}
  return text.trim().slice(0, 300) || response.statusText || "no explanation given";
}

/** Orders Mastodon ids (numeric strings of any length) oldest first. */
export function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
