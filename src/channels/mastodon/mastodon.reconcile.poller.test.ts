/**
 * Edits and deletions made while no stream was connected, caught up by re-reading recent posts: the real
 * poll loop (ChannelPollers → stream, REST catch-up, reconciliation → ingest) against the simulator, on
 * both engines. The simulator's `silent` edits and deletions send no stream event, as when the stream
 * was down, so only the re-check can find them.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../../../test/helpers/engines.ts";
import type { Services } from "../../services/container.ts";
import { channelRepository } from "../../store/channel.repository.ts";
import type { MastodonCursor } from "./mastodon.poller.ts";
import { MastodonSuite, WAIT } from "./mastodon.sim-harness.ts";
import type { SimAccount, SimStatus } from "./mastodon.simulator.ts";

describeEachEngine("Mastodon: edits and deletions missed while the stream was down", (ctx) => {
  const suite = new MastodonSuite(ctx, { poll: { reconcile: { chunk: 2 } }, secretByte: 6 });
  const { sim, logs, ingested } = suite;
  let services: Services;
  let channelId: string;
  let ana: SimAccount;

  const startPollers = () => suite.start();
  const message = async (externalId: string) =>
    (
      await ctx.database.rows<{
        text: string;
        edited_at: string | null;
        deleted_at: string | null;
      }>(sql`SELECT text, edited_at::text, deleted_at::text FROM messages WHERE external_id = ${externalId}`)
    )[0];
  const arrived = (status: SimStatus) =>
    expect.poll(async () => (await message(status.id))?.text, WAIT).toBeTruthy();
  const cursor = async () =>
    (await channelRepository(ctx.database.db).get(channelId))!.cursor as MastodonCursor;
  /** Waits until no pass is pending (the cursor says the stream is live and nothing is left to re-check). */
  const passDone = () =>
    expect
      .poll(async () => {
        const c = await cursor();
        return Boolean(c?.liveAt) && c.reconcile === undefined;
      }, WAIT)
      .toBe(true);
  /**
   * Moves the cursor past what arrived over the stream (a drop makes the loop catch up over REST), so
   * the REST catch-up cannot be what finds a later edit: only the re-check can.
   */
  const caughtUp = async () => {
    sim.dropStreams();
    await expect.poll(async () => (await cursor()).notifications, WAIT).toBe(sim.notifications.at(-1)!.id);
    await passDone();
    await expect.poll(() => sim.streamCount, WAIT).toBe(1);
  };
  const reads = (from: number, id?: string) =>
    sim.requests.slice(from).filter((r) => r.startsWith(`GET /api/v1/statuses/${id ?? ""}`));
  const deletions = async (externalId: string) =>
    (
      await ctx.database.rows<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM message_changes WHERE external_id = ${externalId} AND kind = 'delete'`,
      )
    )[0]!.n;

  beforeAll(async () => {
    ({ services, channelId } = await suite.setUp());
    ana = sim.addAccount("ana", { displayName: "Ana Ruiz", followers: 120 });
  });
  afterAll(async () => {
    await suite.tearDown();
  });

  const posts: Record<string, SimStatus> = {};

  it("a start with nothing stored re-reads nothing", async () => {
    await startPollers();
    await passDone();
    expect(reads(0)).toEqual([]);
  });

  it("after a drop, a post deleted and one edited meanwhile are caught up; one still there is untouched", async () => {
    for (const name of ["deleted", "edited", "kept"])
      posts[name] = sim.post(ana, `@northwind ${name}: is the 8:15 to Leeds running?`);
    for (const s of Object.values(posts)) await arrived(s);
    await caughtUp();
    const mark = sim.requests.length;
    sim.dropStreams();
    sim.remove(posts.deleted!.id, { silent: true });
    sim.edit(posts.edited!.id, "@northwind edited: is the 8:15 to Leeds running? It's 8:40 now", {
      silent: true,
    });
    await expect.poll(async () => (await message(posts.deleted!.id))?.deleted_at, WAIT).toBeTruthy();
    await expect.poll(async () => (await message(posts.edited!.id))?.text, WAIT).toMatch(/8:40 now/);
    await passDone();
    expect((await message(posts.edited!.id))!.edited_at).toBeTruthy();
    expect(await message(posts.kept!.id)).toMatchObject({ edited_at: null, deleted_at: null });
    // All three were re-read once; only the two that changed went to the pipeline, as re-checks.
    for (const s of Object.values(posts)) expect(reads(mark, s.id)).toHaveLength(1);
    const rechecks = ingested.filter((i) => i.via === "mastodon:reconcile");
    expect(rechecks.map((i) => i.source).sort()).toEqual(["gone", "status"]);
    expect(JSON.stringify(rechecks)).not.toContain(posts.kept!.id);
  });

  it("a deletion is stored once: replayed it is a duplicate, and the next gap does not re-read it", async () => {
    const deleted = posts.deleted!.id;
    expect(await deletions(deleted)).toBe(1);
    const gone = ingested.find((i) => i.source === "gone")!;
    const again = await services.ingest.ingest([
      { source: "test", format: "mastodon", payload: gone.payload },
    ]);
    expect(again.outcomes).toEqual([{ status: "duplicate" }]);
    const mark = sim.requests.length;
    sim.dropStreams();
    await expect.poll(() => reads(mark, posts.kept!.id).length, WAIT).toBe(1);
    await passDone();
    expect(reads(mark, deleted)).toEqual([]);
    expect(await deletions(deleted)).toBe(1);
  });

  it("a 429 and 5xx during the pass are retried later; what it found before is kept", async () => {
    const [a, b] = [sim.post(ana, "@northwind first"), sim.post(ana, "@northwind second")];
    await arrived(a);
    await arrived(b);
    await caughtUp();
    sim.inject({
      method: "GET",
      path: `/api/v1/statuses/${a.id}`,
      status: 429,
      headers: { "retry-after": "1" },
      body: { error: "Too many requests" },
    });
    // More 503s than the client retries inside one request: the pass fails and is resumed.
    sim.inject({ method: "GET", path: `/api/v1/statuses/${b.id}`, status: 503, times: 4 });
    const mark = sim.requests.length;
    sim.dropStreams();
    sim.remove(a.id, { silent: true });
    sim.remove(b.id, { silent: true });
    await expect.poll(async () => (await message(b.id))?.deleted_at, WAIT).toBeTruthy();
    expect((await message(a.id))!.deleted_at).toBeTruthy();
    expect(logs.some((l) => /waiting 1\.0 s: rate limited \(429\) on GET \/api\/v1\/statuses/.test(l))).toBe(
      true,
    );
    expect(logs.some((l) => l.includes("catching up over REST failed") && l.includes("503"))).toBe(true);
    // a: the 429, then its answer; b: four 503s (one request's retries), then its answer after the pass
    // resumed — after a, so nothing checked before the failure was read again.
    expect(reads(mark, a.id)).toHaveLength(2);
    expect(reads(mark, b.id)).toHaveLength(5);
    expect(reads(mark, posts.kept!.id)).toHaveLength(1);
    expect(await deletions(a.id)).toBe(1);
  });

  it("a restart re-checks what was stored before the stop", async () => {
    const s = sim.post(ana, "@northwind before the restart");
    await arrived(s);
    await caughtUp();
    await suite.stop();
    sim.remove(s.id, { silent: true });
    await startPollers();
    await expect.poll(async () => (await message(s.id))?.deleted_at, WAIT).toBeTruthy();
  });

  it("with the stream refused, REST polling re-checks too", async () => {
    const s = sim.post(ana, "@northwind while polling");
    await arrived(s);
    await caughtUp();
    sim.streaming = false;
    sim.dropStreams();
    sim.edit(s.id, "@northwind while polling, edited", { silent: true });
    await expect.poll(async () => (await message(s.id))?.text, WAIT).toMatch(/edited/);
    expect(sim.streamCount).toBe(0);
    sim.streaming = true;
  });

  it("recentInbound lists the channel's inbound, not deleted messages received since a time, newest first", async () => {
    const channels = channelRepository(ctx.database.db);
    const all = await channels.recentInbound(channelId, new Date(Date.now() - 3600_000), 100);
    const ids = all.map((m) => m.externalId);
    expect(ids).not.toContain(posts.deleted!.id);
    expect(ids).toContain(posts.kept!.id);
    expect(all.map((m) => m.receivedAt.getTime())).toEqual(
      [...all].map((m) => m.receivedAt.getTime()).sort((x, y) => y - x),
    );
    expect(await channels.recentInbound(channelId, new Date(Date.now() - 3600_000), 2)).toEqual(
      all.slice(0, 2),
    );
    expect(await channels.recentInbound(channelId, new Date(Date.now() + 60_000), 100)).toEqual([]);
  });
});
