/**
 * The demo connector: marks replies sent without any network. It serves `import` channels (history
 * has no live account to answer from) and, in demo mode (`rapport serve --demo`), the demo workspace's
 * platforms. Real connectors replace it per platform (issues 6 and 7).
 */
import { randomUUID } from "node:crypto";
import type { Connector } from "../connector.ts";

/** The kinds the demo workspace uses (src/demo/demo.generator.ts). */
export const DEMO_KINDS = ["x", "facebook", "instagram", "mastodon", "bluesky", "email", "webchat"] as const;

export function demoConnector(kind: string): Connector {
  return {
    kind,
    capabilities: {
      publicReplies: true,
      privateMessages: true,
      attachments: false,
      edits: false,
      deletes: false,
    },
    async send() {
      return { externalId: `${kind}:demo:${randomUUID()}` };
    },
  };
}
