/**
 * Email end to end against real servers: dovecot (IMAP, started by the test) and smtp-server. Runs on
 * PGlite only: the pipeline's engine-specific SQL is covered on both engines by its own suites.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dovecotAvailable,
  dovecotMissingReason,
  IMAP_PASSWORD,
  IMAP_USER,
  startDovecot,
  type TestImap,
} from "../../../test/helpers/dovecot.ts";
import { buildAgent } from "../../../test/helpers/factories.ts";
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type TestSmtp } from "../../../test/helpers/smtp.ts";
import { createWorker } from "../../jobs/index.ts";
import { createServices, type Services } from "../../services/container.ts";
import type { IngestItem } from "../../services/ingest.types.ts";
import { SecretBox } from "../../services/secrets.ts";
import { channelRepository } from "../../store/channel.repository.ts";
import { type Database, openDatabase } from "../../store/db.ts";
import { ChannelPollers } from "../pollers.ts";
import { ConnectorRegistry } from "../registry.ts";
import { emailConnector } from "./email.connector.ts";
import { FIXTURES_DIR, hasFixtures, rawMail } from "./email.test-support.ts";

if (!dovecotAvailable) console.warn(dovecotMissingReason);

describe.skipIf(!dovecotAvailable)("email over real IMAP (dovecot) and SMTP servers", () => {
  let imap: TestImap;
  let smtp: TestSmtp;
  let database: Database;
  let services: Services;
  let channelId: string;
  let appender: ImapFlow;
  const box = new SecretBox(Buffer.alloc(32, 3));
  const connectors = new ConnectorRegistry([emailConnector()]);
  const log = { info() {}, warn() {} };
  const ingested: IngestItem[] = [];
  const pollers = () =>
    new ChannelPollers({
      database,
      connectors,
      secrets: box,
      log,
      ingest: {
        ingest: (items) => {
          ingested.push(...items);
          return services.ingest.ingest(items);
        },
      },
    });
  const deliver = (raw: string) => appender.append("INBOX", raw);
  const messageBy = async (externalId: string) =>
    (
      await database.rows<{ id: string; conversation_id: string; automated: string | null }>(
        sql`SELECT id, conversation_id, automated FROM messages WHERE external_id = ${externalId}`,
      )
    )[0];
  const conversation = async (id: string) =>
    (
      await database.rows<{ status: string; awaiting_reply: boolean; subject: string | null; n: number }>(sql`
        SELECT status, awaiting_reply, subject, (SELECT count(*)::int FROM messages WHERE conversation_id = c.id) AS n
        FROM conversations c WHERE id = ${id}`)
    )[0]!;
  const arrived = (externalId: string) =>
    expect
      .poll(async () => (await messageBy(externalId))?.id, { timeout: 10_000, interval: 100 })
      .toBeTruthy();

  beforeAll(async () => {
    [imap, smtp, database] = await Promise.all([
      startDovecot(),
      startSmtpServer(),
      openDatabase({ url: "memory://" }),
    ]);
    services = createServices(database);
    connectors.registerFormats(services.normalizers);
    const channel = await channelRepository(database.db).create({
      key: "northwind-mail",
      kind: "email",
      platform: "email",
      name: "Northwind",
      config: {
        address: "care@northwind.example",
        imap: { host: "127.0.0.1", port: imap.port, secure: false, user: IMAP_USER, mailbox: "INBOX" },
        smtp: { host: "127.0.0.1", port: smtp.port, secure: false, user: SMTP_USER },
        pollSeconds: 5,
      },
      secrets: box.seal({ imapPassword: IMAP_PASSWORD, smtpPassword: SMTP_PASSWORD }),
    });
    channelId = channel!.id;
    appender = new ImapFlow({
      host: "127.0.0.1",
      port: imap.port,
      secure: false,
      auth: { user: IMAP_USER, pass: IMAP_PASSWORD },
      logger: false,
    });
    await appender.connect();
  });
  afterAll(async () => {
    await appender?.logout().catch(() => {});
    await Promise.all([imap?.stop(), smtp?.close(), database?.close()]);
  });

  it("turns delivered mail into a conversation, replies threaded over SMTP, and resumes after a restart", async () => {
    await deliver(rawMail({ messageId: "<order-1@example.org>", subject: "Order 48213 is late" }));
    const first = pollers();
    expect(await first.start()).toBe(1);
    try {
      await arrived("<order-1@example.org>");
      const conversationId = (await messageBy("<order-1@example.org>"))!.conversation_id;
      expect(await conversation(conversationId)).toMatchObject({
        status: "open",
        awaiting_reply: true,
        subject: "Order 48213 is late",
      });

      // The agent's reply goes out through the outbox worker as a threaded mail.
      const agent = await buildAgent(database.db, { name: "Maria Lopez" });
      const { messageId } = await services.replies.reply(
        conversationId,
        { id: agent.id, name: agent.name, signature: null },
        "Hi Ada, your parcel left our warehouse today.",
      );
      await createWorker(
        { database, events: services.events, connectors, secrets: box },
        { concurrency: 1 },
      ).drain();
      const mail = await smtp.waitFor("your parcel left our warehouse");
      expect(mail).toMatchObject({
        subject: "Re: Order 48213 is late",
        inReplyTo: "<order-1@example.org>",
        references: "<order-1@example.org>",
      });
      expect(mail.text).toContain("— Maria");
      expect(mail.from?.value[0]).toMatchObject({
        name: "Maria Lopez at Northwind",
        address: "care@northwind.example",
      });
      expect(mail.to).toMatchObject({ value: [{ address: "ada@example.org" }] });
      const [sent] = await database.rows<{ external_id: string }>(
        sql`SELECT external_id FROM messages WHERE id = ${messageId}`,
      );
      expect(sent!.external_id).toBe(mail.messageId);

      // Her answer to our reply (IDLE delivers it) joins the same conversation.
      await deliver(
        rawMail({
          messageId: "<order-2@example.org>",
          subject: "Re: Order 48213 is late",
          text: "Thank you!",
          headers: { "In-Reply-To": mail.messageId!, References: `<order-1@example.org> ${mail.messageId}` },
        }),
      );
      await arrived("<order-2@example.org>");
      expect((await messageBy("<order-2@example.org>"))!.conversation_id).toBe(conversationId);
    } finally {
      await first.stop();
    }

    // A restart: a new poller resumes after the last UID: only the new mail is fetched.
    await deliver(rawMail({ messageId: "<order-3@example.org>", subject: "Another question" }));
    const before = ingested.length;
    const second = pollers();
    await second.start();
    try {
      await arrived("<order-3@example.org>");
      expect(ingested.slice(before).map((i) => (i.payload as { uid: number }).uid)).toEqual([3]);
      const [row] = await database.rows<{ n: number; distinct_ids: number }>(
        sql`SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS distinct_ids FROM messages`,
      );
      expect(row!.n).toBe(row!.distinct_ids);
    } finally {
      await second.stop();
    }
    const [cursor] = await database.rows<{ cursor: { lastUid: number } }>(
      sql`SELECT cursor FROM channels WHERE id = ${channelId}`,
    );
    expect(cursor!.cursor.lastUid).toBe(3);
  });

  it("keeps auto-replies and bounces out of the queue, and rereads a renumbered mailbox without duplicates", async () => {
    await deliver(
      rawMail({
        messageId: "<ooo-1@example.org>",
        subject: "Out of office: Order 48213 is late",
        headers: { "Auto-Submitted": "auto-replied" },
      }),
    );
    const bounce = hasFixtures
      ? readFileSync(path.join(FIXTURES_DIR, "delivery-status.eml"), "utf8")
      : rawMail({ from: "MAILER-DAEMON@mx.example.org", messageId: "<xxxxxxxxxxx@email.amazonses.com>" });
    await deliver(bounce);
    // UIDVALIDITY changed since the cursor was saved: the whole mailbox is read again.
    await channelRepository(database.db).setCursor(channelId, {
      mailbox: "INBOX",
      uidValidity: 1,
      lastUid: 3,
    });
    const before = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM messages`);
    const poller = pollers();
    await poller.start();
    try {
      await arrived("<ooo-1@example.org>");
      await arrived("<xxxxxxxxxxx@email.amazonses.com>");
    } finally {
      await poller.stop();
    }
    const after = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM messages`);
    expect(after[0]!.n).toBe(before[0]!.n + 2);
    for (const [id, kind] of [
      ["<ooo-1@example.org>", "auto_reply"],
      ["<xxxxxxxxxxx@email.amazonses.com>", "bounce"],
    ] as const) {
      const message = (await messageBy(id))!;
      expect(message.automated).toBe(kind);
      expect(await conversation(message.conversation_id)).toMatchObject({
        status: "resolved",
        awaiting_reply: false,
      });
    }
    const [queued] = await database.rows<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM conversations c JOIN messages m ON m.conversation_id = c.id
      WHERE m.automated IS NOT NULL AND c.awaiting_reply AND c.status = 'open'`);
    expect(queued!.n).toBe(0);
  });
});
