/**
 * The webchat connector through the shared contract. The "platform" a reply must reach is the visitor:
 * here one who left their email and closed the page, so the reply goes out by email through the email
 * channel the webchat channel names (a real SMTP server, smtp-server). Live delivery to an open widget
 * is tested end to end in server/widget.replies.test.ts and test/e2e/widget.test.ts.
 */
import { describe, expect, it } from "vitest";
import { sendOnlyEmailChannel, startSmtpServer, type TestSmtp } from "../../../test/helpers/smtp.ts";
import { SecretBox } from "../../services/secrets.ts";
import { webchatDirectory } from "../../services/webchat.directory.ts";
import type { Database } from "../../store/db.ts";
import { channels, webchatVisitors } from "../../store/schema.ts";
import { describeConnectorContract } from "../contract.ts";
import { webchatConnector, widgetSnippet } from "./webchat.connector.ts";
import { MAX_VISITOR_TEXT } from "./webchat.inbound.ts";

const CHANNEL = "webchat-contract";
const VISITOR = "wv_contractVisitor0001";
const box = new SecretBox(Buffer.alloc(32, 9));
let smtp: TestSmtp;
let database: Database | undefined;

const message = (clientId: string, text: string) => ({
  channel: CHANNEL,
  visitorId: VISITOR,
  clientId,
  text,
  receivedAt: "2026-12-01T10:00:00.000Z",
  visitor: { name: "Ada Lovelace", email: "ada@example.org" },
  pageUrl: "https://shop.example/boots",
});

const connector = () => webchatConnector(() => (database ? webchatDirectory(database, box) : undefined));

describeConnectorContract("webchat", {
  connector,
  secrets: box,
  async setup(db) {
    database = db;
    smtp = await startSmtpServer();
    await db.db.insert(channels).values(sendOnlyEmailChannel(smtp, box, "email-offline"));
    const [webchat] = await db.db
      .insert(channels)
      .values({
        key: CHANNEL,
        kind: "webchat",
        platform: "webchat",
        name: "Northwind",
        config: { allowedOrigins: ["https://shop.example"], emailChannel: "email-offline" },
        secrets: box.seal({ visitorKey: "v".repeat(43) }),
      })
      .returning();
    // The visitor left their email and has no widget open.
    await db.db.insert(webchatVisitors).values({
      channelId: webchat!.id,
      visitorId: VISITOR,
      email: "ada@example.org",
      name: "Ada Lovelace",
      pageUrl: "https://shop.example/boots",
    });
  },
  teardown: () => smtp.close(),
  valid: [
    { name: "a visitor's first message", payload: message("client-0001", "Do the Ridge boots come in 46?") },
    { name: "a follow-up", payload: message("client-0002", "And in brown?") },
  ],
  malformed: [
    { name: "malformed: no text", payload: { ...message("client-0003", "x"), text: undefined } },
    { name: "truncated JSON", payload: JSON.stringify(message("client-0004", "Hello")).slice(0, 60) },
    { name: "oversized text", payload: message("client-0005", "x".repeat(MAX_VISITOR_TEXT + 1)) },
    { name: "not a visitor id", payload: { ...message("client-0006", "Hi"), visitorId: "admin" } },
  ],
  async delivered(text) {
    const mail = await smtp.waitFor(text);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : null).toBe("ada@example.org");
    expect(mail.from?.value[0]).toMatchObject({
      name: "Maria Lopez at Northwind",
      address: "care@northwind.example",
    });
    expect(mail.subject).toBe("Re: Your chat with Northwind");
    expect(mail.text).toContain("You wrote to Northwind in the chat on https://shop.example/boots.");
  },
  failure: { text: "This reply will be [refuse]d.", error: /SMTP .*554.*content refused by policy/ },
});

describe("webchat setup", () => {
  it("gives admins the snippet, a test page and the allowed sites, never a secret", () => {
    const notes = webchatConnector().setup!.notes!(
      {
        id: "c",
        key: "webchat-site",
        kind: "webchat",
        name: "Site",
        config: { allowedOrigins: ["https://shop.example"] },
      },
      { publicUrl: "https://care.example" },
    );
    expect(notes[0]).toEqual({
      label: expect.stringMatching(/Paste this/),
      value: '<script src="https://care.example/widget.js" data-channel="webchat-site" async></script>',
      code: true,
    });
    expect(widgetSnippet("https://care.example", "webchat-site")).toBe(notes[0]!.value);
    expect(notes[1]!.value).toBe("https://care.example/widget-demo?channel=webchat-site");
    expect(notes[2]!.value).toBe("https://shop.example");
  });

  it("generates the visitor key and validates allowed origins precisely", () => {
    const setup = webchatConnector().setup!;
    const secrets = setup.secrets.parse({});
    expect(secrets.visitorKey).toHaveLength(43);
    const bad = setup.config.safeParse({ allowedOrigins: ["https://shop.example/path"] });
    expect(bad.success).toBe(false);
    expect(setup.config.safeParse({ allowedOrigins: ["*", "http://localhost:8080"] }).success).toBe(true);
  });

  it("reports an offline-email channel that does not exist", async () => {
    const checks = await webchatConnector(() => ({
      visitor: async () => undefined,
      emailChannel: async () => undefined,
    })).setup!.test({
      key: "w",
      kind: "webchat",
      name: "W",
      config: { emailChannel: "email-missing" },
      secrets: { visitorKey: "v".repeat(43) },
    });
    expect(checks).toEqual([
      { service: "widget", ok: true, message: "Visitor tokens can be signed." },
      {
        service: "email",
        ok: false,
        step: "channel",
        message: 'There is no email channel with the key "email-missing".',
      },
    ]);
  });
});

describe("webchat send without a visitor directory", () => {
  it("fails permanently with a clear message", async () => {
    await expect(
      webchatConnector().send({
        channel: { id: "c", key: "w", kind: "webchat", platform: "webchat", name: "W", config: {} },
        conversation: {
          id: "v",
          threadKey: "t",
          visibility: "private",
          subject: null,
          recipient: { externalId: VISITOR, handle: null, displayName: null },
        },
        message: { id: "m", text: "Hi", visibility: "private", authorName: "Sam" },
        replyToExternalId: null,
      }),
    ).rejects.toMatchObject({ name: "SendError", retryable: false });
  });
});
