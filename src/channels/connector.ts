/**
 * The contract every platform connector implements. Issue 6 formalises the inbound side (parse, dedupe,
 * signature checks); for now a connector sends replies.
 */
import type { SendInput, SendResult } from "../core/outbound.ts";

export type { SendInput, SendResult } from "../core/outbound.ts";
export { SendError } from "../core/outbound.ts";

export interface Connector {
  /** The channel kind this connector serves ("x", "email", "test", …). */
  kind: string;
  /** Sends a reply; resolves with the platform's id, or throws a SendError with the platform's message. */
  send(input: SendInput): Promise<SendResult>;
}
