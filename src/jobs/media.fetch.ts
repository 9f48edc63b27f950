/**
 * Downloads one file a platform keeps for a message (an image on Mastodon or Bluesky, a file an
 * integration names by URL). The URL comes from a payload, so anyone who can post can choose it: every
 * connection — redirects included — goes through request-filtering-agent, which refuses private,
 * loopback, link-local and reserved addresses after DNS resolution (no rebinding), unless the operator
 * allows them (RAPPORT_MEDIA_ALLOW_PRIVATE, for instances on a LAN and for tests). Never throws: the
 * outcome says whether trying again could help.
 */
import http from "node:http";
import https from "node:https";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";
import { MAX_ATTACHMENT_BYTES } from "../core/inbound.ts";

export interface MediaFetchOptions {
  /** Connect to private and loopback addresses too (default false). */
  allowPrivateAddresses?: boolean;
  /** Longest wait for the whole download (default 30 s). */
  timeoutMs?: number;
  /** Largest file kept (default 10 MB, as for mail attachments). */
  maxBytes?: number;
}

export type MediaFetchResult =
  | { ok: true; content: Buffer; contentType: string | null }
  | { ok: false; permanent: boolean; reason: string };

const MAX_REDIRECTS = 3;
export const MEDIA_USER_AGENT = "Rapport-Media/1";

const agents = new Map<string, http.Agent>();
function agentFor(protocol: string, allowPrivate: boolean): http.Agent {
  const key = `${protocol}${allowPrivate}`;
  let agent = agents.get(key);
  if (!agent) {
    const options = { allowPrivateIPAddress: allowPrivate, keepAlive: false };
    agent =
      protocol === "https:"
        ? new RequestFilteringHttpsAgent(options)
        : new RequestFilteringHttpAgent(options);
    agents.set(key, agent);
  }
  return agent;
}

const megabytes = (bytes: number) => `${Math.round((bytes / 1_048_576) * 10) / 10} MB`;

type Step = { kind: "done"; result: MediaFetchResult } | { kind: "redirect"; location: string };

function once(url: URL, options: Required<MediaFetchOptions>, signal: AbortSignal): Promise<Step> {
  return new Promise((resolve) => {
    const transport = url.protocol === "https:" ? https : http;
    const request = transport.get(
      url,
      {
        agent: agentFor(url.protocol, options.allowPrivateAddresses),
        headers: { "user-agent": MEDIA_USER_AGENT, accept: "*/*" },
        signal,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400 && response.headers.location) {
          response.resume();
          resolve({ kind: "redirect", location: response.headers.location });
          return;
        }
        if (status < 200 || status >= 300) {
          response.resume();
          // 408, 425, 429 and 5xx may pass; any other answer will not change by asking again.
          const transient = status >= 500 || status === 408 || status === 425 || status === 429;
          resolve({
            kind: "done",
            result: { ok: false, permanent: !transient, reason: `the server answered ${status}` },
          });
          return;
        }
        const declared = Number(response.headers["content-length"]);
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          response.destroy();
          resolve({ kind: "done", result: tooLarge(declared, options.maxBytes) });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            response.destroy();
            resolve({ kind: "done", result: tooLarge(size, options.maxBytes, true) });
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () => {
          const type = response.headers["content-type"]?.split(";")[0]?.trim().toLowerCase() ?? null;
          resolve({
            kind: "done",
            result: {
              ok: true,
              content: Buffer.concat(chunks),
              contentType: type && /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type : null,
            },
          });
        });
        response.on("error", (error) => resolve({ kind: "done", result: failure(error, signal) }));
      },
    );
    request.on("error", (error) => resolve({ kind: "done", result: failure(error, signal) }));
  });
}

function tooLarge(bytes: number, max: number, atLeast = false): MediaFetchResult {
  return {
    ok: false,
    permanent: true,
    reason: `${atLeast ? "more than " : ""}${megabytes(bytes)}, larger than the ${megabytes(max)} kept per attachment`,
  };
}

function failure(error: Error, signal: AbortSignal): MediaFetchResult {
  if (signal.aborted) return { ok: false, permanent: false, reason: "no complete answer within the timeout" };
  const refused = /^DNS lookup (\S+?)\(family:[^,]*, host:([^)]*)\) is not allowed/.exec(error.message);
  if (refused) {
    const [, address, host] = refused;
    return {
      ok: false,
      permanent: true,
      reason: `refused: ${!host || host === "undefined" || host === address ? address : `${host} is ${address}`}, a private address (RAPPORT_MEDIA_ALLOW_PRIVATE=true allows them)`,
    };
  }
  const code = (error as { code?: string }).code;
  return { ok: false, permanent: false, reason: code ? `${code}: ${error.message}` : error.message };
}

export async function fetchMedia(
  address: string,
  options: MediaFetchOptions = {},
): Promise<MediaFetchResult> {
  const settings: Required<MediaFetchOptions> = {
    allowPrivateAddresses: options.allowPrivateAddresses ?? false,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxBytes: options.maxBytes ?? MAX_ATTACHMENT_BYTES,
  };
  const signal = AbortSignal.timeout(settings.timeoutMs);
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return { ok: false, permanent: true, reason: "not a valid URL" };
  }
  for (let hop = 0; ; hop++) {
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return { ok: false, permanent: true, reason: `${url.protocol} links are not downloaded` };
    const step = await once(url, settings, signal);
    if (step.kind === "done") return step.result;
    if (hop >= MAX_REDIRECTS)
      return { ok: false, permanent: true, reason: `more than ${MAX_REDIRECTS} redirects` };
    try {
      url = new URL(step.location, url);
    } catch {
      return { ok: false, permanent: true, reason: "a redirect to an invalid URL" };
    }
  }
}
