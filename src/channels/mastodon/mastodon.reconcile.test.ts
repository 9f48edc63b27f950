/** Re-checking recent posts after a gap (mastodon.reconcile.ts), against a scripted REST client. */
import { describe, expect, it } from "vitest";
import type { RecentInbound } from "../connector.ts";
import { MastodonClient } from "./mastodon.api.ts";
import { parseMastodon } from "./mastodon.inbound.ts";
import {
  type Finding,
  markGap,
  type ReconcileDeps,
  type ReconcileState,
  reconcile,
} from "./mastodon.reconcile.ts";
import { envelope, RECEIVED_AT } from "./mastodon.test-support.ts";

const T0 = Date.parse("2026-11-20T09:00:00Z");
const post = (id: string, minutes: number, editedAt: string | null = null): RecentInbound => ({
  externalId: id,
  receivedAt: new Date(T0 + minutes * 60_000),
  editedAt: editedAt ? new Date(editedAt) : null,
});
const status = (id: string, editedAt: string | null = null) => ({
  id,
  created_at: "2026-11-20T08:59:00.000Z",
  edited_at: editedAt,
  content: "<p>hello</p>",
  account: { id: "7", acct: "ana" },
});

/** A pass over `posts` against answers by status id (a function: thrown errors are network failures). */
function harness(
  posts: RecentInbound[],
  answer: (id: string) => Response,
  options: { remaining?: number; resetAt?: number } = {},
) {
  const requested: string[] = [];
  const ingested: Finding[][] = [];
  const saved: Array<ReconcileState | undefined> = [];
  const warnings: string[] = [];
  const client = new MastodonClient({
    instanceUrl: "https://mastodon.example",
    accessToken: "t",
    retries: 0,
    backoff: { baseMs: 1, maxMs: 2 },
    fetch: (async (url: URL) => {
      const id = url.pathname.split("/").pop()!;
      requested.push(id);
      return answer(id);
    }) as typeof fetch,
  });
  if (options.remaining !== undefined)
    client.rate = { remaining: options.remaining, resetAt: options.resetAt ?? null };
  const deps: ReconcileDeps = {
    client,
    recent: async ({ since, limit }) => posts.filter((p) => p.receivedAt >= since).slice(-limit),
    ingest: async (findings) => void ingested.push(findings),
    save: async (state) => void saved.push(state),
    log: { info: () => {}, warn: (m) => warnings.push(m) },
    signal: new AbortController().signal,
  };
  const run = (state: ReconcileState = { since: new Date(T0).toISOString() }) =>
    reconcile(state, deps, { chunk: 2 });
  return { run, deps, requested, ingested, saved, warnings };
}

const ok = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
const notFound = () => new Response(JSON.stringify({ error: "Record not found" }), { status: 404 });

describe("re-checking recent posts after a gap", () => {
  it("with nothing to check, makes no request and ends the pass", async () => {
    const h = harness([], () => {
      throw new Error("no request expected");
    });
    expect(await h.run()).toEqual({ done: true, checked: 0, found: 0 });
    expect(h.requested).toEqual([]);
    expect(h.saved).toEqual([undefined]);
  });

  it("a 404 is a deletion, a newer edited_at an edit; unchanged posts give nothing", async () => {
    const posts = [post("103", 3, "2026-11-20T09:10:00Z"), post("101", 1), post("102", 2)];
    const h = harness(posts, (id) =>
      id === "101"
        ? notFound()
        : id === "102"
          ? ok(status("102", "2026-11-20T09:30:00Z"))
          : ok(status("103", "2026-11-20T09:10:00.000Z")),
    );
    expect(await h.run()).toEqual({ done: true, checked: 3, found: 2 });
    expect(h.requested).toEqual(["101", "102", "103"]); // oldest first
    const found = h.ingested.flat();
    expect(found.map((f) => f.source)).toEqual(["gone", "status"]);
    // The pipeline reads them as the stream's delete and status.update would be read.
    expect(parseMastodon(envelope("c", "gone", found[0]!.data))).toMatchObject({
      ok: true,
      change: { externalId: "101", change: "delete", at: RECEIVED_AT },
    });
    expect(parseMastodon(envelope("c", "status", found[1]!.data))).toMatchObject({
      ok: true,
      change: { externalId: "102", change: "edit", at: "2026-11-20T09:30:00.000Z" },
    });
    expect(h.saved.at(-1)).toBeUndefined();
  });

  it("a 5xx or a timeout ends the pass after storing what it found; the next pass resumes after it", async () => {
    let down = true;
    const h = harness([post("101", 1), post("102", 2), post("103", 3)], (id) => {
      if (id === "102" && down) throw Object.assign(new Error("timed out"), { name: "TimeoutError" });
      if (id === "103" && down) return new Response("Bad gateway", { status: 502 });
      return notFound();
    });
    await expect(h.run()).rejects.toThrow(/timed out/);
    expect(h.ingested.flat().map((f) => (f.data as { id: string }).id)).toEqual(["101"]);
    const progress = h.saved.at(-1)!;
    expect(progress.after).toEqual({ at: new Date(T0 + 60_000).toISOString(), id: "101" });
    down = false;
    h.requested.length = 0;
    expect(await h.run(progress)).toMatchObject({ done: true, checked: 2, found: 2 });
    expect(h.requested).toEqual(["102", "103"]);
  });

  it("when storing what it found fails, progress does not move past it", async () => {
    const h = harness([post("101", 1), post("102", 2)], notFound);
    const failing = async () => {
      throw new Error("database down");
    };
    await expect(
      reconcile({ since: new Date(T0).toISOString() }, { ...h.deps, ingest: failing }, { chunk: 2 }),
    ).rejects.toThrow(/database down/);
    expect(h.saved).toEqual([]);
  });

  it("a 429 beyond the client's waits ends the pass, to be retried", async () => {
    const h = harness(
      [post("101", 1)],
      () => new Response("{}", { status: 429, headers: { "retry-after": "0" } }),
    );
    await expect(h.run()).rejects.toMatchObject({ status: 429 });
    expect(h.ingested).toEqual([]);
  });

  it("pauses before the account's rate-limit reserve, until the window resets", async () => {
    const resetAt = Date.now() + 60_000;
    const h = harness([post("101", 1)], notFound, { remaining: 99, resetAt });
    expect(await h.run()).toEqual({ done: false, checked: 0, found: 0, resumeAt: resetAt });
    expect(h.requested).toEqual([]);
  });

  it("skips answers that are not the status (not JSON, another object) and goes on", async () => {
    const h = harness([post("101", 1), post("102", 2), post("103", 3), post("104", 4)], (id) =>
      id === "101"
        ? new Response("<html>maintenance</html>", { status: 200 })
        : id === "102"
          ? ok({ id: "999" })
          : id === "103"
            ? new Response(JSON.stringify({ error: "bad" }), { status: 422 })
            : notFound(),
    );
    expect(await h.run()).toEqual({ done: true, checked: 4, found: 1 });
    expect(h.warnings).toHaveLength(3);
  });

  it("a 401 or 403 ends the pass (the token, not the post), nothing marked", async () => {
    const h = harness([post("101", 1)], () => new Response("{}", { status: 403 }));
    await expect(h.run()).rejects.toMatchObject({ status: 403 });
    expect(h.ingested).toEqual([]);
  });

  it("a gone payload that is not a 404/410, or is undated, is a dead letter, not a guess", () => {
    const gone = { id: "101", status: 404, error: "Mastodon 404: Record not found" };
    expect(parseMastodon(envelope("c", "gone", { ...gone, status: 500 }))).toMatchObject({ ok: false });
    expect(parseMastodon(envelope("c", "gone", gone, { receivedAt: undefined }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no received time/),
    });
  });

  it("a new gap widens a pending pass to the earliest window and starts it over", () => {
    const day = 24 * 3600_000;
    const first = markGap(undefined, T0, day);
    expect(first).toEqual({ since: new Date(T0 - day).toISOString() });
    expect(markGap({ ...first, after: { at: "x", id: "1" } }, T0 + 3600_000, day)).toEqual(first);
    expect(markGap(first, T0 - 3600_000, day).since).toBe(new Date(T0 - day - 3600_000).toISOString());
  });
});
