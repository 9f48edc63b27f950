/**
 * The connector contract for Bluesky: the real Jetstream capture's posts and replies (skipped with a
 * message when ../shared is absent), a mention made on the local simulator (the reply answers it there),
 * a notification and a DM.
 */
import { expect } from "vitest";
import { SecretBox } from "../../services/secrets.ts";
import { channels } from "../../store/schema.ts";
import { describeConnectorContract } from "../contract.ts";
import { blueskyConnector } from "./bluesky.connector.ts";
import { type BlueskyPayload, parseBluesky } from "./bluesky.inbound.ts";
import { BlueskySimulator } from "./bluesky.simulator.ts";
import { captureEvents, captureMissingReason, hasCapture, jetstreamPayload } from "./bluesky.test-support.ts";

const CHANNEL = "bsky-contract";
const box = new SecretBox(Buffer.alloc(32, 9));
const sim = new BlueskySimulator();
let mention: BlueskyPayload;
let care: { did: string; handle: string };

if (!hasCapture) console.warn(captureMissingReason);

describeConnectorContract("bluesky", {
  connector: () => blueskyConnector(),
  secrets: box,
  async setup(database) {
    await sim.start();
    sim.createAccount("care.test", { displayName: "Northwind Care" });
    sim.createAccount("ada.test", { displayName: "Ada Lovelace" });
    care = sim.account("care.test");
    const password = sim.createAppPassword("care.test", true);
    const posted = sim.post(
      "ada.test",
      "@care.test my order 48213 never arrived 😡 https://example.com/orders/48213",
    );
    const event = sim.events.find((e) => e.commit?.rkey === posted.uri.split("/").pop())!;
    mention = { ...jetstreamPayload(CHANNEL, event, care), author: sim.account("ada.test") };
    await database.db.insert(channels).values({
      key: CHANNEL,
      kind: "bluesky",
      platform: "bluesky",
      name: "Northwind on Bluesky",
      config: { service: sim.url, handle: "care.test", directMessages: true },
      secrets: box.seal({ appPassword: password }),
    });
  },
  teardown: () => sim.stop(),
  valid: () => [
    { name: "a mention made on the simulator", payload: mention },
    {
      name: "a mention notification",
      payload: {
        channel: CHANNEL,
        account: care,
        notification: {
          uri: "at://did:plc:ada000000000000000000000/app.bsky.feed.post/3mptbyzzzzz2a",
          cid: "bafyreiapzyf65cmq55jklpnrihiygze2jmmdqvvkwqeiomd72pbp2iazuu",
          author: { did: "did:plc:ada000000000000000000000", handle: "ada.test", displayName: "Ada" },
          reason: "mention",
          record: {
            $type: "app.bsky.feed.post",
            text: "@care.test still waiting",
            createdAt: "2026-07-04T15:00:00Z",
          },
          isRead: false,
          indexedAt: "2026-07-04T15:00:01.000Z",
        },
      },
    },
    {
      name: "a DM",
      payload: {
        channel: CHANNEL,
        account: care,
        chatLog: {
          $type: "chat.bsky.convo.defs#logCreateMessage",
          rev: "3mpt0000000a2",
          convoId: "convo-contract",
          message: {
            $type: "chat.bsky.convo.defs#messageView",
            id: "3mpt0000000a2",
            rev: "3mpt0000000a2",
            text: "Можете проверить мой заказ? 🙏",
            sender: { did: "did:plc:ada000000000000000000000" },
            sentAt: "2026-07-04T15:01:00.000Z",
          },
        },
      },
    },
    // Every post and reply of the real capture (likes, reposts, follows… are ignored: not messages).
    ...captureEvents()
      .filter((e) => e.commit?.collection === "app.bsky.feed.post" && e.commit.operation === "create")
      .map((e) => ({ name: `capture ${e.commit!.rkey}`, payload: jetstreamPayload(CHANNEL, e, care) })),
  ],
  malformed: [
    {
      name: "truncated: a cut-off Jetstream line",
      payload: '{"did":"did:plc:dclwtltrt2ggsryagfzk7dp4","time_us":17831758',
    },
    {
      name: "malformed: an event without time_us",
      payload: {
        channel: CHANNEL,
        account: { did: "did:plc:x", handle: "x.test" },
        jetstream: { did: "did:plc:x", kind: "commit" },
      },
    },
    {
      name: "malformed: a post without text",
      payload: jetstreamPayload(CHANNEL, {
        did: "did:plc:x",
        time_us: 1,
        kind: "commit",
        commit: {
          operation: "create",
          collection: "app.bsky.feed.post",
          rkey: "3k",
          record: { createdAt: "2026-07-04T15:00:00Z" },
        },
      }),
    },
    {
      name: "oversized: a 200,000-character post",
      payload: jetstreamPayload(CHANNEL, {
        did: "did:plc:x",
        time_us: 1,
        kind: "commit",
        commit: {
          operation: "create",
          collection: "app.bsky.feed.post",
          rkey: "3l",
          record: { text: "a".repeat(200_000), createdAt: "2026-07-04T15:00:00Z" },
        },
      }),
    },
  ],
  async delivered(text) {
    const reply = [...sim.events]
      .reverse()
      .find(
        (e) =>
          e.did === care.did && (e.commit?.record as { text?: string } | undefined)?.text?.startsWith(text),
      );
    expect(reply, "the reply was posted").toBeDefined();
    const record = reply!.commit!.record as { reply: { root: { uri: string }; parent: { uri: string } } };
    const parsed = parseBluesky(mention);
    const mentionUri = parsed.ok && "message" in parsed ? parsed.message.externalId : "";
    expect(record.reply.parent.uri).toBe(mentionUri);
    expect(record.reply.root.uri).toBe(mentionUri);
  },
  failure: {
    connector: () => {
      const c = blueskyConnector();
      return {
        ...c,
        send: (input) => {
          sim.fail("com.atproto.repo.createRecord", 400, {
            message: "Invalid app.bsky.feed.post record: blocked by a thread gate",
          });
          return c.send(input);
        },
      };
    },
    error:
      /Posting the reply failed: Bluesky 400 InvalidRequest: Invalid app\.bsky\.feed\.post record: blocked by a thread gate/,
  },
});
