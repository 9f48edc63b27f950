/**
 * "Test connection" for a Mastodon channel, one check per step so the admin sees exactly where it broke:
 * server (dns: the name does not resolve; connect; tls; or not a Mastodon server), account (the token:
 * verify_credentials), scopes (each scope Rapport needs), and streaming (the WebSocket opens; without it
 * Rapport still works, polling REST).
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { ConfiguredChannel, ConnectionCheck } from "../connector.ts";
import { type FetchLike, MastodonApiError, MastodonClient } from "./mastodon.api.ts";
import { MASTODON_SCOPE_LIST, MASTODON_SCOPES, mastodonConfigSchema } from "./mastodon.config.ts";
import { runStream, StreamClosed } from "./mastodon.stream.ts";

export interface CheckOptions {
  fetch?: FetchLike;
  /** How long the stream may take to open (default 10 s). */
  streamTimeoutMs?: number;
}

/** Whether the granted scopes cover a needed one ("read" covers "read:statuses"). */
export function hasScope(granted: string[], needed: string): boolean {
  return granted.some((g) => g === needed || g === needed.split(":")[0]);
}

export async function testMastodonConnection(
  channel: Omit<ConfiguredChannel, "id">,
  options: CheckOptions = {},
): Promise<ConnectionCheck[]> {
  const config = mastodonConfigSchema.parse(channel.config);
  const host = new URL(config.instanceUrl).hostname;
  const accessToken = channel.secrets.accessToken ?? "";
  const checks: ConnectionCheck[] = [];
  const client = new MastodonClient({
    instanceUrl: config.instanceUrl,
    accessToken,
    retries: 0,
    timeoutMs: 15_000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const skipped = (service: string, why: string) =>
    checks.push({ service, ok: false, step: "skipped", message: `Not tried: ${why}.` });

  // 1. The server: DNS, then TCP/TLS and "is this Mastodon?" through the public instance information.
  if (!isIP(host.replace(/^\[|\]$/g, "")) && host !== "localhost") {
    try {
      await lookup(host);
    } catch (error) {
      checks.push({
        service: "server",
        ok: false,
        step: "dns",
        message: `The host name ${host} does not resolve (${(error as { code?: string }).code ?? "DNS error"}). Check the instance address.`,
      });
      for (const s of ["account", "scopes", "streaming"]) skipped(s, "the server cannot be reached");
      return checks;
    }
  }
  let streamingUrl = config.instanceUrl;
  let title = host;
  try {
    const { data } = await client
      .get<{ title?: string; version?: string; configuration?: { urls?: { streaming?: string } } }>(
        "/api/v2/instance",
        { anonymous: true },
      )
      .catch(async (error: unknown) => {
        if (error instanceof MastodonApiError && error.status === 404)
          return client.get<{ title?: string; version?: string; urls?: { streaming_api?: string } }>(
            "/api/v1/instance",
            { anonymous: true },
          ) as never;
        throw error;
      });
    streamingUrl =
      data?.configuration?.urls?.streaming ??
      (data as { urls?: { streaming_api?: string } })?.urls?.streaming_api ??
      config.instanceUrl;
    title = data?.title ?? host;
    checks.push({
      service: "server",
      ok: true,
      message: `Reached ${title} at ${config.instanceUrl}${data?.version ? ` (Mastodon ${data.version})` : ""}.`,
    });
  } catch (error) {
    const e = error as MastodonApiError;
    const step = e instanceof MastodonApiError && e.status === 0 ? e.step : "instance";
    checks.push({
      service: "server",
      ok: false,
      step,
      message:
        step === "instance"
          ? `${config.instanceUrl} answered, but not like a Mastodon server (${e.message}). Check the address.`
          : `Could not reach ${config.instanceUrl}: ${e.message}`,
    });
    for (const s of ["account", "scopes", "streaming"]) skipped(s, "the server cannot be reached");
    return checks;
  }

  // 2. The token.
  try {
    const { data } = await client.get<{ acct: string; display_name?: string }>(
      "/api/v1/accounts/verify_credentials",
    );
    checks.push({
      service: "account",
      ok: true,
      message: `Signed in as @${data.acct}${data.display_name ? ` (${data.display_name})` : ""}.`,
    });
  } catch (error) {
    const e = error as MastodonApiError;
    checks.push({
      service: "account",
      ok: false,
      step: e instanceof MastodonApiError && e.status === 0 ? e.step : "auth",
      message: `${title} refused the access token: ${e.message}. Create a new token (or connect again) with the scopes ${MASTODON_SCOPE_LIST.join(", ")}.`,
    });
    skipped("scopes", "the token was refused");
    skipped("streaming", "the token was refused");
    return checks;
  }

  // 3. Scopes: from the app's credentials when the server lists them, else by trying what needs them.
  let granted: string[] | null = null;
  try {
    const { data } = await client.get<{ scopes?: string[] }>("/api/v1/apps/verify_credentials");
    granted = Array.isArray(data?.scopes) ? data.scopes : null;
  } catch {}
  if (granted) {
    const missing = MASTODON_SCOPE_LIST.filter((s) => !hasScope(granted!, s));
    checks.push(
      missing.length === 0
        ? { service: "scopes", ok: true, message: `The token has every scope needed (${granted.join(" ")}).` }
        : {
            service: "scopes",
            ok: false,
            step: "scopes",
            message: `The token lacks ${missing.map((s) => `${s} (${MASTODON_SCOPES[s]})`).join(", ")}. Create a token with them, or connect again.`,
          },
    );
  } else {
    const probes = [
      { scope: "read:notifications", path: "/api/v1/notifications" },
      { scope: "read:statuses", path: "/api/v1/conversations" },
    ] as const;
    const missing: string[] = [];
    for (const probe of probes) {
      try {
        await client.get(probe.path, { query: { limit: 1 } });
      } catch (error) {
        if (error instanceof MastodonApiError && error.status === 403) missing.push(probe.scope);
      }
    }
    checks.push(
      missing.length === 0
        ? {
            service: "scopes",
            ok: true,
            message:
              "Mentions and conversations can be read. (The server does not list the token's scopes, so write:statuses shows only when the first reply is sent.)",
          }
        : {
            service: "scopes",
            ok: false,
            step: "scopes",
            message: `The token lacks ${missing.join(", ")}. Create a token with ${MASTODON_SCOPE_LIST.join(", ")}.`,
          },
    );
  }

  // 4. Streaming.
  const controller = new AbortController();
  try {
    let opened = false;
    const timer = setTimeout(() => controller.abort(), options.streamTimeoutMs ?? 10_000);
    await runStream({
      streamingUrl,
      accessToken,
      signal: controller.signal,
      openTimeoutMs: options.streamTimeoutMs ?? 10_000,
      onFrame: () => {},
      onOpen: () => {
        opened = true;
        controller.abort();
      },
    });
    clearTimeout(timer);
    checks.push(
      opened
        ? {
            service: "streaming",
            ok: true,
            message: `The streaming API at ${streamingUrl} is open: mentions arrive live.`,
          }
        : {
            service: "streaming",
            ok: false,
            step: "streaming",
            message: `The streaming API at ${streamingUrl} did not open in time; Rapport will poll every ${config.pollSeconds ?? 30} s instead.`,
          },
    );
  } catch (error) {
    checks.push({
      service: "streaming",
      ok: false,
      step: "streaming",
      message: `${error instanceof StreamClosed ? error.message : String(error)} (${streamingUrl}); Rapport will poll every ${config.pollSeconds ?? 30} s instead, and replies still work.`,
    });
  }
  return checks;
}
