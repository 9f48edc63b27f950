/** The live Bluesky demo: mentions and DMs from the simulator reach the inbox, and a reply goes out. */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "../../../test/helpers/factories.ts";
import { createWorker } from "../../jobs/index.ts";
import { createServices, type Services } from "../../services/container.ts";
import { SecretBox } from "../../services/secrets.ts";
import { type Database, openDatabase } from "../../store/db.ts";
import { BLUESKY_LIVE_DEMO_KEY } from "../demo/live-demo.keys.ts";
import { ChannelPollers } from "../pollers.ts";
import { ConnectorRegistry } from "../registry.ts";
import { blueskyConnector } from "./bluesky.connector.ts";
import { type BlueskyDemo, startBlueskyDemo } from "./bluesky.demo.ts";

describe("the live Bluesky demo", () => {
  let database: Database;
  let services: Services;
  let demo: BlueskyDemo;
  let pollers: ChannelPollers;
  const box = new SecretBox(Buffer.alloc(32, 4));
  const connectors = new ConnectorRegistry([blueskyConnector({ pollMs: 200 })]);
  const log = { info() {}, warn() {} };

  beforeAll(async () => {
    database = await openDatabase({ url: "memory://" });
    services = createServices(database);
    connectors.registerFormats(services.normalizers);
    demo = await startBlueskyDemo({ database, secrets: box, log }, { intervalMs: 150 });
    pollers = new ChannelPollers({ database, connectors, secrets: box, log, ingest: services.ingest });
    expect(await pollers.start()).toBe(1);
  });
  afterAll(async () => {
    await pollers?.stop();
    await demo?.stop();
    await database?.close();
  });

  it("brings mentions and DMs into the inbox and sends the agents' replies", async () => {
    const inbox = () =>
      database.rows<{ visibility: string; conversation_id: string }>(sql`
        SELECT m.visibility, m.conversation_id FROM messages m JOIN channels c ON c.id = m.channel_id
        WHERE c.key = ${BLUESKY_LIVE_DEMO_KEY} AND m.direction = 'in'`);
    await expect
      .poll(async () => new Set((await inbox()).map((m) => m.visibility)).size, {
        timeout: 30_000,
        interval: 200,
      })
      .toBe(2);
    const publicOne = (await inbox()).find((m) => m.visibility === "public")!;
    const agent = await buildAgent(database.db, { name: "Kenji Watanabe" });
    const { messageId } = await services.replies.reply(
      publicOne.conversation_id,
      { id: agent.id, name: agent.name, signature: null },
      "Sorry about that! We are looking into it now.",
      { acknowledgeWarnings: true },
    );
    await createWorker(
      { database, events: services.events, connectors, secrets: box },
      { concurrency: 1 },
    ).drain();
    const [sent] = await database.rows<{ delivery_status: string; external_id: string }>(
      sql`SELECT delivery_status, external_id FROM messages WHERE id = ${messageId}`,
    );
    expect(sent!.delivery_status).toBe("sent");
    expect(demo.simulator.record(sent!.external_id)?.value.text).toMatch(/^Sorry about that!/);
  });
});
