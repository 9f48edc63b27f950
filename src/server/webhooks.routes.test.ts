/**
 * Outbound webhooks end to end, on both engines: the real API, ingest, lifecycle and reply services,
 * the dispatcher, the job worker and a real HTTP receiver (node:http) that verifies signatures itself.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { type Received, type Receiver, startReceiver } from "../../test/helpers/webhook-receiver.ts";
import { createConnectorRegistry } from "../channels/registry.ts";
import { realMessages } from "../channels/webhook/webhook.test-support.ts";
import { createWorker } from "../jobs/index.ts";
import type { Worker } from "../jobs/worker.ts";
import { createServices, type Services } from "../services/container.ts";
import { SecretBox } from "../services/secrets.ts";
import { WebhookDispatcher } from "../services/webhook.dispatcher.ts";
import { buildApp } from "./app.ts";

const box = new SecretBox(Buffer.alloc(32, 4));
const PUBLIC_URL = "https://rapport.example";
const FAST = { backoff: { baseMs: 50, maxMs: 400, jitter: 0 }, pollIntervalMs: 100, concurrency: 2 };

let n = 0;
const canonical = (overrides: Record<string, unknown> = {}) => {
  n++;
  const real = realMessages(1, 100 + n)[0];
  return {
    channel: "hooks-x",
    ...(real ?? {
      externalId: `f-${n}`,
      direction: "in",
      author: { externalId: `u-${n}`, handle: `person${n}` },
      text: "Where is my refund?",
      createdAt: "2026-11-20T09:00:00Z",
    }),
    externalId: `hook-${process.pid}-${n}`,
    inReplyToExternalId: null,
    ...overrides,
  };
};

describeEachEngine("outbound webhooks", (ctx) => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let services: Services;
  let dispatcher: WebhookDispatcher;
  let worker: Worker;
  let admin: Record<string, string>;
  let agent: Record<string, string>;
  const receivers: Receiver[] = [];

  const startWorker = () => {
    worker = createWorker(
      {
        database: ctx.database,
        events: services.events,
        connectors: createConnectorRegistry(),
        secrets: box,
        webhooks: { disableAfter: 3 },
      },
      FAST,
    );
    return worker.start();
  };

  beforeAll(async () => {
    services = createServices(ctx.database);
    app = await buildApp({ database: ctx.database, services, secrets: box });
    admin = (await agentWithToken(ctx.database, "admin@example.com", { role: "admin" })).headers;
    agent = (await agentWithToken(ctx.database, "sam@example.com")).headers;
    dispatcher = new WebhookDispatcher({
      database: ctx.database,
      events: services.events,
      publicUrl: PUBLIC_URL,
      maxAttempts: 3,
    });
    dispatcher.start();
    await startWorker();
  });
  afterAll(async () => {
    await worker?.stop();
    await dispatcher?.stop();
    await app?.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  const call = (
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    payload?: object,
    headers = admin,
  ) => app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

  /** A receiver and a webhook pointing at it (its secret given to the receiver). */
  const subscribe = async (events: string[], name = `hook ${receivers.length + 1}`) => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const created = await call("POST", "/api/webhook-subscriptions", {
      name,
      url: `${receiver.url}/hook`,
      events,
    });
    expect(created.statusCode, created.body).toBe(201);
    receiver.secret = created.json().secret;
    return { receiver, id: created.json().webhook.id as string, secret: created.json().secret as string };
  };
  const ingest = async (...messages: unknown[]) => {
    const response = await call("POST", "/api/ingest", messages);
    expect(response.statusCode, response.body).toBe(200);
    await dispatcher.idle();
    return response.json().outcomes as Array<{ messageId: string; conversationId: string }>;
  };
  const deliveries = async (id: string, query = "") =>
    (await call("GET", `/api/webhook-subscriptions/${id}/deliveries${query}`)).json();
  const eventsOf = (receiver: Receiver, type: string) =>
    receiver.received.filter((r) => r.headers["x-rapport-event"] === type);
  const bodyOf = (r: Received) =>
    r.json as { id: string; type: string; createdAt: string; data: Record<string, Record<string, unknown>> };

  it("is for admins, validates its input and never shows a secret after creation", async () => {
    expect((await call("GET", "/api/webhook-subscriptions", undefined, agent)).statusCode).toBe(403);
    const bad = await call("POST", "/api/webhook-subscriptions", {
      name: "x",
      url: "ftp://example.com",
      events: ["message.created"],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/url: must be an http\(s\) URL/);
    const unknown = await call("POST", "/api/webhook-subscriptions", {
      name: "x",
      url: "https://example.com",
      events: ["message.deleted"],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/events.0: must be one of message.created/);
    const { id, secret } = await subscribe(["message.created"], "listing");
    const list = await call("GET", "/api/webhook-subscriptions");
    expect(list.json().events.map((e: { type: string }) => e.type)).toContain("conversation.resolved");
    expect(list.json().items.find((w: { id: string }) => w.id === id)).toMatchObject({
      name: "listing",
      enabled: true,
    });
    expect(list.body).not.toContain(secret);
    const one = await call("GET", `/api/webhook-subscriptions/${id}`);
    expect(one.body).not.toContain(secret);
    expect((await call("DELETE", `/api/webhook-subscriptions/${id}`)).statusCode).toBe(204);
    expect((await call("GET", `/api/webhook-subscriptions/${id}`)).statusCode).toBe(404);
  });

  it("delivers subscribed events with a snapshot of the data, signed, and logs each delivery", async () => {
    const { receiver, id } = await subscribe(["message.created", "conversation.created"]);
    const m = canonical();
    const [outcome] = await ingest(m);
    const [message, conversation] = await Promise.all([
      receiver.waitFor((r) => r.headers["x-rapport-event"] === "message.created"),
      receiver.waitFor((r) => r.headers["x-rapport-event"] === "conversation.created"),
    ]);
    for (const r of [message, conversation]) {
      expect(r.verified, "signature verified by the receiver").toBe(true);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["x-rapport-event-id"]).toBe(bodyOf(r).id);
    }
    const body = bodyOf(message);
    expect(body).toMatchObject({
      type: "message.created",
      data: {
        message: {
          id: outcome!.messageId,
          externalId: m.externalId,
          direction: "in",
          text: m.text,
          author: { kind: "identity", externalId: (m.author as { externalId: string }).externalId },
          attachments: [],
        },
        conversation: {
          id: outcome!.conversationId,
          status: "open",
          channel: { key: "hooks-x" },
          url: `${PUBLIC_URL}/c/${outcome!.conversationId}`,
        },
      },
    });
    expect(typeof body.data.message!.sentimentLabel).toBe("string");
    expect(bodyOf(conversation).data).toMatchObject({ conversation: { id: outcome!.conversationId } });

    await expect
      .poll(async () => (await deliveries(id)).items.map((d: { status: string }) => d.status), {
        timeout: 20_000,
      })
      .toEqual(["succeeded", "succeeded"]);
    const log = await deliveries(id);
    expect(log.items[0]).toMatchObject({
      attempts: 1,
      lastStatusCode: 200,
      nextAttemptAt: null,
      lastError: null,
    });
    expect(log.items[0].lastDurationMs).toBeGreaterThanOrEqual(0);
    const detail = (
      await call(
        "GET",
        `/api/webhook-subscriptions/${id}/deliveries/${message.headers["x-rapport-delivery"]}`,
      )
    ).json();
    expect(detail.body).toBe(message.body);
    expect(detail.attemptLog).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 200, responseExcerpt: '{"ok":true}', error: null }),
    ]);
    // Events it did not subscribe to are not sent.
    expect(eventsOf(receiver, "conversation.updated")).toHaveLength(0);
  });

  it("lists a message's files in its snapshot, in order, with their state and a link", async () => {
    const { receiver } = await subscribe(["message.created"]);
    const [outcome] = await ingest(
      canonical({
        attachments: [
          {
            filename: "receipt.png",
            contentType: "image/png",
            size: 3,
            contentBase64: Buffer.from("png").toString("base64"),
          },
          { filename: "photo.jpg", contentType: "image/jpeg", size: 2048 },
        ],
      }),
    );
    const received = await receiver.waitFor(
      (r) => (bodyOf(r).data.message as { id?: string } | undefined)?.id === outcome!.messageId,
    );
    const base = `${PUBLIC_URL}/api/messages/${outcome!.messageId}/attachments`;
    expect(bodyOf(received).data.message!.attachments).toEqual([
      { filename: "receipt.png", contentType: "image/png", size: 3, url: `${base}/0`, status: "stored" },
      {
        filename: "photo.jpg",
        contentType: "image/jpeg",
        size: 2048,
        url: `${base}/1`,
        status: "unavailable",
      },
    ]);
  });

  it("retries after 500s with growing delays, then succeeds; the log keeps every attempt", async () => {
    const { receiver, id } = await subscribe(["message.created"]);
    let calls = 0;
    receiver.respond = () =>
      ++calls <= 2 ? { status: 500, body: { error: "database is down" } } : { status: 200 };
    await ingest(canonical());
    const received = await receiver.waitForCount(() => true, 3);
    expect(received.every((r) => r.verified)).toBe(true);
    // The same delivery each time: same id, same bytes.
    expect(new Set(received.map((r) => r.headers["x-rapport-delivery"])).size).toBe(1);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    const [a, b, c] = received.map((r) => r.at);
    expect(b! - a!).toBeGreaterThanOrEqual(45); // 50 ms after the first failure
    expect(c! - b!).toBeGreaterThanOrEqual(95); // 100 ms after the second
    await expect
      .poll(async () => (await deliveries(id)).items[0]?.status, { timeout: 20_000 })
      .toBe("succeeded");
    const deliveryId = received[0]!.headers["x-rapport-delivery"];
    const detail = (await call("GET", `/api/webhook-subscriptions/${id}/deliveries/${deliveryId}`)).json();
    expect(detail).toMatchObject({ status: "succeeded", attempts: 3, lastStatusCode: 200 });
    expect(detail.attemptLog.map((x: { statusCode: number }) => x.statusCode)).toEqual([500, 500, 200]);
    expect(detail.attemptLog[0].responseExcerpt).toContain("database is down");
    expect(detail.attemptLog[0].error).toMatch(/answered 500/);
  });

  it("shows when a pending delivery's next attempt runs", async () => {
    await worker.stop();
    const { receiver, id } = await subscribe(["message.created"]);
    receiver.respond = () => ({ status: 503 });
    await ingest(canonical());
    const slow = createWorker(
      {
        database: ctx.database,
        events: services.events,
        connectors: createConnectorRegistry(),
        secrets: box,
      },
      { backoff: { baseMs: 60_000, jitter: 0 } },
    );
    const before = Date.now();
    await slow.drain();
    const [pending] = (await deliveries(id)).items;
    expect(pending).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 503 });
    const next = Date.parse(pending.nextAttemptAt);
    expect(next).toBeGreaterThanOrEqual(before + 55_000);
    expect(next).toBeLessThanOrEqual(Date.now() + 65_000);
    // Switching the webhook off cancels it.
    const off = await call("PATCH", `/api/webhook-subscriptions/${id}`, { enabled: false });
    expect(off.json()).toMatchObject({ enabled: false, disabledReason: "Disabled by an admin." });
    expect((await deliveries(id)).items[0]).toMatchObject({ status: "cancelled", nextAttemptAt: null });
    await startWorker();
  });

  it("switches a webhook off after 3 failed deliveries in a row; a success resets the count", async () => {
    const { receiver, id } = await subscribe(["message.created"]);
    let failing = true;
    receiver.respond = () => (failing ? { status: 500, body: "nope" } : { status: 204 });
    const state = async () => (await call("GET", `/api/webhook-subscriptions/${id}`)).json();

    await ingest(canonical(), canonical());
    await expect.poll(async () => (await state()).consecutiveFailures, { timeout: 20_000 }).toBe(2);
    expect((await state()).enabled).toBe(true);
    expect(receiver.received).toHaveLength(6); // 2 deliveries × 3 attempts
    failing = false;
    await ingest(canonical());
    await expect.poll(async () => (await state()).consecutiveFailures, { timeout: 20_000 }).toBe(0);

    failing = true;
    await ingest(canonical(), canonical(), canonical());
    await expect.poll(async () => (await state()).enabled, { timeout: 20_000 }).toBe(false);
    const off = await state();
    expect(off.consecutiveFailures).toBe(3);
    expect(off.disabledReason).toMatch(
      /^Disabled after 3 deliveries in a row failed; the last: 127\.0\.0\.1:\d+ answered 500/,
    );
    const log = await deliveries(id, "?status=failed");
    expect(log.items).toHaveLength(5);

    // Switched off: new events are not recorded for it.
    const seen = receiver.received.length;
    await ingest(canonical());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(seen);

    // Redelivery needs it on; switching on clears the count and the reason.
    const failed = log.items[0].id as string;
    expect(
      (await call("POST", `/api/webhook-subscriptions/${id}/deliveries/${failed}/redeliver`, {})).statusCode,
    ).toBe(409);
    const on = await call("PATCH", `/api/webhook-subscriptions/${id}`, { enabled: true });
    expect(on.json()).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledReason: null });
    failing = false;
    const original = (await call("GET", `/api/webhook-subscriptions/${id}/deliveries/${failed}`)).json();
    const again = await call("POST", `/api/webhook-subscriptions/${id}/deliveries/${failed}/redeliver`, {});
    expect(again.statusCode, again.body).toBe(202);
    expect(again.json()).toMatchObject({
      redeliveryOf: failed,
      eventId: original.eventId,
      body: original.body,
    });
    const redelivered = await receiver.waitFor((r) => r.headers["x-rapport-delivery"] === again.json().id);
    expect(redelivered.verified).toBe(true);
    expect(redelivered.body).toBe(original.body);
    expect(redelivered.headers["x-rapport-event-id"]).toBe(original.eventId);
    await expect
      .poll(
        async () =>
          (await call("GET", `/api/webhook-subscriptions/${id}/deliveries/${again.json().id}`)).json().status,
        { timeout: 20_000 },
      )
      .toBe("succeeded");
    expect((await call("GET", `/api/webhook-subscriptions/${id}/deliveries/${failed}`)).json().status).toBe(
      "failed",
    );
  });

  it("refuses to redeliver a delivery still being attempted", async () => {
    await worker.stop();
    const { id } = await subscribe(["message.created"]);
    await ingest(canonical());
    const [pending] = (await deliveries(id)).items;
    const response = await call(
      "POST",
      `/api/webhook-subscriptions/${id}/deliveries/${pending.id}/redeliver`,
      {},
    );
    expect(response.statusCode).toBe(409);
    await startWorker();
  });

  it("sends a test event on demand and answers with the receiver's response", async () => {
    const { receiver, id } = await subscribe(["conversation.resolved"]);
    const ok = await call("POST", `/api/webhook-subscriptions/${id}/test`, {});
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({
      event: "webhook.test",
      status: "succeeded",
      attemptLog: [{ statusCode: 200 }],
    });
    const got = await receiver.waitFor((r) => r.headers["x-rapport-event"] === "webhook.test");
    expect(got.verified).toBe(true);
    expect(bodyOf(got).data.webhook).toMatchObject({ id, events: ["conversation.resolved"] });

    receiver.respond = () => ({ status: 418, body: { error: "I'm a teapot" } });
    const failed = await call("POST", `/api/webhook-subscriptions/${id}/test`, {});
    expect(failed.json()).toMatchObject({
      status: "failed",
      lastStatusCode: 418,
      attemptLog: [{ statusCode: 418 }],
    });
    expect(failed.json().attemptLog[0].responseExcerpt).toContain("teapot");
    // Tests do not count towards switching it off.
    expect((await call("GET", `/api/webhook-subscriptions/${id}`)).json().consecutiveFailures).toBe(0);
  });

  it("announces status changes and agents' replies, with the state at the time of the event", async () => {
    const { receiver } = await subscribe([
      "conversation.status_changed",
      "conversation.resolved",
      "message.created",
      "message.updated",
    ]);
    const [outcome] = await ingest(canonical());
    const conversationId = outcome!.conversationId;
    const reply = await call("POST", `/api/conversations/${conversationId}/replies`, {
      text: "Sorry about that, Ada: I have asked the warehouse and will write again by 5 pm.",
      acknowledgeWarnings: true,
    });
    expect(reply.statusCode, reply.body).toBe(201);
    await dispatcher.idle();
    const resolved = await call("POST", `/api/conversations/${conversationId}/status`, {
      status: "resolved",
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    await dispatcher.idle();

    const resolvedEvent = await receiver.waitFor(
      (r) => r.headers["x-rapport-event"] === "conversation.resolved",
    );
    expect(bodyOf(resolvedEvent).data).toMatchObject({
      conversation: { id: conversationId, status: "resolved" },
      change: { status: { from: "open", to: "resolved" } },
    });
    const changed = await receiver.waitFor(
      (r) => r.headers["x-rapport-event"] === "conversation.status_changed",
    );
    expect(bodyOf(changed).id).not.toBe(bodyOf(resolvedEvent).id);
    const replyCreated = await receiver.waitFor(
      (r) =>
        r.headers["x-rapport-event"] === "message.created" && bodyOf(r).data.message!.direction === "out",
    );
    // Snapshotted just after the reply was written: the conversation still open (it was resolved later);
    // the worker may already have sent the reply by then.
    expect(bodyOf(replyCreated).data).toMatchObject({
      message: { author: { kind: "agent", name: "admin" } },
      conversation: { status: "open" },
    });
    expect(["pending", "sent"]).toContain(bodyOf(replyCreated).data.message!.deliveryStatus);
    // The worker's send (the import channel's demo connector) announces the delivery change.
    const updated = await receiver.waitFor((r) => r.headers["x-rapport-event"] === "message.updated");
    expect(bodyOf(updated).data.message).toMatchObject({
      id: bodyOf(replyCreated).data.message!.id,
      deliveryStatus: "sent",
    });
  });

  it("rotates a secret: deliveries are signed with the new one at once", async () => {
    const { receiver, id, secret } = await subscribe(["message.created"]);
    const rotated = await call("POST", `/api/webhook-subscriptions/${id}/rotate-secret`, {});
    expect(rotated.statusCode).toBe(200);
    const next = rotated.json().secret as string;
    expect(next).not.toBe(secret);
    await call("POST", `/api/webhook-subscriptions/${id}/test`, {});
    expect(receiver.received.at(-1)!.verified).toBe(false);
    receiver.secret = next;
    await call("POST", `/api/webhook-subscriptions/${id}/test`, {});
    expect(receiver.received.at(-1)!.verified).toBe(true);
  });
});
