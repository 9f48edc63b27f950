/**
 * Webchat channels as the public widget endpoints see them: found by key, config parsed, visitor key
 * decrypted — cached for a few seconds, since every visitor request needs them. Plus the origin check:
 * only the sites a channel allows (and this server itself) may embed its chat.
 */
import { type WebchatConfig, webchatConfigSchema } from "../../channels/webchat/webchat.config.ts";
import { AppError } from "../../core/errors.ts";
import type { SecretBox } from "../../services/secrets.ts";
import { channelRepository } from "../../store/channel.repository.ts";
import type { Database } from "../../store/db.ts";

export interface WidgetChannel {
  id: string;
  key: string;
  name: string;
  platform: string;
  config: WebchatConfig;
  visitorKey: string;
}

const TTL_MS = 5_000;

export class WidgetChannels {
  private readonly cache = new Map<string, { at: number; channel: WidgetChannel | null }>();
  private readonly channels;

  constructor(
    database: Database,
    private readonly secrets: SecretBox | null,
  ) {
    this.channels = channelRepository(database.db);
  }

  /** The webchat channel with this key, or a 404 that says so. */
  async get(key: string): Promise<WidgetChannel> {
    const hit = this.cache.get(key);
    const channel = hit && Date.now() - hit.at < TTL_MS ? hit.channel : await this.load(key);
    if (!channel) throw new AppError("not_found", `There is no website chat channel with the key "${key}".`);
    return channel;
  }

  private async load(key: string): Promise<WidgetChannel | null> {
    const row = await this.channels.byKey(key);
    let channel: WidgetChannel | null = null;
    if (row?.kind === "webchat") {
      const config = webchatConfigSchema.safeParse(row.config);
      const visitorKey = row.secrets && this.secrets ? this.secrets.open(row.secrets).visitorKey : undefined;
      if (!config.success || !visitorKey)
        throw new AppError(
          "bad_request",
          `The chat channel "${key}" is not set up completely (${!config.success ? "config" : "no visitor key, or the server has no secret key"}); see docs/channels/webchat.md.`,
        );
      channel = {
        id: row.id,
        key: row.key,
        name: row.name,
        platform: row.platform,
        config: config.data,
        visitorKey,
      };
    }
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(key, { at: Date.now(), channel });
    return channel;
  }
}

/**
 * May a page at `origin` use this channel? No Origin header (not a browser page) and this server's own
 * origin always may; otherwise the channel's allowedOrigins decide ("*" allows any site).
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: string[],
): boolean {
  if (!origin) return true;
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function checkOrigin(
  channel: WidgetChannel,
  origin: string | undefined,
  host: string | undefined,
): void {
  if (!originAllowed(origin, host, channel.config.allowedOrigins))
    throw new AppError(
      "forbidden",
      `The site ${origin} may not use the chat of channel "${channel.key}": add it to the channel's allowedOrigins.`,
    );
}
