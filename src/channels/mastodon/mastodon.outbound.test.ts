import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SendError, type SendInput } from "../../core/outbound.ts";
import { backoffDelay, MastodonClient, retryAfterMs } from "./mastodon.api.ts";
import { mastodonLength } from "./mastodon.html.ts";
import { sendMastodon } from "./mastodon.outbound.ts";
import { MastodonSimulator, type SimAccount } from "./mastodon.simulator.ts";

const sim = new MastodonSimulator({ maxCharacters: 120 });
let ana: SimAccount;
let n = 0;

const input = (
  over: { text?: string; replyTo?: string | null; visibility?: "public" | "private"; id?: string } = {},
): SendInput => ({
  channel: {
    id: "c1",
    key: "northwind-mastodon",
    kind: "mastodon",
    platform: "mastodon",
    name: "Northwind",
    config: { instanceUrl: sim.url },
    secrets: { accessToken: sim.token },
  },
  conversation: {
    id: "conv",
    threadKey: "t",
    visibility: over.visibility ?? "public",
    subject: null,
    recipient: { externalId: "ana@x", handle: "@ana", displayName: "Ana" },
  },
  message: {
    id: over.id ?? `msg-${++n}`,
    text: over.text ?? "We are on it.",
    visibility: over.visibility ?? "public",
    authorName: "Maria",
  },
  replyToExternalId: over.replyTo === undefined ? null : over.replyTo,
});

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SendError);
    return error as SendError;
  }
  throw new Error("expected the send to fail");
};

beforeAll(async () => {
  await sim.start();
  ana = sim.addAccount("ana", { displayName: "Ana" });
});
afterAll(() => sim.stop());

describe("sending Mastodon replies", () => {
  it("keeps an unlisted post's visibility, and mentions the person once", async () => {
    const post = sim.post(ana, "@northwind hello", { visibility: "unlisted" });
    const { externalId } = await sendMastodon(input({ replyTo: post.id, text: "@ana Hello Ana!" }));
    const ours = sim.statuses.get(externalId)!;
    expect(ours).toMatchObject({ visibility: "unlisted", in_reply_to_id: post.id });
    expect(MastodonSimulator.text(ours)).toBe("@ana Hello Ana!");
  });

  it("a followers-only post gets a followers-only reply", async () => {
    const post = sim.post(ana, "@northwind just for my followers", { visibility: "private" });
    const { externalId } = await sendMastodon(input({ replyTo: post.id }));
    expect(sim.statuses.get(externalId)!.visibility).toBe("private");
  });

  it("a private conversation is answered directly even without a post to answer", async () => {
    const { externalId } = await sendMastodon(input({ visibility: "private" }));
    expect(sim.statuses.get(externalId)).toMatchObject({ visibility: "direct", in_reply_to_id: null });
    expect(sim.statuses.get(externalId)!.mentions.map((m) => m.acct)).toEqual(["ana"]);
  });

  it("a retried job posts once (Idempotency-Key)", async () => {
    const post = sim.post(ana, "@northwind again");
    const before = sim.posted().length;
    const a = await sendMastodon(input({ replyTo: post.id, id: "retried-message" }));
    const b = await sendMastodon(input({ replyTo: post.id, id: "retried-message" }));
    expect(b.externalId).toBe(a.externalId);
    expect(sim.posted().length).toBe(before + 1);
  });

  it("too long for the instance: refused before posting, for good", async () => {
    const post = sim.post(ana, "@northwind long one");
    const before = sim.posted().length;
    const error = await failure(sendMastodon(input({ replyTo: post.id, text: "x".repeat(130) })));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/is 135 characters .* allows 120/);
    expect(sim.posted().length).toBe(before);
  });

  it("maps the server's refusals: 422/401 permanent with its words, 5xx and 429 retryable", async () => {
    const post = sim.post(ana, "@northwind errors");
    sim.inject({
      method: "POST",
      path: "/api/v1/statuses",
      status: 422,
      body: { error: "Validation failed: Text can't be blank" },
    });
    let e = await failure(sendMastodon(input({ replyTo: post.id })));
    expect([e.retryable, e.message]).toEqual([
      false,
      expect.stringContaining("422: Validation failed: Text can't be blank"),
    ]);
    sim.inject({ method: "POST", path: "/api/v1/statuses", status: 503, times: 2 });
    e = await failure(sendMastodon(input({ replyTo: post.id })));
    expect([e.retryable, e.message]).toEqual([true, expect.stringContaining("503")]);
    sim.inject({
      method: "POST",
      path: "/api/v1/statuses",
      status: 429,
      headers: { "retry-after": "120" },
      body: { error: "Too many requests" },
    });
    e = await failure(sendMastodon(input({ replyTo: post.id })));
    expect([e.retryable, e.message]).toEqual([
      true,
      expect.stringMatching(/429: Too many requests \(try again after 120 s\)/),
    ]);
    const bad = input({ replyTo: post.id });
    bad.channel.secrets = { accessToken: "revoked-token-123" };
    e = await failure(sendMastodon(bad));
    expect([e.retryable, e.message]).toEqual([
      false,
      expect.stringContaining("401: The access token is invalid"),
    ]);
  });

  it("one 5xx is retried inside the send", async () => {
    const post = sim.post(ana, "@northwind flaky");
    sim.inject({ method: "POST", path: "/api/v1/statuses", status: 502 });
    const { externalId } = await sendMastodon(input({ replyTo: post.id }));
    expect(sim.statuses.get(externalId)).toBeDefined();
  });
});

describe("the REST client's rate limits", () => {
  it("waits for X-RateLimit-Reset when the window is spent, instead of hitting 429", async () => {
    const limited = new MastodonSimulator({ rateLimit: { limit: 3, windowMs: 1_500 } });
    await limited.start();
    try {
      const waits: number[] = [];
      const client = new MastodonClient({
        instanceUrl: limited.url,
        accessToken: limited.token,
        onWait: (ms) => waits.push(ms),
      });
      for (let i = 0; i < 5; i++) await client.get("/api/v1/accounts/verify_credentials");
      expect(waits.length).toBeGreaterThanOrEqual(1);
      expect(limited.requests.filter((r) => r.includes("verify_credentials")).length).toBe(5);
    } finally {
      await limited.stop();
    }
  });

  it("reads Retry-After as seconds or a date, else the reset time", () => {
    const now = Date.parse("2026-11-20T10:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after": "7" }), now)).toBe(7_000);
    expect(retryAfterMs(new Headers({ "retry-after": "Fri, 20 Nov 2026 10:00:30 GMT" }), now)).toBe(30_000);
    expect(retryAfterMs(new Headers({ "x-ratelimit-reset": "2026-11-20T10:05:00.000Z" }), now)).toBe(300_000);
    expect(retryAfterMs(new Headers(), now)).toBeNull();
  });

  it("backs off exponentially with jitter, capped", () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const d = backoffDelay(attempt, { baseMs: 100, maxMs: 5_000 });
      const cap = Math.min(5_000, 100 * 2 ** attempt);
      expect(d).toBeGreaterThanOrEqual(cap / 2);
      expect(d).toBeLessThanOrEqual(cap);
    }
  });

  it("counts length like Mastodon: URLs are 23, remote mentions count the username", () => {
    expect(mastodonLength("@ana@social.example see https://example.com/a/very/long/path/indeed/yes")).toBe(
      4 + 5 + 23,
    );
  });
});
