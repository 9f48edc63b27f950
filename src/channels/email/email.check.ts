/**
 * "Test connection" for an email channel: IMAP and SMTP separately, each reporting the step that failed
 * — dns (the host name does not resolve), connect (refused, unreachable, timed out), tls (handshake or
 * certificate), auth (the server refused the user or password), mailbox (IMAP: the folder cannot be
 * opened) — with the server's own words.
 */
import { lookup } from "node:dns/promises";
import nodemailer from "nodemailer";
import type { ConfiguredChannel, ConnectionCheck } from "../connector.ts";
import { emailConfigSchema } from "./email.config.ts";
import { describeNetError as describe, type NetError, stepOf } from "./email.errors.ts";
import { imapClient } from "./email.poller.ts";

async function resolves(host: string): Promise<string | null> {
  try {
    await lookup(host);
    return null;
  } catch (error) {
    return `The host name ${host} does not resolve (${(error as NetError).code ?? "DNS error"}).`;
  }
}

export async function testEmailConnection(
  channel: Omit<ConfiguredChannel, "id">,
): Promise<ConnectionCheck[]> {
  const config = emailConfigSchema.parse(channel.config);
  const checks: ConnectionCheck[] = [];

  const imap = config.imap;
  const imapDns = await resolves(imap.host);
  if (imapDns) checks.push({ service: "imap", ok: false, step: "dns", message: imapDns });
  else {
    const client = imapClient(config, channel.secrets.imapPassword ?? "");
    client.on("error", () => {});
    let step = "connect";
    try {
      await client.connect();
      step = "mailbox";
      const box = await client.mailboxOpen(imap.mailbox, { readOnly: true });
      checks.push({
        service: "imap",
        ok: true,
        message: `Signed in to ${imap.host}:${imap.port} as ${imap.user}; ${imap.mailbox} holds ${box.exists} messages.`,
      });
    } catch (error) {
      const e = error as NetError;
      const failed = step === "mailbox" ? "mailbox" : stepOf(e);
      checks.push({
        service: "imap",
        ok: false,
        step: failed,
        message: `IMAP ${failed} failed: ${describe(e)}`,
      });
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  const smtp = config.smtp;
  const smtpDns = await resolves(smtp.host);
  if (smtpDns) checks.push({ service: "smtp", ok: false, step: "dns", message: smtpDns });
  else {
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: { user: smtp.user, pass: channel.secrets.smtpPassword ?? "" },
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      tls: { rejectUnauthorized: !config.allowSelfSigned },
    });
    try {
      await transport.verify();
      checks.push({
        service: "smtp",
        ok: true,
        message: `Signed in to ${smtp.host}:${smtp.port} as ${smtp.user}.`,
      });
    } catch (error) {
      const e = error as NetError;
      const failed = stepOf(e);
      checks.push({
        service: "smtp",
        ok: false,
        step: failed,
        message: `SMTP ${failed} failed: ${describe(e)}`,
      });
    } finally {
      transport.close();
    }
  }
  return checks;
}
