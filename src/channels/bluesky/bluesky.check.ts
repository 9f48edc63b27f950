/**
 * "Test connection" for a Bluesky channel, step by step: the server is reachable (connect), the handle
 * resolves to a DID (resolve), the app password signs in (auth, a fresh createSession), direct messages are
 * readable with it (dms), and the Jetstream URL accepts a WebSocket (jetstream) — each with the platform's
 * own words when it fails.
 */
import type { AtpAgent } from "@atproto/api";
import WebSocket from "ws";
import type { ConfiguredChannel, ConnectionCheck } from "../connector.ts";
import { type BlueskyConfig, blueskyConfigSchema, CHAT_PROXY } from "./bluesky.config.ts";
import { atproto, describeFailure } from "./bluesky.session.ts";

const NETWORK_DNS = /ENOTFOUND|EAI_AGAIN/;

export async function testBlueskyConnection(
  channel: Omit<ConfiguredChannel, "id">,
): Promise<ConnectionCheck[]> {
  const config = blueskyConfigSchema.parse(channel.config);
  const checks: ConnectionCheck[] = [];
  const account = await checkAccount(config, channel.secrets.appPassword ?? "");
  checks.push(account.check);
  if (account.agent && config.directMessages) checks.push(await checkDms(account.agent));
  if (!config.directMessages)
    checks.push({ service: "dms", ok: true, message: "Direct messages are turned off for this channel." });
  if (config.jetstreamUrl) checks.push(await checkJetstream(config.jetstreamUrl));
  return checks;
}

async function checkAccount(
  config: BlueskyConfig,
  password: string,
): Promise<{ check: ConnectionCheck; agent?: AtpAgent }> {
  const { AtpAgent } = await atproto();
  const agent = new AtpAgent({ service: config.service });
  let did: string;
  try {
    did = (await agent.com.atproto.identity.resolveHandle({ handle: config.handle })).data.did;
  } catch (error) {
    const f = describeFailure(error);
    if (f.status === 0) {
      const step = NETWORK_DNS.test(f.message) ? "dns" : "connect";
      return { check: { service: "account", ok: false, step, message: `${config.service}: ${f.message}` } };
    }
    return {
      check: {
        service: "account",
        ok: false,
        step: "resolve",
        message: `The handle @${config.handle} does not resolve on ${config.service}: ${f.message}`,
      },
    };
  }
  if (!password)
    return { check: { service: "account", ok: false, step: "auth", message: "No app password is set." } };
  try {
    const session = await agent.login({ identifier: config.handle, password });
    return {
      agent,
      check: {
        service: "account",
        ok: true,
        message: `Signed in to ${config.service} as @${session.data.handle} (${did}).`,
      },
    };
  } catch (error) {
    const f = describeFailure(error);
    return {
      check: {
        service: "account",
        ok: false,
        step: f.status === 0 ? "connect" : "auth",
        message: `@${config.handle} resolves to ${did}, but signing in failed: ${f.message}`,
      },
    };
  }
}

async function checkDms(agent: AtpAgent): Promise<ConnectionCheck> {
  const [name, did] = CHAT_PROXY.split("#").reverse() as [string, `did:${string}`];
  try {
    const res = await agent.withProxy(name as "bsky_chat", did).chat.bsky.convo.listConvos({ limit: 100 });
    const n = res.data.convos.length;
    return {
      service: "dms",
      ok: true,
      message: `Direct messages are readable (${n}${res.data.cursor ? "+" : ""} conversations).`,
    };
  } catch (error) {
    return { service: "dms", ok: false, step: "dms", message: describeFailure(error).message };
  }
}

function checkJetstream(url: string): Promise<ConnectionCheck> {
  return new Promise((resolve) => {
    const target = new URL(url);
    target.searchParams.set("wantedCollections", "app.bsky.feed.post");
    const ws = new WebSocket(target, { handshakeTimeout: 10_000 });
    const done = (check: ConnectionCheck) => {
      ws.removeAllListeners();
      ws.on("error", () => {});
      ws.terminate();
      resolve(check);
    };
    ws.on("open", () => done({ service: "jetstream", ok: true, message: `Connected to ${url}.` }));
    ws.on("unexpected-response", (_req, res) =>
      done({
        service: "jetstream",
        ok: false,
        step: "connect",
        message: `${url} answered HTTP ${res.statusCode} instead of a WebSocket.`,
      }),
    );
    ws.on("error", (error) =>
      done({
        service: "jetstream",
        ok: false,
        step: NETWORK_DNS.test(error.message) ? "dns" : "connect",
        message: `${url}: ${error.message}`,
      }),
    );
  });
}
