import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { asApi, inbound } from "../../test/helpers/services.ts";
import { NO_CAPABILITIES } from "../channels/connector.ts";
import { ConnectorRegistry } from "../channels/registry.ts";
import { testConnector } from "../channels/test/test.connector.ts";
import { SendError } from "../core/outbound.ts";
import { createServices, type Services } from "../services/container.ts";
import { ReplyService, SEND_QUEUE } from "../services/reply.service.ts";
import { jobRepository } from "../store/job.repository.ts";
import { createWorker } from "./index.ts";
import { backoffDelay } from "./worker.ts";

describe("backoffDelay", () => {
  it("doubles from 5 s with jitter on top, capped", () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, {}, () => 0))).toEqual([5000, 10000, 20000, 40000]);
    expect(backoffDelay(1, {}, () => 1)).toBe(6000);
    expect(backoffDelay(30, { maxMs: 60_000 }, () => 0)).toBe(60_000);
  });
});

describeEachEngine("the outbox and the send worker", (ctx) => {
  let services: Services;
  let agent: { id: string; name: string; signature: string | null };

  async function conversation(kind: string): Promise<string> {
    const channel = `outbox-${kind}-${Math.random().toString(36).slice(2, 8)}`;
    const summary = await services.ingest.ingest([
      asApi(inbound({ channel, author: { externalId: `p-${channel}`, displayName: "Maria Lopez" } })),
    ]);
    await ctx.database.db.execute(sql`UPDATE channels SET kind = ${kind} WHERE key = ${channel}`);
    return (summary.outcomes[0] as { conversationId: string }).conversationId;
  }
  const message = async (id: string) =>
    (
      await ctx.database.rows<{
        delivery_status: string;
        delivery_error: string | null;
        external_id: string;
        text: string;
        visibility: string;
      }>(
        sql`SELECT delivery_status, delivery_error, external_id, text, visibility FROM messages WHERE id = ${id}`,
      )
    )[0]!;

  it("writes the pending message and its job in one transaction, signed by the agent", async () => {
    services = createServices(ctx.database);
    const created = await agentWithToken(ctx.database, `outbox-${ctx.engine}@example.com`);
    agent = { id: created.agent.id, name: "Sam Rivera", signature: null };
    const id = await conversation("test");
    const { messageId, findings } = await services.replies.reply(id, agent, "Hi Maria, it ships today.");
    expect(findings).toEqual([]);
    expect(await message(messageId)).toMatchObject({
      delivery_status: "pending",
      text: "Hi Maria, it ships today.\n\n— Sam",
      visibility: "public",
    });
    const jobs = await jobRepository(ctx.database.db).findBy(SEND_QUEUE, "messageId", messageId);
    expect(jobs).toMatchObject([{ status: "queued", attempts: 0 }]);
    const [conv] = await ctx.database.rows<{ awaiting_reply: boolean; first_human_response_at: Date | null }>(
      sql`SELECT awaiting_reply, first_human_response_at FROM conversations WHERE id = ${id}`,
    );
    expect(conv).toMatchObject({ awaiting_reply: false });
    expect(conv!.first_human_response_at).not.toBeNull();

    // A failure inside the transaction leaves neither the message nor the job.
    const failing = new ReplyService({
      database: ctx.database,
      events: services.events,
      guard: services.guard,
      afterWrite: [
        async () => {
          throw new Error("boom");
        },
      ],
    });
    const before = await ctx.database.rows<{ m: number; j: number }>(
      sql`SELECT (SELECT count(*)::int FROM messages) AS m, (SELECT count(*)::int FROM jobs) AS j`,
    );
    await expect(failing.reply(id, agent, "Hi Maria, again.")).rejects.toThrow("boom");
    const after = await ctx.database.rows<{ m: number; j: number }>(
      sql`SELECT (SELECT count(*)::int FROM messages) AS m, (SELECT count(*)::int FROM jobs) AS j`,
    );
    expect(after).toEqual(before);
  });

  it("the guard sees the same text sent to three different people (duplicate)", async () => {
    const text = "Thanks, this is fixed now and your account works again.";
    const [a, b, c] = [await conversation("test"), await conversation("test"), await conversation("test")];
    expect((await services.replies.reply(a, agent, text)).findings).toEqual([]);
    expect((await services.replies.reply(b, agent, `${text}  `)).findings).toEqual([]);
    const third = await services.replies
      .reply(c, agent, text)
      .catch((e: { code: string; details: unknown }) => e);
    expect(third).toMatchObject({ code: "guard_warnings", details: { findings: [{ rule: "duplicate" }] } });
    // The same person again is not a new recipient.
    expect((await services.replies.reply(a, agent, text)).findings).toEqual([]);
  });

  it("sends through the channel's connector and marks the message sent with the platform id", async () => {
    const events: string[] = [];
    services.events.subscribe((e) => events.push(e.type));
    const test = testConnector();
    const worker = createWorker(
      { database: ctx.database, events: services.events, connectors: new ConnectorRegistry([test]) },
      { concurrency: 1 },
    );
    const id = await conversation("test");
    const { messageId } = await services.replies.reply(id, agent, "Hi Maria, done.");
    await worker.drain();
    const sent = await message(messageId);
    expect(sent.delivery_status).toBe("sent");
    expect(sent.external_id).toMatch(/^test:/);
    expect(test.sent).toContain(messageId);
    expect(events).toContain("message.updated");

    // The test platform refuses "[fail]" for good: failed, with its message, and no automatic retry.
    const refused = await services.replies.reply(id, agent, "Hi Maria, [fail] this one.");
    await worker.drain();
    expect(await message(refused.messageId)).toMatchObject({
      delivery_status: "failed",
      delivery_error: expect.stringContaining("Test platform error 403"),
    });
    const [job] = await jobRepository(ctx.database.db).findBy(SEND_QUEUE, "messageId", refused.messageId);
    expect(job!.status).toBe("dead");

    // A kind without a connector fails visibly.
    const orphan = await conversation("carrier-pigeon");
    const lost = await services.replies.reply(orphan, agent, "Hi Maria, by pigeon.");
    await worker.drain();
    expect((await message(lost.messageId)).delivery_error).toContain(
      'No connector for kind "carrier-pigeon"',
    );
  });

  it("retries a failure with exponential backoff, and a manual retry sends it", async () => {
    let fail = true;
    const flaky = {
      kind: "flaky",
      capabilities: NO_CAPABILITIES,
      async send() {
        if (fail) throw new SendError("Flaky platform: 503 Service Unavailable");
        return { externalId: `flaky:${Math.random()}` };
      },
    };
    let now = new Date("2030-01-01T00:00:00Z");
    const worker = createWorker(
      { database: ctx.database, events: services.events, connectors: new ConnectorRegistry([flaky]) },
      { concurrency: 1, now: () => now, random: () => 0 },
    );
    const id = await conversation("flaky");
    const { messageId } = await services.replies.reply(id, agent, "Hi Maria, flaky.");
    const jobs = jobRepository(ctx.database.db);
    const [queued] = await jobs.findBy(SEND_QUEUE, "messageId", messageId);
    await ctx.database.db.execute(sql`UPDATE jobs SET max_attempts = 3 WHERE id = ${queued!.id}`);

    await worker.drain();
    expect(await message(messageId)).toMatchObject({
      delivery_status: "failed",
      delivery_error: "Flaky platform: 503 Service Unavailable",
    });
    let job = (await jobs.find(queued!.id))!;
    expect(job).toMatchObject({ status: "queued", attempts: 1 });
    expect(job.runAt.getTime() - now.getTime()).toBe(5000);

    // Make it due (the worker's clock is fake; the database's is not) and fail again: 10 s.
    await ctx.database.db.execute(sql`UPDATE jobs SET run_at = now() WHERE id = ${queued!.id}`);
    now = new Date("2030-01-01T01:00:00Z");
    await worker.drain();
    job = (await jobs.find(queued!.id))!;
    expect(job).toMatchObject({ status: "queued", attempts: 2 });
    expect(job.runAt.getTime() - now.getTime()).toBe(10000);

    await ctx.database.db.execute(sql`UPDATE jobs SET run_at = now() WHERE id = ${queued!.id}`);
    await worker.drain();
    expect((await jobs.find(queued!.id))!.status).toBe("dead");

    // A person retries once the platform is back.
    fail = false;
    await services.replies.retry(messageId, { kind: "agent", id: agent.id });
    expect((await message(messageId)).delivery_status).toBe("pending");
    await worker.drain();
    expect(await message(messageId)).toMatchObject({ delivery_status: "sent", delivery_error: null });
    await expect(services.replies.retry(messageId, { kind: "agent", id: agent.id })).rejects.toThrow(
      "Only a reply whose delivery failed",
    );
  });

  it("never sends one job twice when two workers run at once (SKIP LOCKED)", async () => {
    const sends: string[] = [];
    const slow = {
      kind: "slow",
      capabilities: NO_CAPABILITIES,
      async send(input: { message: { id: string } }) {
        sends.push(input.message.id);
        await new Promise((r) => setTimeout(r, 5));
        return { externalId: `slow:${input.message.id}` };
      },
    };
    const connectors = new ConnectorRegistry([slow]);
    const id = await conversation("slow");
    const ids: string[] = [];
    for (let i = 0; i < 12; i++)
      ids.push((await services.replies.reply(id, agent, `Hi Maria, part ${i}.`)).messageId);
    const a = createWorker(
      { database: ctx.database, events: services.events, connectors },
      { concurrency: 3 },
    );
    const b = createWorker(
      { database: ctx.database, events: services.events, connectors },
      { concurrency: 3 },
    );
    const [ranA, ranB] = await Promise.all([a.drain(), b.drain()]);
    expect(ranA + ranB).toBe(12);
    expect(sends.sort()).toEqual([...ids].sort());
  });

  it("wakes on NOTIFY when started", async () => {
    const test = testConnector();
    const worker = createWorker(
      { database: ctx.database, events: services.events, connectors: new ConnectorRegistry([test]) },
      { pollIntervalMs: 60_000 },
    );
    await worker.start();
    try {
      const id = await conversation("test");
      const { messageId } = await services.replies.reply(id, agent, "Hi Maria, quick.");
      await expect
        .poll(async () => (await message(messageId)).delivery_status, { timeout: 3000 })
        .toBe("sent");
    } finally {
      await worker.stop();
    }
  });
});
