/** A webhook channel's settings: where agents' replies go, and whose identities its authors are. */
import { z } from "zod";

export const webhookConfigSchema = z
  .object({
    /** Agents' replies are POSTed here, signed; without it the channel is inbound only. */
    callbackUrl: z
      .url({ protocol: /^https?$/, message: "callbackUrl must be an http(s) URL" })
      .max(2048)
      .optional(),
    /**
     * The identity namespace of the authors this channel receives (e.g. "discord"): two channels with
     * the same platform share people. Default: the channel's key, so unrelated senders never merge.
     */
    platform: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._:-]*$/, "platform: lower-case letters, digits and . _ : - only")
      .max(100)
      .optional(),
  })
  .strict()
  .default({});
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

export const webhookSecretsSchema = z.object({
  /** Generated at setup unless given (at least 32 characters). */
  signingSecret: z.string().min(32, "signingSecret must have at least 32 characters").max(256),
});
