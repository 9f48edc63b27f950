/**
 * The poll loop ends when it is stopped, whenever the stop comes — including during the start-up
 * requests whose errors the loop swallows (the streaming address falls back to the instance's).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { pollMastodon } from "./mastodon.poller.ts";
import { MastodonSimulator } from "./mastodon.simulator.ts";

const sim = new MastodonSimulator();
beforeAll(() => sim.start());
afterAll(() => sim.stop());

it("ends promptly when stopped while it reads the streaming address, and opens no stream", async () => {
  const controller = new AbortController();
  const requests: string[] = [];
  const fetchStoppingOnInstance: typeof fetch = async (input, init) => {
    const url = String(input);
    requests.push(new URL(url).pathname);
    // The process stops while this request is in flight: the fetch rejects, as a real one would.
    if (url.includes("/api/v2/instance")) controller.abort();
    return fetch(input, init);
  };
  const started = Date.now();
  await pollMastodon(
    {
      channel: {
        id: "c1",
        key: "northwind-mastodon",
        kind: "mastodon",
        name: "Northwind",
        config: { instanceUrl: sim.url },
        secrets: { accessToken: sim.token },
      },
      cursor: null,
      signal: controller.signal,
      ingest: async () => ({}) as never,
      saveCursor: async () => {},
      log: { info() {}, warn() {} },
    },
    { fetch: fetchStoppingOnInstance, pingMs: 60_000, catchUpMs: 60_000 },
  );
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(requests).toEqual(["/api/v1/accounts/verify_credentials", "/api/v2/instance"]);
}, 20_000);
