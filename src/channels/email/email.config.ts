/**
 * An email channel's settings (channels.config) and secrets (channels.secrets, encrypted). The titles,
 * descriptions and placeholders (zod `.meta`) label the set-up form the workspace draws from them.
 */
import { z } from "zod";

const server = (protocol: "IMAP" | "SMTP", host: string, port: number) =>
  z.object({
    host: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .meta({ title: "Server", placeholder: host, description: `The ${protocol} server's host name.` }),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .meta({ title: "Port", placeholder: String(port) }),
    /** true: TLS from the first byte (IMAPS 993, SMTPS 465); false: plain, upgraded with STARTTLS when offered. */
    secure: z.boolean().meta({
      title: "TLS from the start",
      description:
        protocol === "IMAP"
          ? "On for port 993; off for 143 (upgraded with STARTTLS when the server offers it)."
          : "On for port 465; off for 587 (upgraded with STARTTLS when the server offers it).",
    }),
    user: z
      .string()
      .trim()
      .min(1)
      .max(320)
      .meta({ title: "User name", placeholder: "care@northwind.example" }),
  });

export const emailConfigSchema = z.object({
  /** The address people write to and replies come from, e.g. care@northwind.example. */
  address: z.email().meta({
    title: "Support address",
    placeholder: "care@northwind.example",
    description: "The address people write to; replies are sent from it.",
  }),
  /** The brand in the From name: "Maria at Northwind". Defaults to the channel's name. */
  brand: z.string().trim().min(1).max(100).optional().meta({
    title: "Brand",
    placeholder: "Northwind",
    description: 'Replies come from "Maria at <brand>". Default: the channel\'s name.',
  }),
  imap: server("IMAP", "imap.northwind.example", 993)
    .extend({
      mailbox: z
        .string()
        .min(1)
        .max(200)
        .default("INBOX")
        .meta({ title: "Folder", description: "The folder to read (usually INBOX)." }),
    })
    .meta({ title: "Incoming mail (IMAP)" }),
  smtp: server("SMTP", "smtp.northwind.example", 465).meta({ title: "Outgoing mail (SMTP)" }),
  /** Seconds between checks when the server has no IDLE (or as a safety net; default 60). */
  pollSeconds: z.number().int().min(5).max(3600).optional().meta({
    title: "Check every (seconds)",
    placeholder: "60",
    description: "New mail usually arrives within a second (IMAP IDLE); this is the safety net.",
  }),
  /** Accept self-signed certificates (test servers only). */
  allowSelfSigned: z
    .boolean()
    .optional()
    .meta({ title: "Accept self-signed certificates", description: "For test servers only." }),
});
export type EmailConfig = z.infer<typeof emailConfigSchema>;

export const emailSecretsSchema = z.object({
  imapPassword: z
    .string()
    .min(1)
    .max(1000)
    .meta({ title: "IMAP password", description: "With Gmail or Microsoft 365, an app password." }),
  smtpPassword: z
    .string()
    .min(1)
    .max(1000)
    .meta({ title: "SMTP password", description: "Often the same as the IMAP password." }),
});
export type EmailSecrets = z.infer<typeof emailSecretsSchema>;
