import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentWithToken } from "../../test/helpers/server.ts";
import { MastodonSimulator } from "../channels/mastodon/mastodon.simulator.ts";
import { createConnectorRegistry } from "../channels/registry.ts";
import { SecretBox } from "../services/secrets.ts";
import { channelRepository } from "../store/channel.repository.ts";
import { type Database, openDatabase } from "../store/db.ts";
import { buildApp } from "./app.ts";

describe("connecting a Mastodon channel with OAuth", () => {
  let database: Database;
  let app: Awaited<ReturnType<typeof buildApp>>;
  const sim = new MastodonSimulator();
  const box = new SecretBox(Buffer.alloc(32, 4));
  const created: string[] = [];
  const headers: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    [database] = await Promise.all([openDatabase({ url: "memory://" }), sim.start()]);
    app = await buildApp({
      database,
      connectors: createConnectorRegistry(),
      secrets: box,
      publicUrl: "https://rapport.example",
      onChannelCreated: (c) => created.push(c.key),
    });
    for (const [email, role] of [
      ["admin@northwind.example", "admin"],
      ["lee@northwind.example", "admin"],
      ["sam@northwind.example", "agent"],
    ] as const) {
      headers[email.split("@")[0]!] = (await agentWithToken(database, email, { role })).headers;
    }
  });
  afterAll(async () => {
    await app?.close();
    await sim.stop();
    await database?.close();
  });

  /** Starts the flow and follows the instance's authorize page back to our callback. */
  const approve = async (as = "admin", key?: string) => {
    const start = await app.inject({
      method: "POST",
      url: "/api/channels/oauth/start",
      headers: headers[as],
      payload: {
        kind: "mastodon",
        name: "Northwind on Mastodon",
        config: { instanceUrl: sim.url },
        ...(key ? { key } : {}),
      },
    });
    expect(start.statusCode, start.body).toBe(200);
    const { authorizeUrl, redirectUri } = start.json() as { authorizeUrl: string; redirectUri: string };
    expect(redirectUri).toBe("https://rapport.example/api/channels/oauth/callback");
    const authorize = new URL(authorizeUrl);
    expect(authorize.origin + authorize.pathname).toBe(`${sim.url}/oauth/authorize`);
    expect(authorize.searchParams.get("scope")).toBe(
      "read:accounts read:notifications read:statuses write:statuses",
    );
    const back = await fetch(authorizeUrl, { redirect: "manual" });
    const location = new URL(back.headers.get("location")!);
    expect(location.origin + location.pathname).toBe(redirectUri);
    return `${location.pathname}${location.search}`;
  };

  it("registers an app, exchanges the code, and creates the channel with the token sealed", async () => {
    const callback = await approve();
    const done = await app.inject({ method: "GET", url: callback, headers: headers.admin });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json()).toMatchObject({ key: "mastodon-northwind-on-mastodon", kind: "mastodon" });
    expect(created).toEqual(["mastodon-northwind-on-mastodon"]);
    const row = await channelRepository(database.db).byKey("mastodon-northwind-on-mastodon");
    expect(row!.config).toEqual({ instanceUrl: sim.url });
    const { accessToken } = box.open(row!.secrets);
    expect(sim.tokens.get(accessToken!)).toMatchObject({
      accountId: sim.self.id,
      scopes: ["read:accounts", "read:notifications", "read:statuses", "write:statuses"],
    });
    // The same code cannot be used twice.
    const again = await app.inject({
      method: "GET",
      url: callback.replace("mastodon-northwind", "x"),
      headers: headers.admin,
    });
    expect(again.statusCode).toBe(400);
  });

  it("a browser returning from the instance lands on the settings page", async () => {
    const callback = await approve("admin", "mastodon-browser");
    const done = await app.inject({
      method: "GET",
      url: callback,
      headers: { ...headers.admin, accept: "text/html" },
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toMatch(/^\/settings\/channels\/[0-9a-f-]{36}\?created=1$/);
  });

  it("refuses a state started by another admin, a forged state, a denial, and non-admins", async () => {
    const callback = await approve("admin", "mastodon-other");
    expect((await app.inject({ method: "GET", url: callback, headers: headers.lee })).statusCode).toBe(403);
    const forged = await app.inject({
      method: "GET",
      url: "/api/channels/oauth/callback?code=x&state=v1%3Aabc%3Adef%3Aghi",
      headers: headers.admin,
    });
    expect([forged.statusCode, forged.json().error.message]).toEqual([
      400,
      expect.stringContaining("not valid"),
    ]);
    const state = new URL(callback, "http://x").searchParams.get("state")!;
    const denied = await app.inject({
      method: "GET",
      url: `/api/channels/oauth/callback?error=access_denied&error_description=${encodeURIComponent("The resource owner denied the request.")}&state=${encodeURIComponent(state)}`,
      headers: headers.admin,
    });
    expect([denied.statusCode, denied.json().error.message]).toEqual([
      400,
      "The platform did not grant access: access_denied: The resource owner denied the request.",
    ]);
    const agent = await app.inject({
      method: "POST",
      url: "/api/channels/oauth/start",
      headers: headers.sam,
      payload: { kind: "mastodon", name: "x", config: { instanceUrl: sim.url } },
    });
    expect(agent.statusCode).toBe(403);
  });

  it("a token works too: the channel is set up and its connection test passes step by step", async () => {
    const made = await app.inject({
      method: "POST",
      url: "/api/channels",
      headers: headers.admin,
      payload: {
        kind: "mastodon",
        name: "Token channel",
        config: { instanceUrl: `${sim.url}/` },
        secrets: { accessToken: sim.token },
      },
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({
      kind: "mastodon",
      hasSecrets: true,
      config: { instanceUrl: sim.url },
    });
    expect(made.body).not.toContain(sim.token);
    const tested = await app.inject({
      method: "POST",
      url: `/api/channels/${made.json().id}/test`,
      headers: headers.admin,
    });
    expect(tested.json()).toMatchObject({
      ok: true,
      checks: [
        { service: "server" },
        { service: "account" },
        { service: "scopes" },
        { service: "streaming" },
      ],
    });
    const short = await app.inject({
      method: "POST",
      url: "/api/channels",
      headers: headers.admin,
      payload: {
        kind: "mastodon",
        name: "x",
        config: { instanceUrl: sim.url },
        secrets: { accessToken: "abc" },
      },
    });
    expect([short.statusCode, short.json().error.message]).toEqual([
      400,
      "secrets.accessToken: the access token looks too short",
    ]);
  });

  it("validates the kind and the config", async () => {
    const email = await app.inject({
      method: "POST",
      url: "/api/channels/oauth/start",
      headers: headers.admin,
      payload: { kind: "email", name: "x", config: {} },
    });
    expect([email.statusCode, email.json().error.message]).toEqual([
      400,
      expect.stringContaining("(kinds: mastodon)"),
    ]);
    const bad = await app.inject({
      method: "POST",
      url: "/api/channels/oauth/start",
      headers: headers.admin,
      payload: { kind: "mastodon", name: "x", config: { instanceUrl: "ftp://x" } },
    });
    expect([bad.statusCode, bad.json().error.message]).toEqual([
      400,
      expect.stringContaining("config: instanceUrl"),
    ]);
  });
});
