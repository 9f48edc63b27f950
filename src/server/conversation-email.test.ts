/**
 * What GET /api/conversations/:id shows of email, on both engines: the subject, the sanitised HTML
 * beside the plain text, the "automated" kind, and attachments with name, type, size and a download
 * link that serves the exact bytes. Mails are built with nodemailer's MIME composer and go through the
 * real ingest pipeline.
 */
import type { FastifyInstance } from "fastify";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { createConnectorRegistry } from "../channels/registry.ts";
import { createServices, type Services } from "../services/container.ts";
import { buildApp } from "./app.ts";

const PDF = Buffer.from("%PDF-1.4\n% a tiny but real-looking invoice\n%%EOF\n");

function compose(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

describeEachEngine("email in the conversation API", (ctx) => {
  let app: FastifyInstance;
  let services: Services;
  let headers: Record<string, string>;

  beforeAll(async () => {
    services = createServices(ctx.database);
    const connectors = createConnectorRegistry();
    connectors.registerFormats(services.normalizers);
    app = await buildApp({ database: ctx.database, services, connectors });
    headers = (await agentWithToken(ctx.database, "sam@northwind.example")).headers;
  });
  afterAll(async () => {
    await app?.close();
  });

  const ingest = async (raw: Buffer) => {
    const summary = await services.ingest.ingest([
      { source: "test", format: "email", payload: { channel: "care-mail", raw: raw.toString("base64") } },
    ]);
    expect(summary.messages).toBe(1);
    const outcome = summary.outcomes[0] as { conversationId?: string };
    return outcome.conversationId!;
  };

  it("shows the subject, sanitised HTML, attachments with download links and automated mail", async () => {
    const conversationId = await ingest(
      await compose({
        from: "Ada Lovelace <ada@example.org>",
        to: "care@northwind.example",
        subject: "Invoice 48213 is wrong",
        messageId: "<invoice-1@example.org>",
        date: new Date("2026-11-20T09:00:00Z"),
        text: "Hello, the invoice charges me twice. See attached.",
        html: '<p>Hello, the invoice charges me <b>twice</b>.</p><script>alert(1)</script><img src="https://tracker.example/p.gif" onerror="alert(2)">',
        attachments: [{ filename: "invoice 48213.pdf", content: PDF, contentType: "application/pdf" }],
      }),
    );
    await ingest(
      await compose({
        from: "Ada Lovelace <ada@example.org>",
        to: "care@northwind.example",
        subject: "Re: Invoice 48213 is wrong",
        messageId: "<away-1@example.org>",
        inReplyTo: "<invoice-1@example.org>",
        date: new Date("2026-11-20T10:00:00Z"),
        headers: { "Auto-Submitted": "auto-replied" },
        text: "I am away until Monday.",
      }),
    );

    const res = await app.inject({ method: "GET", url: `/api/conversations/${conversationId}`, headers });
    expect(res.statusCode).toBe(200);
    const c = res.json();
    expect(c.subject).toBe("Invoice 48213 is wrong");
    expect(c.messages).toHaveLength(2);
    const [mail, away] = c.messages;
    expect(mail).toMatchObject({
      text: expect.stringContaining("charges me twice"),
      html: expect.stringContaining("<b>twice</b>"),
      automated: null,
      attachments: [
        {
          index: 0,
          filename: "invoice 48213.pdf",
          contentType: "application/pdf",
          size: PDF.length,
          url: `/api/messages/${mail.id}/attachments/0`,
        },
      ],
    });
    // Sanitised on ingest: no script, no handler; the image stays for "Load images".
    expect(mail.html).not.toMatch(/script|onerror|alert/);
    expect(mail.html).toContain('src="https://tracker.example/p.gif"');
    expect(away).toMatchObject({ automated: "auto_reply", html: null, attachments: [] });

    const file = await app.inject({ method: "GET", url: mail.attachments[0].url, headers });
    expect(file.statusCode).toBe(200);
    expect(file.headers["content-type"]).toBe("application/pdf");
    expect(file.headers["content-disposition"]).toContain("attachment;");
    expect(file.rawPayload.equals(PDF)).toBe(true);
  });
});
