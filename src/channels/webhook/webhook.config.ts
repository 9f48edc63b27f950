/**
 * A webhook channel's settings: where agents' replies go, and whose identities its authors are. Titles,
 * descriptions and placeholders (zod `.meta`) label the set-up form the workspace draws from them.
 */
import { z } from "zod";

export const webhookConfigSchema = z
  .object({
    /** Agents' replies are POSTed here, signed; without it the channel is inbound only. */
    callbackUrl: z
      .url({ protocol: /^https?$/, message: "callbackUrl must be an http(s) URL" })
      .max(2048)
      .optional()
      .meta({
        title: "Callback URL",
        placeholder: "https://bridge.example/rapport/replies",
        description:
          "Agents' replies are POSTed here, signed like the messages you send. Leave empty for an inbound-only channel.",
      }),
    /**
     * The identity namespace of the authors this channel receives (e.g. "discord"): two channels with
     * the same platform share people. Default: the channel's key, so unrelated senders never merge.
     */
    platform: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._:-]*$/, "platform: lower-case letters, digits and . _ : - only")
      .max(100)
      .optional()
      .meta({
        title: "Platform",
        placeholder: "discord",
        description:
          "Whose accounts the authors are. Channels with the same platform share people; empty keeps this channel's authors apart. Fixed once set up.",
      }),
  })
  .strict()
  .default({});
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

export const webhookSecretsSchema = z.object({
  /** Generated at setup unless given (at least 32 characters), and shown once. */
  signingSecret: z
    .string()
    .min(32, "signingSecret must have at least 32 characters")
    .max(256)
    .optional()
    .meta({
      title: "Signing secret",
      description:
        "Leave empty: Rapport generates one and shows it once. Senders sign their requests with it.",
    }),
});
