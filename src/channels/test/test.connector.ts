/**
 * The `test` channel kind: sends nowhere and succeeds, except that a text containing "[fail]" is
 * refused with a platform-like error. For tests and for trying the outbox by hand.
 */
import { randomUUID } from "node:crypto";
import { type Connector, SendError } from "../connector.ts";

export const FAIL_MARKER = "[fail]";

export function testConnector(): Connector & { sent: string[] } {
  const sent: string[] = [];
  return {
    kind: "test",
    sent,
    async send({ message }) {
      if (message.text.includes(FAIL_MARKER)) {
        throw new SendError(
          'Test platform error 403 (code 187): the message was refused because it contains "[fail]".',
          false,
        );
      }
      sent.push(message.id);
      return { externalId: `test:${randomUUID()}` };
    },
  };
}
