/** An email channel's settings (channels.config) and secrets (channels.secrets, encrypted). */
import { z } from "zod";

const server = z.object({
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  /** true: TLS from the first byte (IMAPS 993, SMTPS 465); false: plain, upgraded with STARTTLS when offered. */
  secure: z.boolean(),
  user: z.string().trim().min(1).max(320),
});

export const emailConfigSchema = z.object({
  /** The address people write to and replies come from, e.g. care@northwind.example. */
  address: z.email(),
  /** The brand in the From name: "Maria at Northwind". Defaults to the channel's name. */
  brand: z.string().trim().min(1).max(100).optional(),
  imap: server.extend({ mailbox: z.string().min(1).max(200).default("INBOX") }),
  smtp: server,
  /** Seconds between checks when the server has no IDLE (or as a safety net; default 60). */
  pollSeconds: z.number().int().min(5).max(3600).optional(),
  /** Accept self-signed certificates (test servers only). */
  allowSelfSigned: z.boolean().optional(),
});
export type EmailConfig = z.infer<typeof emailConfigSchema>;

export const emailSecretsSchema = z.object({
  imapPassword: z.string().min(1).max(1000),
  smtpPassword: z.string().min(1).max(1000),
});
export type EmailSecrets = z.infer<typeof emailSecretsSchema>;
