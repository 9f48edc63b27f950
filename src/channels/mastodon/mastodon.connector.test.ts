import { expect } from "vitest";
import { SecretBox } from "../../services/secrets.ts";
import { channels } from "../../store/schema.ts";
import { type ContractPayload, describeConnectorContract } from "../contract.ts";
import { mastodonConnector } from "./mastodon.connector.ts";
import { MastodonSimulator } from "./mastodon.simulator.ts";
import { envelope, fixture, hasFixtures, MISSING_FIXTURES } from "./mastodon.test-support.ts";

const CHANNEL = "mastodon-contract";
const box = new SecretBox(Buffer.alloc(32, 9));
const sim = new MastodonSimulator();
if (!hasFixtures) console.warn(`${MISSING_FIXTURES}; the contract runs on simulator payloads only`);

/** The real mention (notifications_Get_all) is answered; the simulator holds its status. */
const realMention = () =>
  (
    fixture("notifications_Get_all_notifications_get__truncated") as Array<{
      status: Record<string, unknown> & { id: string };
    }>
  )[0]!;

const valid = (): ContractPayload[] => {
  if (!hasFixtures) {
    const ana = sim.addAccount("ana", { displayName: "Ana" });
    sim.post(ana, "@northwind my train was cancelled, refund please?");
    return [
      { name: "simulator mention", payload: envelope(CHANNEL, "notification", sim.notifications.at(-1)) },
    ];
  }
  const [mention] = fixture("notifications_Get_all_notifications_get__truncated") as unknown[];
  return [
    {
      name: "mention notification (notifications_Get_all)",
      payload: envelope(CHANNEL, "notification", mention),
    },
    { name: "entity_Status", payload: envelope(CHANNEL, "status", fixture("entity_Status")) },
    {
      name: "statuses_View_a_single_status_get",
      payload: envelope(CHANNEL, "status", fixture("statuses_View_a_single_status_get")),
    },
    {
      name: "status with media (statuses_Delete…truncated)",
      payload: envelope(CHANNEL, "status", fixture("statuses_Delete_a_status_delete__truncated")),
    },
    {
      name: "status with a poll (statuses_Delete…truncated_2)",
      payload: envelope(CHANNEL, "status", fixture("statuses_Delete_a_status_delete__truncated_2")),
    },
    {
      name: "streaming update (websocket_3)",
      payload: envelope(
        CHANNEL,
        "stream",
        fixture("streaming_Establishing_a_WebSocket_connection_websocket_3"),
      ),
    },
  ];
};

const malformed = (): ContractPayload[] => [
  ...(hasFixtures
    ? [
        {
          name: "truncated: entity_Notification_Mention (no content)",
          payload: envelope(CHANNEL, "notification", fixture("entity_Notification_Mention__truncated")),
        },
        {
          name: "truncated: entity_Conversation (no content)",
          payload: envelope(CHANNEL, "conversation", fixture("entity_Conversation__truncated")),
        },
        {
          name: "truncated: direct timeline status (no account)",
          payload: envelope(
            CHANNEL,
            "status",
            (fixture("timelines_View_direct_timeline_deprecated_direct__truncated") as unknown[])[0],
          ),
        },
      ]
    : []),
  { name: "malformed: no source", payload: { channel: CHANNEL, data: {} } },
  {
    name: "truncated: cut-off JSON",
    payload: JSON.stringify(envelope(CHANNEL, "status", { id: "1" })).slice(0, 40),
  },
  {
    name: "malformed: stream payload is not JSON",
    payload: envelope(CHANNEL, "stream", { stream: ["user"], event: "update", payload: '{"id":' }),
  },
  {
    name: "oversized: 200,000 characters of content",
    payload: envelope(CHANNEL, "status", {
      id: "9",
      created_at: "2026-11-20T10:00:00Z",
      content: `<p>${"a".repeat(200_000)}</p>`,
      account: { id: "5", acct: "x" },
    }),
  },
];

describeConnectorContract("mastodon", {
  connector: () => mastodonConnector(),
  secrets: box,
  async setup(database) {
    await sim.start();
    if (hasFixtures) sim.adopt(realMention().status);
    await database.db.insert(channels).values({
      key: CHANNEL,
      kind: "mastodon",
      platform: "mastodon",
      name: "Northwind on Mastodon",
      config: { instanceUrl: sim.url },
      secrets: box.seal({ accessToken: sim.token }),
    });
  },
  teardown: () => sim.stop(),
  valid,
  malformed,
  async delivered(text) {
    const reply = sim.posted().find((s) => MastodonSimulator.text(s).includes(text));
    expect(reply, "the reply on the simulator").toBeDefined();
    expect(reply!.visibility).toBe("public");
    if (hasFixtures) {
      expect(reply!.in_reply_to_id).toBe(realMention().status.id);
      expect(MastodonSimulator.text(reply!).startsWith(`@zsc ${text}`)).toBe(true);
    }
  },
  failure: {
    connector: () => {
      sim.inject({
        method: "POST",
        path: "/api/v1/statuses",
        status: 422,
        body: { error: "Validation failed: Text character limit of 500 exceeded" },
      });
      return mastodonConnector();
    },
    error: /422: Validation failed: Text character limit of 500 exceeded/,
  },
});
