/**
 * Replies to a website visitor. The reply itself reaches an open widget through the realtime events
 * (the server process holding the visitor's socket pushes it once it is `sent`), so sending here decides
 * only whether the visitor is gone and must be written to: a visitor who left their email and has no
 * widget open gets the reply by email, through the SMTP account of the email channel the webchat channel
 * names (`config.emailChannel`). Everyone else finds the reply in the widget (now, or when they return).
 */
import { SendError, type SendInput, type SendResult } from "../../core/outbound.ts";
import { sendEmail } from "../email/email.outbound.ts";
import { webchatConfigSchema } from "./webchat.config.ts";
import type { WebchatDirectory } from "./webchat.directory.ts";

/** The id of a reply delivered through the widget. */
export const widgetExternalId = (messageId: string) => `webchat:${messageId}`;

export async function sendWebchat(
  input: SendInput,
  directory: WebchatDirectory | undefined,
): Promise<SendResult> {
  if (!directory)
    throw new SendError("The webchat connector runs without its visitor directory (a set-up error).", false);
  const config = webchatConfigSchema.safeParse(input.channel.config);
  if (!config.success)
    throw new SendError(`The webchat channel ${input.channel.key} is not set up (config).`, false);
  const visitorId = input.conversation.recipient?.externalId;
  if (!visitorId) throw new SendError("This conversation has no website visitor to answer.", false);
  const visitor = await directory.visitor(input.channel.id, visitorId);
  const emailKey = config.data.emailChannel;
  // On the page now, or no way to write to them: the widget shows it (now, or on their return).
  if (!visitor || visitor.connected || !visitor.email || !emailKey)
    return { externalId: widgetExternalId(input.message.id) };

  const email = await directory.emailChannel(emailKey);
  if (!email)
    throw new SendError(
      `The visitor left and asked for an answer by email, but the email channel "${emailKey}" named in this webchat channel's settings does not exist.`,
      false,
    );
  const where = visitor.pageUrl ? ` on ${visitor.pageUrl}` : "";
  const text = `${input.message.text}\n\n—\nYou wrote to ${input.channel.name} in the chat${where}. Open the chat again to continue the conversation there.`;
  return sendEmail({
    channel: email,
    conversation: {
      ...input.conversation,
      subject: `Your chat with ${input.channel.name}`,
      recipient: { externalId: visitor.email, handle: visitor.email, displayName: visitor.name },
    },
    message: { ...input.message, text },
    replyToExternalId: null,
    threadExternalIds: [],
  });
}
