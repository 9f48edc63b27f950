/**
 * Outbound webhooks lose no event when a process stops between committing a change and recording its
 * deliveries: the event is journaled in the change's transaction and another process records it.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { asApi, inbound } from "../../test/helpers/services.ts";
import { eventJournalRepository } from "../store/event-journal.repository.ts";
import { createServices } from "./container.ts";
import { EventBus } from "./events.ts";
import { SecretBox } from "./secrets.ts";
import { WebhookDispatcher } from "./webhook.dispatcher.ts";
import type { WebhookEventType } from "./webhook.events.ts";
import { WebhookService } from "./webhook.service.ts";

const box = new SecretBox(Buffer.alloc(32, 7));

describeEachEngine("webhook event journal", (ctx) => {
  const count = async (query: ReturnType<typeof sql>) =>
    Number((await ctx.database.rows<{ n: string | number }>(query))[0]!.n);
  const deliveries = (channel: string) =>
    count(sql`SELECT count(*) AS n FROM webhook_deliveries d
      WHERE d.body::jsonb -> 'data' -> 'conversation' -> 'channel' ->> 'key' = ${channel}`);
  const journalRows = () => count(sql`SELECT count(*) AS n FROM event_journal`);
  /** An enabled webhook for these events (nothing listens at its URL: no worker runs here); returns its remover. */
  const webhook = async (name: string, events: WebhookEventType[]) => {
    const { webhook: created } = await new WebhookService({ database: ctx.database, secrets: box }).create(
      { name, url: `https://example.com/${name}`, events },
      { kind: "token", id: null },
    );
    return () => ctx.database.db.execute(sql`DELETE FROM webhooks WHERE id = ${created.id}`);
  };

  it("journals nothing while no webhook is enabled, and deletes the row when it records deliveries", async () => {
    const services = createServices(ctx.database);
    const dispatcher = new WebhookDispatcher({
      database: ctx.database,
      events: services.events,
      publicUrl: "http://r",
    });
    dispatcher.start();
    await ctx.database.db.execute(sql`UPDATE webhooks SET enabled = false`);
    const before = await journalRows();
    await services.ingest.ingest([asApi(inbound({ channel: "journal-off" }))]);
    await dispatcher.idle();
    expect(await journalRows()).toBe(before);

    const removeHook = await webhook("journal-on", ["message.created", "conversation.created"]);
    await services.ingest.ingest([asApi(inbound({ channel: "journal-on" }))]);
    await dispatcher.idle();
    expect(await deliveries("journal-on")).toBe(2);
    expect(await journalRows()).toBe(before);
    await dispatcher.stop();
    await removeHook();
  });

  it("records the events of a process that stopped after its commit, once, from another process", async () => {
    const removeHook = await webhook("journal-crash", ["message.created", "conversation.created"]);
    // A process whose transactions journal their events, and which stops before recording them: its
    // dispatcher staged them but never heard the published events.
    const crashed = createServices(ctx.database);
    const journal = eventJournalRepository(ctx.database);
    crashed.events.setStager((tx, events) => journal.stage(tx, events));
    const before = await journalRows();
    await crashed.ingest.ingest(
      ["one", "two", "three"].map((text) =>
        asApi(inbound({ channel: "journal-crash", text: `lost ${text}` })),
      ),
    );
    expect(await deliveries("journal-crash")).toBe(0);
    expect(await journalRows()).toBe(before + 1);

    // Another process's dispatcher: a fresh row is left to its own process for a minute…
    const other = new WebhookDispatcher({
      database: ctx.database,
      events: new EventBus(),
      publicUrl: "http://r",
    });
    expect(await other.recover()).toBe(0);
    expect(await deliveries("journal-crash")).toBe(0);
    // …an old one is recorded (3 messages, 3 conversations), once, however many recover it at once.
    const third = new WebhookDispatcher({
      database: ctx.database,
      events: new EventBus(),
      publicUrl: "http://r",
    });
    const [x, y] = await Promise.all([other.recover(0), third.recover(0)]);
    expect(x + y).toBe(6);
    expect(await deliveries("journal-crash")).toBe(6);
    expect(await journalRows()).toBe(before);
    expect(await other.recover(0)).toBe(0);
    await removeHook();
  });

  it("records a journaled event once when its own process and a sweep race for it", async () => {
    const removeHook = await webhook("journal-race", ["message.created"]);
    const services = createServices(ctx.database);
    const slow = new WebhookDispatcher({
      database: ctx.database,
      events: services.events,
      publicUrl: "http://r",
    });
    const journal = eventJournalRepository(ctx.database);
    services.events.setStager((tx, events) => journal.stage(tx, events));
    let staged: number | null = null;
    const off = services.events.subscribe((_e, id) => {
      staged = id;
    });
    const stored = await services.ingest.ingest([asApi(inbound({ channel: "journal-race" }))]);
    off();
    expect(staged).not.toBeNull();
    const { messageId, conversationId } = stored.outcomes[0] as { messageId: string; conversationId: string };
    const event = { type: "message.created" as const, messageId, conversationId, journal: staged! };
    const sweep = new WebhookDispatcher({
      database: ctx.database,
      events: new EventBus(),
      publicUrl: "http://r",
    });
    const [own, swept] = await Promise.all([slow.record([event], [staged!]), sweep.recover(0)]);
    expect(own + swept).toBe(1);
    expect(await deliveries("journal-race")).toBe(1);
    await removeHook();
  });
});
