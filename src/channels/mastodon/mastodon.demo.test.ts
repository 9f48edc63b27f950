/** The live Mastodon demo: mentions arrive through the real connector, replies show on the simulator. */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "../../../test/helpers/factories.ts";
import { createWorker } from "../../jobs/index.ts";
import { createServices, type Services } from "../../services/container.ts";
import { SecretBox } from "../../services/secrets.ts";
import { channelRepository } from "../../store/channel.repository.ts";
import { type Database, openDatabase } from "../../store/db.ts";
import { teamRepository } from "../../store/team.repository.ts";
import { MASTODON_LIVE_DEMO_KEY } from "../demo/live-demo.keys.ts";
import { ChannelPollers } from "../pollers.ts";
import { ConnectorRegistry } from "../registry.ts";
import { mastodonConnector } from "./mastodon.connector.ts";
import { type MastodonDemo, startMastodonDemo } from "./mastodon.demo.ts";
import { MastodonSimulator } from "./mastodon.simulator.ts";

describe("the live Mastodon demo", () => {
  let database: Database;
  let services: Services;
  let demo: MastodonDemo;
  let pollers: ChannelPollers;
  let teamId: string;
  const box = new SecretBox(Buffer.alloc(32, 6));
  const connectors = new ConnectorRegistry([mastodonConnector()]);
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
  const WAIT = { timeout: 45_000, interval: 100 };

  beforeAll(async () => {
    database = await openDatabase({ url: "memory://" });
    services = createServices(database);
    connectors.registerFormats(services.normalizers);
    // As in `serve --demo`: the seeded workspace's Mastodon channel and its team exist first.
    teamId = await teamRepository(database.db).create({
      name: "Care team",
      assignmentMode: "least_loaded",
      offlineGraceMinutes: 15,
    });
    await channelRepository(database.db).ensure([
      { key: "mastodon-social", kind: "mastodon", platform: "mastodon", name: "Seeded", teamId },
    ]);
    demo = (await startMastodonDemo({
      database,
      secrets: box,
      log,
      everyMs: 2_000,
      firstMs: 50,
      thanksMs: 200,
    }))!;
    pollers = new ChannelPollers({ database, connectors, secrets: box, log, ingest: services.ingest });
    await pollers.start();
  });
  afterAll(async () => {
    await pollers?.stop();
    await demo?.stop();
    await database?.close();
  });

  const inbound = () =>
    database.rows<{
      id: string;
      conversation_id: string;
      visibility: string;
      text: string;
      external_id: string;
    }>(sql`
      SELECT m.id, m.conversation_id, m.visibility, m.text, m.external_id FROM messages m
      JOIN channels c ON c.id = m.channel_id WHERE c.key = ${MASTODON_LIVE_DEMO_KEY} AND m.direction = 'in' ORDER BY m.created_at`);

  it("mentions and DMs from demo people arrive on the live demo channel", async () => {
    await expect.poll(async () => (await inbound()).length, WAIT).toBeGreaterThanOrEqual(2);
    const [first, second] = await inbound();
    expect(first).toMatchObject({ visibility: "public", text: expect.stringContaining("08:15 to Leeds") });
    expect(second).toMatchObject({ visibility: "private", text: expect.stringContaining("charged twice") });
    expect(lines.some((l) => l.includes("mentioned @northwindrail"))).toBe(true);
    expect((await channelRepository(database.db).byKey(MASTODON_LIVE_DEMO_KEY))!.teamId).toBe(teamId);
  });

  it("a reply goes out to the simulator, shows on its page, and the person thanks once in the thread", async () => {
    const [first] = await inbound();
    const agent = await buildAgent(database.db, { name: "Maria Lopez" });
    await services.replies.reply(
      first!.conversation_id,
      { id: agent.id, name: agent.name, signature: null },
      "Yes, it runs on time.",
      {
        acknowledgeWarnings: true,
      },
    );
    await createWorker(
      { database, events: services.events, connectors, secrets: box },
      { concurrency: 1 },
    ).drain();
    const ours = demo.simulator.posted().find((s) => MastodonSimulator.text(s).includes("runs on time"))!;
    expect(ours).toMatchObject({ in_reply_to_id: first!.external_id, visibility: "public" });
    const page = await (await fetch(demo.simulator.url)).text();
    expect(page).toContain("Yes, it runs on time.");
    expect(lines.some((l) => /posted \(public, in reply to @ines@social\.example\)/.test(l))).toBe(true);
    await expect
      .poll(
        async () => (await inbound()).filter((m) => m.conversation_id === first!.conversation_id).length,
        WAIT,
      )
      .toBe(2);
  });

  it("a restart reconnects the same channel to the new simulator and forgets the old cursor", async () => {
    await pollers.stop();
    await demo.stop();
    const before = await channelRepository(database.db).byKey(MASTODON_LIVE_DEMO_KEY);
    demo = (await startMastodonDemo({ database, secrets: box, log, everyMs: 60_000 }))!;
    const after = await channelRepository(database.db).byKey(MASTODON_LIVE_DEMO_KEY);
    expect(after!.id).toBe(before!.id);
    expect(after!.config).toEqual({ instanceUrl: demo.simulator.url });
    expect(after!.cursor).toBeNull();
  });

  it("without a secret key it stays off and says why", async () => {
    expect(await startMastodonDemo({ database, secrets: null, log })).toBeNull();
    expect(lines.at(-1)).toMatch(/no secret key/);
  });
});
