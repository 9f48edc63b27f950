/**
 * Outbound email over SMTP (nodemailer): a plain-text reply from the channel's address with the agent's
 * name ("Maria at Northwind <care@…>"), "Re: <subject>", and In-Reply-To/References of the thread so
 * the person's mail client shows it in the same thread. The reply's Message-ID is its external id, so
 * the person's answer to it finds the conversation again.
 */
import { randomUUID } from "node:crypto";
import nodemailer from "nodemailer";
import { SendError, type SendInput, type SendResult } from "../../core/outbound.ts";
import { replySubject } from "./email.classify.ts";
import { emailConfigSchema } from "./email.config.ts";

const isMessageId = (id: string) => /^<[^<>\s]+@[^<>\s]+>$/.test(id);
const MAX_REFERENCES = 20;

/** The thread's ids for References: the root and the newest ones (RFC 5322 allows trimming the middle). */
export function referencesOf(ids: string[], replyTo: string | null): string[] {
  const all = [...new Set([...ids, ...(replyTo ? [replyTo] : [])])].filter(isMessageId);
  return all.length <= MAX_REFERENCES ? all : [all[0]!, ...all.slice(-(MAX_REFERENCES - 1))];
}

export interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

/** The SMTP server's own words, and whether trying again can help. */
export function smtpFailure(error: unknown): SendError {
  const e = error as SmtpError;
  const words = e.response ?? e.message;
  const permanent = (e.responseCode ?? 0) >= 500 || e.code === "EAUTH" || e.code === "EENVELOPE";
  return new SendError(
    `SMTP ${e.code ?? "error"}${e.responseCode ? ` ${e.responseCode}` : ""}: ${words}`,
    !permanent,
  );
}

export async function sendEmail(input: SendInput): Promise<SendResult> {
  const config = emailConfigSchema.safeParse(input.channel.config);
  if (!config.success)
    throw new SendError(`The email channel ${input.channel.key} is not set up (config).`, false);
  const c = config.data;
  const to = input.conversation.recipient?.handle ?? input.conversation.recipient?.externalId;
  if (!to?.includes("@")) throw new SendError("This conversation has no email address to reply to.", false);
  const password = input.channel.secrets?.smtpPassword;
  if (!password) throw new SendError(`The email channel ${input.channel.key} has no SMTP password.`, false);

  const domain = c.address.split("@")[1]!;
  const messageId = `<${randomUUID()}@${domain}>`;
  const brand = c.brand ?? input.channel.name;
  const references = referencesOf(input.threadExternalIds ?? [], input.replyToExternalId);
  const inReplyTo =
    input.replyToExternalId && isMessageId(input.replyToExternalId) ? input.replyToExternalId : null;
  const transport = nodemailer.createTransport({
    host: c.smtp.host,
    port: c.smtp.port,
    secure: c.smtp.secure,
    auth: { user: c.smtp.user, pass: password },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
    tls: { rejectUnauthorized: !c.allowSelfSigned },
  });
  try {
    await transport.sendMail({
      from: {
        name: input.message.authorName ? `${input.message.authorName} at ${brand}` : brand,
        address: c.address,
      },
      to: { name: input.conversation.recipient?.displayName ?? "", address: to },
      subject: replySubject(input.conversation.subject),
      text: input.message.text,
      messageId,
      ...(inReplyTo ? { inReplyTo } : {}),
      ...(references.length > 0 ? { references } : {}),
      headers: { "Auto-Submitted": "no" },
    });
  } catch (error) {
    throw smtpFailure(error);
  } finally {
    transport.close();
  }
  return { externalId: messageId };
}
