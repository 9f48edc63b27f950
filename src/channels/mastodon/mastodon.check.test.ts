import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testMastodonConnection } from "./mastodon.check.ts";
import { MastodonSimulator } from "./mastodon.simulator.ts";

const sim = new MastodonSimulator();
const channel = (instanceUrl: string, accessToken: string) => ({
  key: "m",
  kind: "mastodon",
  name: "Northwind",
  config: { instanceUrl },
  secrets: { accessToken },
});
const steps = (checks: Awaited<ReturnType<typeof testMastodonConnection>>) =>
  checks.map((c) => `${c.service}:${c.ok ? "ok" : c.step}`);

beforeAll(() => sim.start());
afterAll(() => sim.stop());

describe("test connection (Mastodon)", () => {
  it("reports each step ok against a working server", async () => {
    const checks = await testMastodonConnection(channel(sim.url, sim.token));
    expect(steps(checks)).toEqual(["server:ok", "account:ok", "scopes:ok", "streaming:ok"]);
    expect(checks[1]!.message).toBe("Signed in as @northwind (Northwind Rail).");
  });

  it("a refused token fails at auth with the server's words", async () => {
    const checks = await testMastodonConnection(channel(sim.url, "not-a-valid-token"));
    expect(steps(checks)).toEqual(["server:ok", "account:auth", "scopes:skipped", "streaming:skipped"]);
    expect(checks[1]!.message).toContain("401: The access token is invalid");
  });

  it("a token without the needed scopes names the missing ones", async () => {
    const readOnly = sim.issueToken(sim.self.id, ["read"]);
    const checks = await testMastodonConnection(channel(sim.url, readOnly));
    expect(steps(checks)).toEqual(["server:ok", "account:ok", "scopes:scopes", "streaming:ok"]);
    expect(checks[2]!.message).toContain("write:statuses (posting replies)");
  });

  it("a refused stream is reported, with the polling fallback", async () => {
    sim.streaming = false;
    try {
      const checks = await testMastodonConnection(channel(sim.url, sim.token));
      expect(steps(checks)).toEqual(["server:ok", "account:ok", "scopes:ok", "streaming:streaming"]);
      expect(checks[3]!.message).toMatch(/502.*poll every 30 s instead/);
    } finally {
      sim.streaming = true;
    }
  });

  it("nothing listening fails at connect; an unknown host at dns", async () => {
    const closed = new MastodonSimulator();
    await closed.start();
    const url = closed.url;
    await closed.stop();
    expect(steps(await testMastodonConnection(channel(url, "x".repeat(20))))[0]).toBe("server:connect");
    const dns = await testMastodonConnection(channel("https://no-such-host.invalid", "x".repeat(20)));
    expect(steps(dns)).toEqual(["server:dns", "account:skipped", "scopes:skipped", "streaming:skipped"]);
  });

  it("a server that is not Mastodon is named as such", async () => {
    sim.inject({ path: "/api/v2/instance", status: 404 });
    sim.inject({ path: "/api/v1/instance", status: 404 });
    const checks = await testMastodonConnection(channel(sim.url, sim.token));
    expect(steps(checks)[0]).toBe("server:instance");
    expect(checks[0]!.message).toMatch(/not like a Mastodon server/);
  });
});
