/**
 * The widget's WebSocket protocol: JSON frames, validated with zod. The first frame is `hello`; see
 * docs/channels/webchat.md, "Protocol".
 */
import { z } from "zod";
import { clientIdSchema, visitorTextSchema } from "../../channels/webchat/webchat.inbound.ts";
import { storable } from "../../core/sanitize.ts";
import type { WidgetMessage } from "../../store/webchat.repository.ts";

/** Largest frame read at all (the socket closes with 1009 above it); messages are limited far lower. */
export const MAX_FRAME_BYTES = 32 * 1024;

export const helloFrame = z.object({
  type: z.literal("hello"),
  /** The visitor token from an earlier visit; absent or null for a new visitor. */
  token: z.string().max(400).nullish(),
  /** The page the visitor is on; kept only when it is an http(s) URL. */
  pageUrl: z
    .string()
    .max(2048)
    .nullish()
    .transform((url) => (url && /^https?:\/\/[^\s]+$/i.test(url) ? url : null)),
});

export const clientFrame = z.discriminatedUnion("type", [
  helloFrame,
  z.object({ type: z.literal("message"), id: clientIdSchema, text: visitorTextSchema }),
  z.object({ type: z.literal("typing"), typing: z.boolean() }),
  z.object({
    type: z.literal("contact"),
    email: z.email("must be an email address").max(320),
    // What a visitor typed is kept, not refused: U+0000 or a lone surrogate (PostgreSQL cannot hold
    // them) becomes U+FFFD.
    name: z.string().trim().max(200).transform(storable).nullish(),
  }),
]);
export type ClientFrame = z.infer<typeof clientFrame>;

export type ServerFrame =
  | {
      type: "welcome";
      token: string;
      visitorId: string;
      /** Why an earlier token was not accepted (the visitor starts afresh), when it was not. */
      reset?: string;
      contact: { email: string; name: string | null } | null;
      messages: WidgetMessage[];
    }
  | { type: "ack"; id: string; messageId: string; duplicate: boolean }
  | { type: "message"; message: WidgetMessage }
  | { type: "typing"; typing: boolean; agents: string[] }
  | { type: "contact"; email: string }
  | { type: "error"; code: string; message: string; ref?: string };
