/**
 * The `email` connector: IMAP in (email.poller.ts), SMTP out (email.outbound.ts), raw mail parsed with
 * mailparser (email.inbound.ts). Set up in docs/channels/email.md.
 */
import type { Connector } from "../connector.ts";
import { testEmailConnection } from "./email.check.ts";
import { emailConfigSchema, emailSecretsSchema } from "./email.config.ts";
import { parseEmail } from "./email.inbound.ts";
import { sendEmail } from "./email.outbound.ts";
import { pollEmail } from "./email.poller.ts";

export function emailConnector(): Connector {
  return {
    kind: "email",
    format: "email",
    capabilities: {
      publicReplies: false,
      privateMessages: true,
      attachments: true,
      edits: false,
      deletes: false,
    },
    parse: parseEmail,
    send: sendEmail,
    poll: (ctx) => pollEmail(ctx),
    setup: {
      label: "Email (IMAP + SMTP)",
      description:
        "A support inbox read over IMAP and answered over SMTP. Have the servers, the user name and the passwords (or app passwords) at hand.",
      config: emailConfigSchema,
      secrets: emailSecretsSchema,
      test: testEmailConnection,
    },
    // `rapport parse email mail.eml`: the payload the poller would store (the file's time as IMAP's).
    readFile: {
      description: "a raw RFC 5322 mail (.eml)",
      read: (content, file) => [
        { channel: file.channel, raw: content.toString("base64"), receivedAt: file.modifiedAt.toISOString() },
      ],
    },
  };
}
