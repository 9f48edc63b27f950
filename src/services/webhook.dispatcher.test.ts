/**
 * Several server processes on one database: each records deliveries only for the events it produced,
 * even though the realtime bridge shows it everyone's, and the workers share the jobs — so every event
 * reaches every webhook exactly once.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { buildAgent } from "../../test/helpers/factories.ts";
import { type Receiver, startReceiver } from "../../test/helpers/webhook-receiver.ts";
import { createConnectorRegistry } from "../channels/registry.ts";
import { createWorker } from "../jobs/index.ts";
import type { Worker } from "../jobs/worker.ts";
import { type Database, openDatabase } from "../store/db.ts";
import { webhookRepository } from "../store/webhook.repository.ts";
import { createServices, type Services } from "./container.ts";
import type { RapportEvent } from "./events.ts";
import { SecretBox } from "./secrets.ts";
import { WebhookDispatcher } from "./webhook.dispatcher.ts";
import { WebhookService } from "./webhook.service.ts";

const box = new SecretBox(Buffer.alloc(32, 6));

interface Process {
  database: Database;
  services: Services;
  dispatcher: WebhookDispatcher;
  worker: Worker;
  remote: RapportEvent[];
}

describeEachEngine("webhook deliveries across processes", (ctx) => {
  const processes: Process[] = [];
  let receiver: Receiver;
  let second: Database | undefined;

  beforeAll(async () => {
    // PostgreSQL: a second connection pool, as a second process would have; PGlite is one process.
    second = ctx.engine === "postgres" ? await openDatabase({ url: ctx.url, poolSize: 4 }) : undefined;
    for (const database of [ctx.database, second ?? ctx.database]) {
      const services = createServices(database);
      await services.realtime.start();
      const dispatcher = new WebhookDispatcher({ database, events: services.events, publicUrl: "http://r" });
      dispatcher.start();
      const worker = createWorker(
        { database, events: services.events, connectors: createConnectorRegistry(), secrets: box },
        { concurrency: 3, pollIntervalMs: 100 },
      );
      const remote: RapportEvent[] = [];
      // What the bridge relays from the other process (the dispatcher must not record these).
      services.realtime.subscribe((e) => remote.push(e));
      processes.push({ database, services, dispatcher, worker, remote });
    }
    receiver = await startReceiver();
    const { secret } = await new WebhookService({ database: ctx.database, secrets: box }).create(
      {
        name: "everything",
        url: `${receiver.url}/all`,
        events: ["message.created", "message.updated", "conversation.created", "conversation.updated"],
      },
      { kind: "token", id: null },
    );
    receiver.secret = secret;
    for (const p of processes) await p.worker.start();
  });
  afterAll(async () => {
    for (const p of processes) {
      await p.worker.stop();
      await p.dispatcher.stop();
      await p.services.realtime.stop();
    }
    await receiver?.close();
    await second?.close();
  });

  it("delivers each event once per webhook, whichever process produced or delivers it", async () => {
    const [a, b] = processes as [Process, Process];
    const batch = (prefix: string) =>
      Array.from({ length: 15 }, (_, i) => ({
        source: "api",
        format: "canonical",
        payload: {
          channel: "multi",
          externalId: `${prefix}-${i}`,
          direction: "in",
          author: { externalId: `${prefix}-author-${i % 5}`, handle: `p${i % 5}` },
          text: `Message ${i} from ${prefix}: my order has not arrived.`,
          createdAt: new Date(Date.UTC(2026, 10, 20, 9, i)).toISOString(),
        },
      }));
    const [fromA, fromB] = await Promise.all([
      a.services.ingest.ingest(batch("a")),
      b.services.ingest.ingest(batch("b")),
    ]);
    expect(fromA.messages + fromB.messages).toBe(30);
    // A reply written on B (sent by whichever worker takes the job): message.created, then message.updated.
    const agent = await buildAgent(ctx.database.db, { name: "Maria" });
    const conversationId = fromA.outcomes[0]!.status === "stored" ? fromA.outcomes[0]!.conversationId : "";
    await b.services.replies.reply(
      conversationId,
      { id: agent.id, name: agent.name, signature: null },
      "We are on it.",
      {
        acknowledgeWarnings: true,
      },
    );
    await Promise.all(processes.map((p) => p.dispatcher.idle()));

    const repo = webhookRepository(ctx.database.db);
    const [webhook] = await repo.list();
    const all = async () => (await repo.deliveries(webhook!.id, { limit: 100 })).items;
    // The reply's message.updated comes when a worker has sent it, which may be after idle() above.
    await expect
      .poll(
        async () => {
          const items = await all();
          return (
            items.some((d) => d.event === "message.updated") && items.every((d) => d.status === "succeeded")
          );
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    const deliveries = await all();
    // 31 messages created, 1 updated (sent), conversations created or updated for each batch and the reply.
    expect(deliveries.filter((d) => d.event === "message.created")).toHaveLength(31);
    expect(deliveries.filter((d) => d.event === "message.updated")).toHaveLength(1);
    expect(deliveries.filter((d) => d.event === "conversation.created").length).toBeGreaterThanOrEqual(5);

    await receiver.waitForCount(() => true, deliveries.length);
    const byEvent = new Map<string, number>();
    for (const r of receiver.received) {
      const id = String(r.headers["x-rapport-event-id"]);
      byEvent.set(id, (byEvent.get(id) ?? 0) + 1);
    }
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect([...byEvent.values()].every((count) => count === 1)).toBe(true);
    expect(byEvent.size).toBe(deliveries.length);
    expect(new Set(deliveries.map((d) => d.eventId)).size).toBe(deliveries.length);
    // The bridge did relay the other process's events: they were seen, and not recorded twice.
    expect(a.remote.some((e) => e.type === "message.created")).toBe(true);
    expect(b.remote.some((e) => e.type === "message.created")).toBe(true);
  });
});
