/** What the webchat connector reads at send time (implemented over the store in services/). */
import type { OutboundChannel } from "../../core/outbound.ts";

export interface WebchatDirectory {
  /** The visitor's left email and whether a widget of theirs is connected to any server process. */
  visitor(
    channelId: string,
    visitorId: string,
  ): Promise<
    { connected: boolean; email: string | null; name: string | null; pageUrl: string | null } | undefined
  >;
  /** An email channel by key, with its decrypted secrets; undefined when there is none of that kind. */
  emailChannel(key: string): Promise<OutboundChannel | undefined>;
}
