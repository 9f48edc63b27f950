/** A Bluesky channel's settings (channels.config) and secrets (channels.secrets, encrypted). */
import { z } from "zod";

export const DEFAULT_SERVICE = "https://bsky.social";
/** Proxy target of the chat (DM) service, sent as the `atproto-proxy` header through the PDS. */
export const CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat";

const httpUrl = z.url({ protocol: /^https?$/, message: "must be an http(s) URL" });

export const blueskyConfigSchema = z
  .object({
    service: httpUrl.default(DEFAULT_SERVICE).meta({
      title: "Server (PDS)",
      description:
        "Where the account lives. https://bsky.social for accounts created on bsky.app; your own PDS's URL otherwise.",
    }),
    handle: z
      .string()
      .trim()
      .transform((h) => h.replace(/^@/, "").toLowerCase())
      .pipe(
        z
          .string()
          .min(3)
          .max(253)
          .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, {
            message: "must be a handle like northwind.bsky.social (no @)",
          }),
      )
      .meta({
        title: "Handle",
        description: "The account people mention, e.g. northwind.bsky.social or care.northwind.example.",
      }),
    jetstreamUrl: z
      .url({ protocol: /^wss?$/, message: "must be a ws:// or wss:// URL" })
      .optional()
      .meta({
        title: "Jetstream URL (optional)",
        description:
          "Live stream of posts, e.g. wss://jetstream2.us-east.bsky.network/subscribe. Gives mentions within seconds and deletions; without it, notifications are checked every poll interval.",
      }),
    pollSeconds: z.number().int().min(5).max(3600).optional().meta({
      title: "Check every (seconds)",
      description: "How often notifications and direct messages are checked (default 30).",
    }),
    directMessages: z.boolean().default(true).meta({
      title: "Read and answer direct messages",
      description:
        "Needs an app password created with “Allow access to your direct messages”; turn off if yours has none.",
    }),
  })
  .meta({ title: "Bluesky account" });
export type BlueskyConfig = z.infer<typeof blueskyConfigSchema>;

export const blueskySecretsSchema = z
  .object({
    appPassword: z.string().trim().min(1).max(200).meta({
      title: "App password",
      description:
        "Create one at bsky.app → Settings → Privacy and security → App passwords (xxxx-xxxx-xxxx-xxxx). Never your account password.",
    }),
  })
  .meta({ title: "Bluesky secrets" });
export type BlueskySecrets = z.infer<typeof blueskySecretsSchema>;
