/** A Mastodon channel's settings (channels.config) and secrets (channels.secrets, encrypted). */
import { z } from "zod";

/** The OAuth scopes Rapport asks for, and what each is for (docs/channels/mastodon.md). */
export const MASTODON_SCOPES = {
  "read:accounts": "who the channel's account is (verify_credentials)",
  "read:notifications": "mentions, and the user stream",
  "read:statuses": "direct conversations, the posts replied to, and the direct stream",
  "write:statuses": "posting replies",
} as const;
export const MASTODON_SCOPE_LIST = Object.keys(MASTODON_SCOPES) as Array<keyof typeof MASTODON_SCOPES>;

/** The instance's base URL, normalised to scheme://host[:port] (no path, no trailing slash). */
export const instanceUrlSchema = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .transform((value, ctx) => {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
    try {
      const url = new URL(withScheme);
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("scheme");
      return url.origin;
    } catch {
      ctx.addIssue({
        code: "custom",
        message: "must be the instance's address, e.g. https://mastodon.social",
      });
      return z.NEVER;
    }
  })
  .meta({
    title: "Instance",
    description: "The address of the Mastodon server the account lives on, e.g. https://mastodon.social",
    placeholder: "https://mastodon.social",
  });

export const mastodonConfigSchema = z.object({
  instanceUrl: instanceUrlSchema,
  /** Seconds between REST polls when the streaming API is unavailable (default 30). */
  pollSeconds: z.number().int().min(5).max(3600).optional().meta({
    title: "Polling interval (seconds)",
    description:
      "How often to ask the server for new mentions when its streaming API cannot be reached (default 30).",
  }),
});
export type MastodonConfig = z.infer<typeof mastodonConfigSchema>;

export const mastodonSecretsSchema = z.object({
  accessToken: z
    .string()
    .trim()
    .min(10, "the access token looks too short")
    .max(500)
    .meta({
      title: "Access token",
      description: `An access token of the brand's account with the scopes ${MASTODON_SCOPE_LIST.join(", ")} (on the instance: Preferences → Development → New application).`,
    }),
});
export type MastodonSecrets = z.infer<typeof mastodonSecretsSchema>;
