import { describeConnectorContract } from "../contract.ts";
import { FAIL_MARKER, SIGNATURE_HEADER, signTestWebhook, testConnector } from "./test.connector.ts";

const connector = testConnector();
const canonical = (n: number, text = "My order 48213 never arrived.") => ({
  channel: "contract-test",
  externalId: `contract-${n}`,
  direction: "in",
  author: { externalId: `person-${n}`, displayName: `Person ${n}` },
  text,
  createdAt: "2026-11-21T09:14:00Z",
  visibility: "private",
});
const body = Buffer.from(JSON.stringify(canonical(1)));

describeConnectorContract("test", {
  connector: () => connector,
  valid: [
    { name: "a direct message", payload: canonical(1) },
    { name: "a reply in a thread", payload: { ...canonical(2), inReplyToExternalId: "contract-1" } },
  ],
  malformed: [
    { name: "malformed: no author", payload: { ...canonical(3), author: undefined } },
    { name: "truncated JSON", payload: JSON.stringify(canonical(4)).slice(0, 40) },
    { name: "oversized text", payload: canonical(5, "x".repeat(100_001)) },
  ],
  webhook: {
    secret: "s3cret",
    headers: { [SIGNATURE_HEADER]: signTestWebhook(body, "s3cret") },
    rawBody: body,
  },
  async delivered() {
    if (connector.sent.length === 0) throw new Error("the test platform received nothing");
  },
  failure: { text: `This will be refused ${FAIL_MARKER}.`, error: /Test platform error 403/ },
});
