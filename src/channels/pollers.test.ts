/**
 * Several `rapport serve` processes on one database: each channel is polled by one of them (the holder
 * of its lease), and another takes over when the holder stops or dies.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { SecretBox } from "../services/secrets.ts";
import { channelRepository } from "../store/channel.repository.ts";
import type { Connector } from "./connector.ts";
import { MASTODON_LIVE_DEMO_KEY, skipLiveDemoChannel } from "./demo/live-demo.keys.ts";
import { ChannelPollers } from "./pollers.ts";
import { ConnectorRegistry } from "./registry.ts";

/** A connector whose loop does nothing until it is stopped, counting the loops running per channel. */
function idleConnector(running: Map<string, number>): Connector {
  return {
    kind: "lease-test",
    capabilities: {
      publicReplies: true,
      privateMessages: false,
      attachments: false,
      edits: false,
      deletes: false,
    },
    send: async () => ({ externalId: "x" }),
    poll: async (ctx) => {
      running.set(ctx.channel.id, (running.get(ctx.channel.id) ?? 0) + 1);
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener("abort", () => resolve(), { once: true }),
      );
      running.set(ctx.channel.id, running.get(ctx.channel.id)! - 1);
    },
  };
}

describeEachEngine("channel pollers across processes", (ctx) => {
  const box = new SecretBox(Buffer.alloc(32, 5));
  const log = { info() {}, warn() {} };

  it("polls each channel from one process only, and hands it over when that process stops or dies", async () => {
    const running = new Map<string, number>();
    const connectors = new ConnectorRegistry([idleConnector(running)]);
    const repo = channelRepository(ctx.database.db);
    const ids: string[] = [];
    for (const key of ["lease-a", "lease-b", "lease-c"]) {
      const row = await repo.create({
        key,
        kind: "lease-test",
        platform: "lease-test",
        name: key,
        config: {},
        secrets: box.seal({ token: "t" }),
      });
      ids.push(row!.id);
    }
    const ingest = { ingest: async () => ({}) as never };
    const one = new ChannelPollers({ database: ctx.database, connectors, secrets: box, log, ingest });
    const two = new ChannelPollers({ database: ctx.database, connectors, secrets: box, log, ingest });
    const three = new ChannelPollers({ database: ctx.database, connectors, secrets: box, log, ingest });
    const sync = { syncMs: 100, leaseMs: 600 };
    try {
      expect(await one.start(sync)).toBe(3);
      expect(await two.start(sync)).toBe(0);
      // Re-syncs renew the holder's leases; the other process never starts a second loop.
      await new Promise((resolve) => setTimeout(resolve, 900));
      for (const id of ids) {
        expect(one.isRunning(id)).toBe(true);
        expect(two.isRunning(id)).toBe(false);
        expect(running.get(id)).toBe(1);
      }
      const leases = await ctx.database.rows<{ holder: string }>(sql`SELECT holder FROM poll_leases`);
      expect(leases.map((l) => l.holder)).toEqual([one.holder, one.holder, one.holder]);

      // A clean stop releases the leases: the other process takes over at its next sync.
      await one.stop();
      await expect
        .poll(() => ids.every((id) => two.isRunning(id)), { timeout: 5000, interval: 50 })
        .toBe(true);
      for (const id of ids) expect(running.get(id)).toBe(1);

      // A process that dies releases nothing: its leases lapse, then another process takes over.
      const died = (two as unknown as { timer: ReturnType<typeof setInterval> }).timer;
      clearInterval(died); // it no longer renews, as if it were gone
      await three.start(sync);
      expect(ids.some((id) => three.isRunning(id))).toBe(false);
      await expect
        .poll(() => ids.every((id) => three.isRunning(id)), { timeout: 5000, interval: 50 })
        .toBe(true);
    } finally {
      await Promise.all([one.stop(), two.stop(), three.stop()]);
    }
    expect(await ctx.database.rows(sql`SELECT * FROM poll_leases`)).toEqual([]);
  });

  it("does not take a paused channel, and releases a channel when it is paused", async () => {
    const connectors = new ConnectorRegistry([idleConnector(new Map())]);
    const repo = channelRepository(ctx.database.db);
    const row = (await repo.create({
      key: "lease-paused",
      kind: "lease-test",
      platform: "lease-test",
      name: "paused",
      config: {},
      secrets: box.seal({ token: "t" }),
    }))!;
    const ingest = { ingest: async () => ({}) as never };
    const pollers = new ChannelPollers({ database: ctx.database, connectors, secrets: box, log, ingest });
    try {
      await pollers.start({ syncMs: 60_000 });
      expect(pollers.isRunning(row.id)).toBe(true);
      const lease = sql`SELECT holder FROM poll_leases WHERE channel_id = ${row.id}`;
      expect(await ctx.database.rows(lease)).toHaveLength(1);
      await ctx.database.rows(
        sql`UPDATE channels SET paused_at = now(), updated_at = now() WHERE id = ${row.id}`,
      );
      const [paused] = await repo.list().then((all) => all.filter((c) => c.id === row.id));
      await pollers.restartChannel(paused!);
      expect(pollers.isRunning(row.id)).toBe(false);
      expect(await ctx.database.rows(lease)).toHaveLength(0);
    } finally {
      await pollers.stop();
    }
  });

  it("leaves the live demo channels alone outside demo mode, saying so once", async () => {
    const connector = { ...idleConnector(new Map()), kind: "skip-test" };
    const connectors = new ConnectorRegistry([connector]);
    const repo = channelRepository(ctx.database.db);
    const [demo, other] = await Promise.all(
      [MASTODON_LIVE_DEMO_KEY, "skip-other"].map(
        async (key) =>
          (await repo.create({
            key,
            kind: "skip-test",
            platform: "skip-test",
            name: key,
            config: {},
            secrets: box.seal({ token: "t" }),
          }))!,
      ),
    );
    const infos: string[] = [];
    const deps = {
      database: ctx.database,
      connectors,
      secrets: box,
      log: { info: (message: string) => infos.push(message), warn() {} },
      ingest: { ingest: async () => ({}) as never },
    };
    const serve = new ChannelPollers({ ...deps, skip: skipLiveDemoChannel });
    try {
      expect(await serve.start({ syncMs: 60_000 })).toBe(1);
      await serve.sync();
      expect(serve.isRunning(other!.id)).toBe(true);
      expect(serve.isRunning(demo!.id)).toBe(false);
      expect(infos.filter((m) => m.includes(MASTODON_LIVE_DEMO_KEY))).toEqual([
        `[${MASTODON_LIVE_DEMO_KEY}] not polled: a live demo channel, whose simulator runs only with \`rapport serve --demo\``,
      ]);
      const lease = sql`SELECT holder FROM poll_leases WHERE channel_id = ${demo!.id}`;
      expect(await ctx.database.rows(lease)).toHaveLength(0);
    } finally {
      await serve.stop();
    }
    // In demo mode (no skip) the same channel is polled.
    const demoMode = new ChannelPollers(deps);
    try {
      await demoMode.start({ syncMs: 60_000 });
      expect(demoMode.isRunning(demo!.id)).toBe(true);
    } finally {
      await demoMode.stop();
    }
  });

  /** A channel whose loops never heed their abort (e.g. a request without a signal), and pollers for it. */
  const stuckChannel = async (kind: string, options: { stopTimeoutMs?: number } = {}) => {
    const releases: Array<() => void> = [];
    const stuck: Connector = {
      ...idleConnector(new Map()),
      kind,
      poll: () =>
        new Promise<void>((resolve) => {
          releases.push(resolve);
        }),
    };
    const row = (await channelRepository(ctx.database.db).create({
      key: `lease-${kind}`,
      kind,
      platform: kind,
      name: "stuck",
      config: {},
      secrets: box.seal({ token: "t" }),
    }))!;
    const warnings: string[] = [];
    const pollers = new ChannelPollers(
      {
        database: ctx.database,
        connectors: new ConnectorRegistry([stuck]),
        secrets: box,
        log: { info() {}, warn: (message) => warnings.push(message) },
        ingest: { ingest: async () => ({}) as never },
      },
      options,
    );
    return { row, releases, warnings, pollers };
  };

  it("stops within its timeout when a loop ignores the abort, naming the channel, and frees its lease", async () => {
    const { row, releases, warnings, pollers } = await stuckChannel("stuck-test");
    await pollers.start({ syncMs: 60_000 });
    expect(pollers.isRunning(row.id)).toBe(true);
    const started = Date.now();
    await pollers.stop(300);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(warnings.join("\n")).toContain(`Stopped waiting for 1 channel loop(s) after 0.3 s: ${row.id}`);
    const lease = sql`SELECT holder FROM poll_leases WHERE channel_id = ${row.id}`;
    expect(await ctx.database.rows(lease)).toHaveLength(0);
    for (const release of releases) release();
  });

  it("restarts a channel whose old loop ignores the abort within its timeout, and runs the new loop", async () => {
    const { row, releases, warnings, pollers } = await stuckChannel("stuck-restart-test", {
      stopTimeoutMs: 300,
    });
    const repo = channelRepository(ctx.database.db);
    try {
      await pollers.start({ syncMs: 60_000 });
      expect(releases).toHaveLength(1);
      await ctx.database.rows(
        sql`UPDATE channels SET name = 'renamed', updated_at = now() WHERE id = ${row.id}`,
      );
      const [changed] = await repo.list().then((all) => all.filter((c) => c.id === row.id));
      const started = Date.now();
      await pollers.restartChannel(changed!);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(warnings.join("\n")).toContain(
        `Channel ${row.id}: its loop has not ended 0.3 s after being stopped`,
      );
      // The new loop runs with the new settings; the old one is left to end on its own.
      expect(releases).toHaveLength(2);
      expect(pollers.isRunning(row.id)).toBe(true);
      releases[0]!();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(pollers.isRunning(row.id)).toBe(true);
    } finally {
      const stopping = pollers.stop();
      for (const release of releases) release();
      await stopping;
    }
  });
});
