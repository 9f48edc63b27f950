import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../test/helpers/dovecot.ts";
import { type Receiver, startReceiver } from "../../../test/helpers/webhook-receiver.ts";
import { signatureHeaders } from "../../core/signature.ts";
import { SecretBox } from "../../services/secrets.ts";
import { channels } from "../../store/schema.ts";
import { describeConnectorContract } from "../contract.ts";
import { webhookConnector } from "./webhook.connector.ts";
import { realMessages } from "./webhook.test-support.ts";

const CHANNEL = "webhook-contract";
const SECRET = "whsec_contract-secret-of-at-least-32-characters";
const box = new SecretBox(Buffer.alloc(32, 5));
let receiver: Receiver;

const valid = () => {
  const real = realMessages(3);
  const messages = real.length
    ? real
    : [
        {
          externalId: "factory-1",
          direction: "in" as const,
          author: { externalId: "u-1", handle: "ada" },
          text: "My parcel is three weeks late.",
          createdAt: "2026-11-20T09:14:00Z",
        },
      ];
  // The first one has no parent, so replies answer a conversation the suite can find.
  return messages.map((m, i) => ({
    name: `message ${m.externalId}`,
    payload: { ...m, channel: CHANNEL, ...(i === 0 ? { inReplyToExternalId: null } : {}) },
  }));
};

const body = JSON.stringify({ channel: CHANNEL, externalId: "signed-1", text: "hi" });

describeConnectorContract("webhook", {
  connector: webhookConnector,
  secrets: box,
  async setup(database) {
    receiver = await startReceiver(SECRET);
    receiver.respond = (r) => {
      const text = (r.json as { message?: { text?: string } } | null)?.message?.text ?? "";
      if (text.includes("[refuse]"))
        return { status: 422, body: { error: "content refused by policy on the platform" } };
      return { status: 201, body: { externalId: `platform-${receiver.received.length}` } };
    };
    await database.db.insert(channels).values({
      key: CHANNEL,
      kind: "webhook",
      platform: CHANNEL,
      name: "Forum bridge",
      config: { callbackUrl: `${receiver.url}/replies` },
      secrets: box.seal({ signingSecret: SECRET }),
    });
  },
  teardown: () => receiver.close(),
  valid,
  malformed: [
    { name: "malformed: no author", payload: { channel: CHANNEL, externalId: "x", text: "hi" } },
    {
      name: "malformed: a date without a zone",
      payload: { ...valid()[0]!.payload, createdAt: "2026-11-20 09:14" },
    },
    { name: "truncated: a cut-off JSON body", payload: JSON.stringify(valid()[0]!.payload).slice(0, 40) },
    {
      name: "oversized: a 100,001-character text",
      payload: { ...valid()[0]!.payload, externalId: "big", text: "a".repeat(100_001) },
    },
  ],
  webhook: { secret: SECRET, headers: signatureHeaders(SECRET, body), rawBody: Buffer.from(body) },
  async delivered(text) {
    const request = await receiver.waitFor((r) => r.body.includes(text));
    expect(request.verified, "the receiver verifies the signature").toBe(true);
    expect(request.path).toBe("/replies");
    expect(request.headers["x-rapport-event"]).toBe("reply");
    expect(request.json).toMatchObject({
      type: "reply",
      channel: CHANNEL,
      message: { text: expect.stringContaining(text), visibility: "public", authorName: "Maria Lopez" },
      inReplyToExternalId: expect.any(String),
    });
  },
  failure: { text: "This reply will be [refuse]d.", error: /answered 422.*content refused by policy/ },
});

describe("webhook connector", () => {
  it("tells admins the inbound URL and how to sign, never the secret", () => {
    const setup = webhookConnector().setup!;
    const channel = {
      id: "c-1",
      key: "forum-bridge",
      kind: "webhook",
      name: "Forum",
      config: { callbackUrl: "https://b.example/r" },
    };
    const notes = setup.notes!(channel, { publicUrl: "https://rapport.example" });
    expect(notes[0]).toEqual({
      label: "Inbound URL (POST canonical messages here)",
      value: "https://rapport.example/api/webhooks/forum-bridge",
      code: true,
    });
    expect(notes.map((n) => n.value).join(" ")).toMatch(/x-rapport-signature: sha256=/);
    expect(notes.map((n) => n.value).join(" ")).toContain("https://b.example/r");
    expect(setup.platform!({ platform: "discord" }, "forum-bridge")).toBe("discord");
    expect(setup.platform!({}, "forum-bridge")).toBe("forum-bridge");
    expect(setup.generateSecrets!().signingSecret).toMatch(/^whsec_/);
  });

  it("rejects stale and future timestamps and accepts any of several signatures", () => {
    const connector = webhookConnector();
    const raw = Buffer.from(body);
    const old = signatureHeaders(SECRET, raw, new Date(Date.now() - 6 * 60_000));
    expect(connector.verifyWebhook!(old, raw, SECRET)).toBe(false);
    const future = signatureHeaders(SECRET, raw, new Date(Date.now() + 6 * 60_000));
    expect(connector.verifyWebhook!(future, raw, SECRET)).toBe(false);
    const now = signatureHeaders(SECRET, raw);
    const both = { ...now, "x-rapport-signature": `sha256=${"0".repeat(64)}, ${now["x-rapport-signature"]}` };
    expect(connector.verifyWebhook!(both, raw, SECRET)).toBe(true);
  });

  describe("send", () => {
    let callback: Receiver;
    let closedUrl: string;
    beforeAll(async () => {
      callback = await startReceiver(SECRET);
      closedUrl = `http://127.0.0.1:${await freePort()}/`;
    });
    afterAll(() => callback.close());

    const input = (config: unknown) => ({
      channel: {
        id: "c",
        key: "hook",
        kind: "webhook",
        platform: "hook",
        name: "Hook",
        config,
        secrets: { signingSecret: SECRET },
      },
      conversation: {
        id: "v",
        threadKey: "t-1",
        visibility: "private" as const,
        subject: null,
        recipient: { externalId: "u-1", handle: "ada", displayName: "Ada" },
      },
      message: { id: "m-1", text: "Hello Ada", visibility: "private" as const, authorName: "Sam" },
      replyToExternalId: "in-1",
    });

    it("uses the receiver's external id, or a stable one of its own", async () => {
      callback.respond = () => ({ status: 200, body: { externalId: 98765 } });
      expect(await webhookConnector().send(input({ callbackUrl: callback.url }))).toEqual({
        externalId: "98765",
      });
      callback.respond = () => ({ status: 204 });
      expect(await webhookConnector().send(input({ callbackUrl: callback.url }))).toEqual({
        externalId: "webhook:m-1",
      });
      expect(callback.received.at(-1)!.verified).toBe(true);
      expect(callback.received.at(-1)!.headers["x-rapport-delivery"]).toBe("m-1");
    });

    it("retries server errors and unreachable receivers, not refusals or a missing callback URL", async () => {
      callback.respond = () => ({ status: 503, body: { error: "maintenance" } });
      await expect(webhookConnector().send(input({ callbackUrl: callback.url }))).rejects.toMatchObject({
        retryable: true,
        message: expect.stringMatching(/answered 503.*maintenance/),
      });
      callback.respond = () => ({ status: 400, body: { error: "unknown recipient" } });
      await expect(webhookConnector().send(input({ callbackUrl: callback.url }))).rejects.toMatchObject({
        retryable: false,
        message: expect.stringMatching(/answered 400.*unknown recipient/),
      });
      await expect(webhookConnector().send(input({ callbackUrl: closedUrl }))).rejects.toMatchObject({
        retryable: true,
        message: expect.stringMatching(/could not be reached: ECONNREFUSED/),
      });
      await expect(webhookConnector().send(input({}))).rejects.toMatchObject({
        retryable: false,
        message: expect.stringMatching(/no callback URL/),
      });
    });

    it("tests the callback with a signed ping, reporting the failing step", async () => {
      const test = webhookConnector().setup!.test;
      callback.respond = () => ({ status: 200 });
      const ok = await test({
        key: "hook",
        kind: "webhook",
        name: "Hook",
        config: { callbackUrl: callback.url },
        secrets: { signingSecret: SECRET },
      });
      expect(ok.every((c) => c.ok)).toBe(true);
      expect(callback.received.at(-1)!.json).toEqual({ type: "ping", channel: "hook" });
      const refused = await test({
        key: "hook",
        kind: "webhook",
        name: "Hook",
        config: { callbackUrl: closedUrl },
        secrets: { signingSecret: SECRET },
      });
      expect(refused.find((c) => c.service === "callback")).toMatchObject({ ok: false, step: "connect" });
      const none = await test({
        key: "hook",
        kind: "webhook",
        name: "Hook",
        config: {},
        secrets: { signingSecret: SECRET },
      });
      expect(none.find((c) => c.service === "callback")).toMatchObject({ ok: false, step: "config" });
    });
  });
});
