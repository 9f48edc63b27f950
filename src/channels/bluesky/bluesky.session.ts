/**
 * Signed-in Bluesky clients (@atproto/api's AtpAgent), one per channel account, kept for the process:
 * bsky.social limits createSession (30 per 5 minutes, 300 a day), so sends and polls share a session.
 * The agent refreshes an expired access token by itself; when the refresh token is gone too, the next use
 * signs in again. XRPC errors become plain words, with whether trying again can help. @atproto/api is
 * loaded on first use (it takes seconds to import on a busy machine), so CLI commands start quickly.
 */
import { createHash } from "node:crypto";
import type { AppBskyRichtextFacet, AtpAgent, XRPCError } from "@atproto/api";
import { type BlueskyConfig, CHAT_PROXY } from "./bluesky.config.ts";

export interface BlueskyClient {
  agent: AtpAgent;
  /** The same session, with `atproto-proxy` set to the chat service (DMs). */
  chat: AtpAgent;
  did: string;
  handle: string;
}

/** @atproto/api, imported on first use. */
export const atproto = () => import("@atproto/api");

const clients = new Map<string, Promise<BlueskyClient>>();
const keyOf = (config: Pick<BlueskyConfig, "service" | "handle">, password: string) =>
  `${config.service}|${config.handle}|${createHash("sha256").update(password).digest("hex")}`;

/** Signs in with the handle and app password (or reuses this process's session). */
export async function clientFor(
  config: Pick<BlueskyConfig, "service" | "handle">,
  password: string,
): Promise<BlueskyClient> {
  const key = keyOf(config, password);
  const cached = clients.get(key);
  if (cached) {
    const client = await cached.catch(() => null);
    if (client?.agent.hasSession) return client;
    clients.delete(key);
  }
  const created = signIn(config, password);
  clients.set(key, created);
  created.catch(() => clients.delete(key));
  return created;
}

/** Forgets a cached session (after the account refused it). */
export function forgetClient(config: Pick<BlueskyConfig, "service" | "handle">, password: string): void {
  clients.delete(keyOf(config, password));
}

async function signIn(config: Pick<BlueskyConfig, "service" | "handle">, password: string) {
  const { AtpAgent } = await atproto();
  const agent = new AtpAgent({ service: config.service });
  const session = await agent.login({ identifier: config.handle, password });
  const [name, did] = CHAT_PROXY.split("#").reverse() as [string, `did:${string}`];
  return {
    agent,
    chat: agent.withProxy(name as "bsky_chat", did),
    did: session.data.did,
    handle: session.data.handle,
  };
}

/** Text with its facets: links, and mentions resolved to DIDs (unresolvable handles stay plain text). */
export async function richText(
  agent: AtpAgent,
  text: string,
): Promise<{ text: string; facets?: AppBskyRichtextFacet.Main[] }> {
  const { RichText } = await atproto();
  const rt = new RichText({ text });
  await rt.detectFacets(agent);
  const facets = (rt.facets ?? []).filter((f) =>
    f.features.every((x) => x.$type !== "app.bsky.richtext.facet#mention" || (x as { did?: string }).did),
  );
  return facets.length ? { text: rt.text, facets } : { text: rt.text };
}

export interface Failure {
  /** The platform's words, prefixed with what failed. */
  message: string;
  retryable: boolean;
  status: number;
  /** The XRPC error name (RateLimitExceeded, InvalidToken, …) or the network error code. */
  error: string;
  /** When a rate limit lifts (from `ratelimit-reset`), in ms since the epoch. */
  resetAt?: number;
}

const NO_DMS = /bad token (scope|method)/i;

const isXrpcError = (error: unknown): error is XRPCError =>
  error instanceof Error &&
  typeof (error as XRPCError).status === "number" &&
  typeof (error as XRPCError).error === "string" &&
  "success" in error;

/** What went wrong talking to Bluesky, in words, and whether a retry can help. */
export function describeFailure(error: unknown): Failure {
  if (isXrpcError(error)) {
    const status = error.status;
    const words = `${status} ${error.error}${error.message && error.message !== error.error ? `: ${error.message}` : ""}`;
    if (status === 429) {
      const reset = Number(error.headers?.["ratelimit-reset"]);
      const resetAt = Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined;
      return {
        message: `Bluesky rate limit (${words})${resetAt ? `; it resets at ${new Date(resetAt).toISOString()}` : ""}`,
        retryable: true,
        status,
        error: error.error,
        ...(resetAt ? { resetAt } : {}),
      };
    }
    if (NO_DMS.test(error.message))
      return {
        message: `This app password has no access to direct messages (${words}). Create one with “Allow access to your direct messages”.`,
        retryable: false,
        status,
        error: error.error,
      };
    if (error.error === "AuthenticationRequired" || (status === 401 && error.error !== "ExpiredToken"))
      return {
        message: `Bluesky refused the handle or app password (${words})`,
        retryable: false,
        status,
        error: error.error,
      };
    const code = status as number;
    const retryable = code >= 500 || code === 1 || code === 408 || error.error === "ExpiredToken";
    return { message: `Bluesky ${words}`, retryable, status, error: error.error };
  }
  const e = error as Error & { cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? (e as { code?: string }).code ?? "network";
  return {
    message: `Bluesky could not be reached (${code}: ${e.cause?.message ?? e.message})`,
    retryable: true,
    status: 0,
    error: code,
  };
}
