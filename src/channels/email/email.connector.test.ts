import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type TestSmtp } from "../../../test/helpers/smtp.ts";
import { SecretBox } from "../../services/secrets.ts";
import { channels } from "../../store/schema.ts";
import { describeConnectorContract } from "../contract.ts";
import { emailConnector } from "./email.connector.ts";
import { fixturePayloads, payloadOf, rawMail } from "./email.test-support.ts";

const CHANNEL = "email-contract";
const box = new SecretBox(Buffer.alloc(32, 7));
let smtp: TestSmtp;

const config = (port: number) => ({
  address: "care@northwind.example",
  brand: "Northwind",
  imap: { host: "127.0.0.1", port: 1, secure: false, user: "care", mailbox: "INBOX" },
  smtp: { host: "127.0.0.1", port, secure: false, user: SMTP_USER },
});

describeConnectorContract("email", {
  connector: emailConnector,
  secrets: box,
  async setup(database) {
    smtp = await startSmtpServer();
    await database.db.insert(channels).values({
      key: CHANNEL,
      kind: "email",
      platform: "email",
      name: "Northwind care",
      config: config(smtp.port),
      secrets: box.seal({ imapPassword: "unused", smtpPassword: SMTP_PASSWORD }),
    });
  },
  teardown: () => smtp.close(),
  valid: () => [
    {
      name: "a customer's mail",
      payload: payloadOf(CHANNEL, rawMail({ messageId: "<contract-1@example.org>", subject: "Order 48213" })),
    },
    ...fixturePayloads(CHANNEL),
  ],
  malformed: [
    { name: "malformed: no raw source", payload: { channel: CHANNEL, uid: 7 } },
    {
      name: "truncated: a cut-off JSON payload",
      payload: JSON.stringify(payloadOf(CHANNEL, rawMail({}))).slice(0, 50),
    },
    { name: "truncated: headers only half there", payload: payloadOf(CHANNEL, "Subject: Hel") },
    {
      name: "oversized: a 26 MB mail",
      payload: { channel: CHANNEL, raw: Buffer.alloc(26 * 1024 * 1024, 65).toString("base64") },
    },
  ],
  async delivered(text) {
    const mail = await smtp.waitFor(text);
    expect(mail.inReplyTo).toBe("<contract-1@example.org>");
    expect(mail.subject).toBe("Re: Order 48213");
    expect(mail.from?.value[0]).toMatchObject({
      name: "Maria Lopez at Northwind",
      address: "care@northwind.example",
    });
  },
  failure: { text: "This reply will be [refuse]d.", error: /SMTP .*554.*content refused by policy/ },
});

describe("email send failures", () => {
  let server: TestSmtp;
  beforeAll(async () => {
    server = await startSmtpServer();
  });
  afterAll(() => server.close());

  it("reports a wrong SMTP password with the server's words and does not retry", async () => {
    const error = await emailConnector()
      .send({
        channel: {
          id: "c",
          key: "care",
          kind: "email",
          platform: "email",
          name: "Care",
          config: config(server.port),
          secrets: { smtpPassword: "wrong" },
        },
        conversation: {
          id: "v",
          threadKey: "t",
          visibility: "private",
          subject: "Hi",
          recipient: { externalId: "ada@example.org", handle: null, displayName: "Ada" },
        },
        message: { id: "m", text: "Hello", visibility: "private", authorName: "Sam" },
        replyToExternalId: null,
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "SendError",
      retryable: false,
      message: expect.stringMatching(/EAUTH.*535/),
    });
  });
});
