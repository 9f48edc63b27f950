/**
 * The Mastodon simulator's HTTP and WebSocket endpoints (mastodon.simulator.ts holds its state): the REST
 * methods and OAuth endpoints the connector uses, the streaming upgrade, and the tiny status page.
 */

import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { mastodonLength } from "./mastodon.html.ts";
import { MastodonSimulator, type SimAccount, type SimStatus, type StreamName } from "./mastodon.simulator.ts";

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  if ((req.headers["content-type"] ?? "").includes("application/json")) return JSON.parse(text);
  return Object.fromEntries(new URLSearchParams(text));
}

function authenticate(
  sim: MastodonSimulator,
  req: IncomingMessage,
  url: URL,
): { token: string; account: SimAccount; scopes: string[] } | null {
  const header = req.headers.authorization ?? "";
  const token = /^Bearer (.+)$/i.exec(header)?.[1] ?? url.searchParams.get("access_token") ?? "";
  const grant = sim.tokens.get(token);
  const account = grant ? sim.accounts.get(grant.accountId) : undefined;
  return grant && account ? { token, account, scopes: grant.scopes } : null;
}

export async function handleRequest(
  sim: MastodonSimulator,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", sim.url);
  const method = req.method ?? "GET";
  const path = url.pathname;
  sim.requests.push(`${method} ${path}${url.search}`);
  const fault = sim.takeFault(method, path);
  if (fault)
    return json(res, fault.status, fault.body ?? { error: `simulated ${fault.status}` }, fault.headers);

  if (method === "GET" && path === "/") return statusPage(sim, res);
  if (method === "GET" && path.startsWith("/media/")) {
    const file = sim.media.get(decodeURIComponent(path.slice("/media/".length)));
    if (!file) return json(res, 404, { error: "Record not found" });
    res.writeHead(200, { "content-type": file.type, "content-length": file.bytes.length });
    res.end(file.bytes);
    return;
  }
  if (method === "GET" && (path === "/api/v1/instance" || path === "/api/v2/instance")) {
    return json(res, 200, {
      domain: sim.domain,
      uri: sim.domain,
      title: "Mastodon simulator (Rapport)",
      version: "4.3.0 (compatible; Rapport simulator)",
      configuration: {
        urls: { streaming: sim.url.replace(/^http/, "ws") },
        statuses: {
          max_characters: sim.options.maxCharacters ?? 500,
          max_media_attachments: 4,
          characters_reserved_per_url: 23,
        },
      },
    });
  }
  if (method === "POST" && path === "/api/v1/apps") {
    const body = await readBody(req);
    const clientId = randomBytes(16).toString("base64url");
    const secret = randomBytes(24).toString("base64url");
    const redirectUri = String(body.redirect_uris ?? "urn:ietf:wg:oauth:2.0:oob");
    const scopes = String(body.scopes ?? "read");
    sim.apps.set(clientId, { secret, redirectUri, scopes });
    return json(res, 200, {
      id: sim.nextId(),
      name: String(body.client_name ?? "app"),
      redirect_uri: redirectUri,
      redirect_uris: [redirectUri],
      scopes: scopes.split(" "),
      client_id: clientId,
      client_secret: secret,
    });
  }
  if (method === "GET" && path === "/oauth/authorize") {
    // The person is signed in as the brand and approves at once.
    const clientId = url.searchParams.get("client_id") ?? "";
    const app = sim.apps.get(clientId);
    const redirectUri = url.searchParams.get("redirect_uri") ?? "";
    if (!app || app.redirectUri !== redirectUri)
      return json(res, 400, {
        error: "invalid_client",
        error_description: "unknown client or redirect URI",
      });
    const code = randomBytes(16).toString("base64url");
    sim.codes.set(code, { clientId, redirectUri, scopes: url.searchParams.get("scope") ?? app.scopes });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    const state = url.searchParams.get("state");
    if (state) back.searchParams.set("state", state);
    res.writeHead(302, { location: back.toString() });
    return void res.end();
  }
  if (method === "POST" && path === "/oauth/token") {
    const body = await readBody(req);
    const grant = sim.codes.get(String(body.code ?? ""));
    const app = sim.apps.get(String(body.client_id ?? ""));
    if (!grant || !app || app.secret !== body.client_secret || grant.redirectUri !== body.redirect_uri)
      return json(res, 400, {
        error: "invalid_grant",
        error_description:
          "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
      });
    sim.codes.delete(String(body.code));
    const token = sim.issueToken(sim.self.id, grant.scopes.split(" "));
    return json(res, 200, {
      access_token: token,
      token_type: "Bearer",
      scope: grant.scopes,
      created_at: Math.floor(Date.now() / 1000),
    });
  }

  const auth = authenticate(sim, req, url);
  if (!auth) return json(res, 401, { error: "The access token is invalid" });
  const rate = sim.rateHeaders(auth.token);
  if (rate.exceeded) return json(res, 429, { error: "Too many requests" }, rate.headers);
  const has = (scope: string) => auth.scopes.some((s) => s === scope || s === scope.split(":")[0]);
  const forbid = () =>
    json(res, 403, { error: "This action is outside the authorized scopes" }, rate.headers);
  const ok = (body: unknown) => json(res, 200, body, rate.headers);

  if (method === "GET" && path === "/api/v1/accounts/verify_credentials")
    return has("read:accounts") ? ok(auth.account) : forbid();
  if (method === "GET" && path === "/api/v1/apps/verify_credentials")
    return ok({ name: "Rapport", website: null, scopes: auth.scopes });
  if (method === "GET" && path === "/api/v1/notifications") {
    if (!has("read:notifications")) return forbid();
    const types = url.searchParams.getAll("types[]");
    const list = sim.notifications.filter(
      (n) =>
        (n.status?.mentions.some((m) => m.id === auth.account.id) || n.type !== "mention") &&
        (types.length === 0 || types.includes(n.type)),
    );
    return ok(paginate(list, url, (n) => n.id));
  }
  if (method === "GET" && path === "/api/v1/conversations") {
    if (!has("read:statuses")) return forbid();
    const mine = sim.conversations.filter((c) => c.accountIds.includes(auth.account.id));
    return ok(paginate(mine, url, (c) => c.lastStatusId).map((c) => sim.present(c)));
  }
  const statusMatch = /^\/api\/v1\/statuses\/(\d+)$/.exec(path);
  if (method === "GET" && statusMatch) {
    if (!has("read:statuses")) return forbid();
    const status = sim.statuses.get(statusMatch[1]!);
    return status ? ok(status) : json(res, 404, { error: "Record not found" }, rate.headers);
  }
  if (method === "POST" && path === "/api/v1/statuses") {
    if (!has("write:statuses")) return forbid();
    const key = req.headers["idempotency-key"];
    const seen = typeof key === "string" ? sim.idempotency.get(`${auth.token}:${key}`) : undefined;
    if (seen && sim.statuses.has(seen)) return ok(sim.statuses.get(seen));
    const body = await readBody(req);
    const text = String(body.status ?? "");
    const limit = sim.options.maxCharacters ?? 500;
    if (!text.trim())
      return json(res, 422, { error: "Validation failed: Text can't be blank" }, rate.headers);
    if (mastodonLength(text) > limit)
      return json(
        res,
        422,
        { error: `Validation failed: Text character limit of ${limit} exceeded` },
        rate.headers,
      );
    const inReplyTo = body.in_reply_to_id ? String(body.in_reply_to_id) : null;
    if (inReplyTo && !sim.statuses.has(inReplyTo))
      return json(res, 404, { error: "Record not found" }, rate.headers);
    const visibility =
      (["public", "unlisted", "private", "direct"] as const).find((v) => v === body.visibility) ?? "public";
    const status = sim.post(auth.account, text, { visibility, inReplyToId: inReplyTo });
    if (typeof key === "string") sim.idempotency.set(`${auth.token}:${key}`, status.id);
    const parent = inReplyTo ? (sim.statuses.get(inReplyTo) ?? null) : null;
    sim.options.log?.(
      `mastodon simulator: @${auth.account.acct} posted (${visibility}${parent ? `, in reply to @${parent.account.acct}` : ""}): ${SimStatus_text(status)}`,
    );
    sim.options.onPost?.(status, parent);
    return ok(status);
  }
  return json(res, 404, { error: "Record not found" });
}

/** Mastodon's id pagination: max_id (older than), since_id (newer, newest page), min_id (newer, next page). */
function paginate<T>(items: T[], url: URL, idOf: (item: T) => string): T[] {
  const cmp = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
  const limit = Math.min(80, Number(url.searchParams.get("limit") ?? 40) || 40);
  const max = url.searchParams.get("max_id");
  const since = url.searchParams.get("since_id");
  const min = url.searchParams.get("min_id");
  let list = [...items].sort((a, b) => cmp(idOf(b), idOf(a)));
  if (max) list = list.filter((i) => cmp(idOf(i), max) < 0);
  if (since) list = list.filter((i) => cmp(idOf(i), since) > 0);
  if (min) {
    list = list.filter((i) => cmp(idOf(i), min) > 0);
    return list.slice(-limit);
  }
  return list.slice(0, limit);
}

export function handleUpgrade(sim: MastodonSimulator, req: IncomingMessage, socket: Duplex, head: Buffer) {
  const url = new URL(req.url ?? "/", sim.url);
  const refuse = (status: number, text: string) => {
    socket.write(
      `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ error: text })}`,
    );
    socket.destroy();
  };
  if (url.pathname !== "/api/v1/streaming") return refuse(404, "Not Found");
  if (!sim.streaming) return refuse(502, "Bad Gateway");
  const auth = authenticate(sim, req, url);
  if (!auth) return refuse(401, "Unauthorized");
  if (!auth.scopes.some((s) => s === "read" || s === "read:statuses")) return refuse(403, "Forbidden");
  sim.wss!.handleUpgrade(req, socket, head, (ws) => {
    const streams = new Set<StreamName>();
    const first = url.searchParams.get("stream");
    if (first === "user" || first === "direct") streams.add(first);
    sim.sockets.set(ws, streams);
    ws.on("message", (data) => {
      try {
        const message = JSON.parse(String(data)) as { type?: string; stream?: string };
        if (message.stream !== "user" && message.stream !== "direct") return;
        if (message.type === "subscribe") streams.add(message.stream);
        if (message.type === "unsubscribe") streams.delete(message.stream);
      } catch {}
    });
    ws.on("close", () => sim.sockets.delete(ws));
  });
}

function statusPage(sim: MastodonSimulator, res: ServerResponse): void {
  const rows = [...sim.statuses.values()]
    .slice(-100)
    .reverse()
    .map((s) => {
      const mine = s.account.id === sim.self.id;
      return `<li class="${mine ? "ours" : ""}"><b>${esc(s.account.display_name)}</b> @${esc(s.account.acct)} · ${esc(s.visibility)} · ${esc(s.created_at)}${s.in_reply_to_id ? " · reply" : ""}<pre>${esc(MastodonSimulator.text(s))}</pre></li>`;
    })
    .join("");
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(
    `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Mastodon simulator</title><style>body{font:14px system-ui;margin:2em;max-width:50em}li{list-style:none;border-bottom:1px solid #ddd;padding:.5em 0}.ours{background:#eef6ff}pre{white-space:pre-wrap;font:inherit;margin:.3em 0}</style><h1>Mastodon simulator</h1><p>${esc(sim.domain)} — the brand is @${esc(sim.self.acct)}; its posts (Rapport's replies) are highlighted. Refreshes every 5 s.</p><ul>${rows}</ul>`,
  );
}

const SimStatus_text = (s: SimStatus) => MastodonSimulator.text(s).replace(/\s+/g, " ").slice(0, 200);
