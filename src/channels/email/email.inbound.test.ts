import { describe, expect, it } from "vitest";
import { sanitizeEmailHtml } from "../../services/html.sanitize.ts";
import { NormalizerRegistry } from "../../services/normalizers.ts";
import { classifyMail, normalizeSubject, replySubject } from "./email.classify.ts";
import { parseEmail } from "./email.inbound.ts";
import { fixturePayloads, hasFixtures, payloadOf, rawMail } from "./email.test-support.ts";

const parse = async (raw: string) => {
  const result = await parseEmail(payloadOf("care", raw));
  if (!result.ok) throw new Error(result.reason);
  return result.message;
};

if (!hasFixtures) console.warn("../shared/data/payloads/email is absent: the .eml fixture test is skipped");

describe("the shared .eml fixtures", () => {
  it.skipIf(!hasFixtures)("all parse into canonical messages (../shared/data/payloads/email)", async () => {
    const fixtures = fixturePayloads("care");
    expect(fixtures.length).toBeGreaterThanOrEqual(7);
    const byName = new Map<string, Awaited<ReturnType<typeof parseEmail>>>();
    for (const f of fixtures) byName.set(f.name, await parseEmail(f.payload));
    for (const [name, result] of byName) expect(result.ok ? "ok" : `${name}: ${result.reason}`).toBe("ok");
    const message = (name: string) => {
      const r = byName.get(name)!;
      if (!r.ok) throw new Error(r.reason);
      return r.message;
    };
    expect(message("delivery-status.eml").automated).toBe("bounce");
    expect(message("nodemailer.eml")).toMatchObject({
      externalId: "<012d606e-3550-2d94-b566-6cd996de88e3@kreata.ee>",
      author: { externalId: "andris@kreata.ee", displayName: "Andris Kreata" },
      text: expect.stringContaining("Hello to myself"),
      automated: null,
    });
    expect(message("nodemailer.eml").attachments?.map((a) => a.filename)).toContain("notes.txt");
    const png = message("base64encodedroot.eml").attachments![0]!;
    expect(png).toMatchObject({ filename: "screenshot.png", contentType: "image/png", size: 425 });
    expect(Buffer.from(png.contentBase64!, "base64").subarray(1, 4).toString()).toBe("PNG");
    // HTML-only mail gets its text from the HTML.
    expect(message("spam.eml").text.length).toBeGreaterThan(20);
    expect(message("spam.eml").html).toContain("<");
  });
});

describe("parsing mail", () => {
  it("keeps a mail whose subject, sender name or ids exceed the canonical limits, cut or digested", async () => {
    const longId = `<${"x".repeat(700)}@example.org>`;
    const m = await parse(
      rawMail({
        from: `"${"N".repeat(600)}" <ada@example.org>`,
        subject: "S".repeat(1500),
        messageId: longId,
      }),
    );
    expect(m.subject).toHaveLength(998);
    expect(m.subject!.endsWith("…")).toBe(true);
    expect(m.author.displayName).toHaveLength(512);
    expect(m.externalId).toMatch(/^<sha256-[0-9a-f]{64}@rapport\.invalid>$/);
    // A reply citing the long id gets the same digest, so it joins the conversation.
    const reply = await parse(rawMail({ subject: "Re: S", headers: { "In-Reply-To": longId } }));
    expect(reply.inReplyToExternalId).toBe(m.externalId);
  });

  it("stores U+FFFD where the mail's encoding decodes to U+0000 (PostgreSQL cannot hold it)", async () => {
    const raw = rawMail({
      text: "refund=00please",
      headers: { "Content-Transfer-Encoding": "quoted-printable" },
    });
    // The raw mail has no NUL; decoding makes one, so ingest's normalizer step replaces it.
    expect((await parse(raw)).text).toBe("refund\u0000please");
    const result = await new NormalizerRegistry()
      .register("email", parseEmail)
      .normalize("email", payloadOf("care", raw));
    expect(result.ok && "message" in result ? result.message.text : result).toBe("refund\uFFFDplease");
  });

  it("dates a mail whose Date header is implausible (before 1970, year 9999) by when it arrived", async () => {
    const receivedAt = "2026-11-20T10:00:00.000Z";
    for (const date of [
      "Thu, 01 Jan 1970 00:00:00 +0100",
      "Mon, 01 Jan 1900 00:00:00 +0000",
      "Fri, 31 Dec 9999 23:59:59 +0000",
    ]) {
      const result = await parseEmail({ ...payloadOf("care", rawMail({ date })), receivedAt });
      expect(result.ok && result.message.createdAt, date).toBe(receivedAt);
    }
    // A plausible one is kept as written.
    const kept = await parseEmail({ ...payloadOf("care", rawMail({})), receivedAt });
    expect(kept.ok && kept.message.createdAt).toBe("2026-11-20T09:14:00.000Z");
  });

  it("prefers the plain text, keeps the HTML for sanitising, and threads by headers", async () => {
    const m = await parse(
      rawMail({
        messageId: "<reply-1@example.org>",
        subject: "Re: My order",
        headers: {
          "In-Reply-To": "<ours-1@northwind.example>",
          References: "<root@example.org> <ours-1@northwind.example>",
        },
      }),
    );
    expect(m).toMatchObject({
      externalId: "<reply-1@example.org>",
      inReplyToExternalId: "<ours-1@northwind.example>",
      subject: "Re: My order",
      visibility: "private",
      author: { externalId: "ada@example.org", displayName: "Ada Lovelace" },
    });
    expect(m.threadExternalId).toBeUndefined();
  });

  it("threads mail without threading headers by sender and normalised subject", async () => {
    const a = await parse(rawMail({ subject: "Order 48213" }));
    const b = await parse(rawMail({ subject: "RE: Fwd: AW:  order 48213" }));
    expect(a.threadExternalId).toBe("subject:ada@example.org:order 48213");
    expect(b.threadExternalId).toBe(a.threadExternalId);
    expect(normalizeSubject("Re[2]: Fwd: Hello  world")).toBe("hello world");
    expect(replySubject("Order 48213")).toBe("Re: Order 48213");
    expect(replySubject("Re: Order 48213")).toBe("Re: Order 48213");
    expect(replySubject("Fwd: Order")).toBe("Re: Order");
  });

  it("recognises auto-replies, bounces and list mail", async () => {
    const kind = async (headers: Record<string, string>, from?: string) =>
      (await parse(rawMail({ headers, ...(from ? { from } : {}) }))).automated;
    expect(await kind({ "Auto-Submitted": "auto-replied" })).toBe("auto_reply");
    expect(await kind({ "Auto-Submitted": "no" })).toBeNull();
    expect(await kind({ "X-Autoreply": "yes" })).toBe("auto_reply");
    expect(await kind({ Precedence: "auto_reply" })).toBe("auto_reply");
    expect(await kind({ Precedence: "bulk" })).toBe("list");
    expect(await kind({ "List-Id": "<news.northwind.example>" })).toBe("list");
    expect(await kind({ "List-Unsubscribe": "<mailto:leave@example.org>" })).toBe("list");
    expect(await kind({}, "Mail Delivery System <MAILER-DAEMON@mx.example.org>")).toBe("bounce");
    expect(classifyMail(() => [], "ada@example.org")).toBeNull();
  });

  it("dead-letters what is not a mail, with the reason", async () => {
    expect(await parseEmail({ channel: "care" })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("raw"),
    });
    expect(await parseEmail(payloadOf("care", "just some words without headers"))).toMatchObject({
      ok: false,
    });
    expect(await parseEmail({ channel: "care", raw: "!!!" })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("base64"),
    });
  });
});

describe("sanitising HTML", () => {
  it("drops scripts, event handlers and unsafe links; keeps images without their handlers", () => {
    const html = sanitizeEmailHtml(
      '<p onclick="x()">Hi <b>there</b><script>alert(1)</script><img src="https://t.example/p.gif" onerror="x()" alt="logo"><a href="javascript:alert(1)">x</a><a href="https://ok.example">ok</a></p><style>p{}</style>',
    );
    expect(html).toBe(
      '<p>Hi <b>there</b><img src="https://t.example/p.gif" alt="logo" /><a rel="noopener noreferrer nofollow" target="_blank">x</a><a href="https://ok.example" rel="noopener noreferrer nofollow" target="_blank">ok</a></p>',
    );
  });

  it("keeps only http(s) and data: image sources", () => {
    const html = sanitizeEmailHtml(
      '<img src="javascript:alert(1)"><img src="cid:logo@x"><img src="data:image/png;base64,AAAA"><img src="//t.example/p.gif">',
    );
    expect(html).toBe('<img /><img /><img src="data:image/png;base64,AAAA" /><img />');
  });
});
