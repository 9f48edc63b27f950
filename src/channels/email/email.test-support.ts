/** Test support for the email connector: the shared .eml fixtures as raw payloads, and mail builders. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { EmailPayload } from "./email.inbound.ts";

export const FIXTURES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../shared/data/payloads/email",
);
export const hasFixtures = existsSync(FIXTURES_DIR);

/** Every .eml fixture as a payload for `channel` (a received time stands in for a missing Date). */
export function fixturePayloads(channel: string): Array<{ name: string; payload: EmailPayload }> {
  if (!hasFixtures) return [];
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".eml"))
    .sort()
    .map((name) => ({
      name,
      payload: {
        channel,
        raw: readFileSync(path.join(FIXTURES_DIR, name)).toString("base64"),
        receivedAt: "2026-11-20T10:00:00.000Z",
      },
    }));
}

/** A small RFC 5322 mail; `headers` adds or overrides header lines. */
export function rawMail(options: {
  from?: string;
  to?: string;
  subject?: string;
  messageId?: string;
  date?: string;
  text?: string;
  headers?: Record<string, string>;
}): string {
  const headers: Record<string, string> = {
    From: options.from ?? "Ada Lovelace <ada@example.org>",
    To: options.to ?? "care@northwind.example",
    Subject: options.subject ?? "My order 48213 never arrived",
    "Message-ID": options.messageId ?? `<${Math.random().toString(36).slice(2)}@example.org>`,
    Date: options.date ?? "Fri, 20 Nov 2026 09:14:00 +0000",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=utf-8",
    ...options.headers,
  };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n");
  return `${head}\r\n\r\n${options.text ?? "Hello, my parcel is three weeks late. Can you help?"}\r\n`;
}

export const payloadOf = (channel: string, raw: string): EmailPayload => ({
  channel,
  raw: Buffer.from(raw).toString("base64"),
});
