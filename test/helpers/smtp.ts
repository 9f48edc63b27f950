/**
 * A real SMTP server (smtp-server) on a free localhost port that keeps what it receives, parsed. It
 * requires AUTH (user "rapport", password "smtp-secret") and refuses any message containing "[refuse]"
 * with a 554, like a provider's content filter.
 */
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export const SMTP_USER = "rapport";
export const SMTP_PASSWORD = "smtp-secret";

export interface TestSmtp {
  port: number;
  received: ParsedMail[];
  /** Resolves with the first received mail whose text contains `text` (waits up to 5 s). */
  waitFor(text: string): Promise<ParsedMail>;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtp> {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD)
        callback(null, { user: auth.username });
      else
        callback(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        if (raw.includes("[refuse]")) {
          callback(
            Object.assign(new Error("5.7.1 Message rejected: content refused by policy"), {
              responseCode: 554,
            }),
          );
          return;
        }
        simpleParser(raw).then(
          (mail) => {
            received.push(mail);
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    received,
    async waitFor(text) {
      for (let i = 0; i < 100; i++) {
        const mail = received.find((m) => (m.text ?? "").includes(text));
        if (mail) return mail;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`The SMTP server received no mail containing "${text}" (got ${received.length}).`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The row of an email channel that sends through `smtp` (and never reads mail: IMAP points at port 1),
 * for tests where another channel hands over to email, e.g. the website chat's offline messages.
 */
export function sendOnlyEmailChannel(
  smtp: Pick<TestSmtp, "port">,
  box: { seal(secrets: Record<string, string>): string },
  key = "email-care",
) {
  return {
    key,
    kind: "email",
    platform: "email",
    name: "Northwind care",
    config: {
      address: "care@northwind.example",
      brand: "Northwind",
      imap: { host: "127.0.0.1", port: 1, secure: false, user: "care", mailbox: "INBOX" },
      smtp: { host: "127.0.0.1", port: smtp.port, secure: false, user: SMTP_USER },
    },
    secrets: box.seal({ imapPassword: "unused", smtpPassword: SMTP_PASSWORD }),
  };
}
