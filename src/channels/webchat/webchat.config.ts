/** A webchat channel's settings (channels.config) and secrets (channels.secrets, encrypted). */
import { randomBytes } from "node:crypto";
import { z } from "zod";

/** "https://www.northwind.example" (scheme, host, optional port; no path), or "*" for any site. */
const originSchema = z
  .string()
  .trim()
  .max(300)
  .refine((value) => {
    if (value === "*") return true;
    try {
      const url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
    } catch {
      return false;
    }
  }, 'must be an origin such as "https://www.example.com" (no path, no trailing slash) or "*"');

export const webchatConfigSchema = z.object({
  /**
   * The sites that may embed the widget. The server's own address (its /widget-demo page) is always
   * allowed; requests from any other origin are refused.
   */
  allowedOrigins: z.array(originSchema).max(50).default([]),
  /** Shown above the conversation: "Hi! We are the Northwind care team." */
  greeting: z.string().trim().min(1).max(300).optional(),
  /**
   * The key of an email channel whose SMTP account answers visitors who left their email and are no
   * longer on the page. Without it, such replies wait in the widget until the visitor returns.
   */
  emailChannel: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, "must be the key of an email channel")
    .max(200)
    .optional(),
  /** The launcher's and the visitor's bubbles' colour, "#rrggbb". */
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like "#1f6feb"')
    .optional(),
});
export type WebchatConfig = z.infer<typeof webchatConfigSchema>;

/**
 * The key visitor tokens are signed with. Generated when the channel is set up (leave it out); changing
 * it signs every visitor out (they start a new conversation).
 */
export const webchatSecretsSchema = z.object({
  visitorKey: z
    .string()
    .min(32, "visitorKey must have at least 32 characters")
    .max(200)
    .default(() => randomBytes(32).toString("base64url")),
});
export type WebchatSecrets = z.infer<typeof webchatSecretsSchema>;
