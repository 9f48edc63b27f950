/**
 * Connecting a Mastodon account with OAuth instead of pasting a token: register Rapport as an app on the
 * instance (`POST /api/v1/apps`, with our callback as redirect URI), send the admin to the instance's
 * authorize page, and exchange the code it returns for an access token (`POST /oauth/token`). The
 * routes (server/routes/channel-oauth.routes.ts) keep the app's client id and secret sealed in `state`.
 */
import { type FetchLike, MastodonClient } from "./mastodon.api.ts";
import { MASTODON_SCOPE_LIST } from "./mastodon.config.ts";

const SCOPES = MASTODON_SCOPE_LIST.join(" ");

export async function startMastodonOAuth(
  instanceUrl: string,
  redirectUri: string,
  state: (pending: Record<string, string>) => string,
  options: { fetch?: FetchLike } = {},
): Promise<{ authorizeUrl: string }> {
  const client = new MastodonClient({
    instanceUrl,
    retries: 1,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { data } = await client.post<{ client_id: string; client_secret: string }>("/api/v1/apps", {
    anonymous: true,
    body: { client_name: "Rapport", redirect_uris: redirectUri, scopes: SCOPES },
  });
  const url = new URL("/oauth/authorize", instanceUrl);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", data.client_id);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("scope", SCOPES);
  url.searchParams.set("state", state({ clientId: data.client_id, clientSecret: data.client_secret }));
  return { authorizeUrl: url.toString() };
}

export async function finishMastodonOAuth(
  instanceUrl: string,
  redirectUri: string,
  pending: Record<string, string>,
  code: string,
  options: { fetch?: FetchLike } = {},
): Promise<{ accessToken: string }> {
  const client = new MastodonClient({
    instanceUrl,
    retries: 1,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { data } = await client.post<{ access_token: string }>("/oauth/token", {
    anonymous: true,
    body: {
      grant_type: "authorization_code",
      code,
      client_id: pending.clientId,
      client_secret: pending.clientSecret,
      redirect_uri: redirectUri,
      scope: SCOPES,
    },
  });
  return { accessToken: data.access_token };
}
