/**
 * The live Mastodon demo (`rapport serve --demo`): starts the simulator on a free local port, points the
 * "Mastodon (live demo)" channel at it (created on the first start, reconnected on later ones), and has
 * invented people mention the brand or write to it directly every so often — so a newcomer sees mentions
 * arrive live through the real connector (stream, catch-up, ingest) and sees the replies they send appear
 * on the simulator's status page and in the server log, without any account. A person thanks the agent
 * once after a reply, in the same thread and visibility.
 */
import type { SecretBox } from "../../services/secrets.ts";
import { type ChannelRow, channelRepository } from "../../store/channel.repository.ts";
import type { Database } from "../../store/db.ts";
import { teamRepository } from "../../store/team.repository.ts";
import type { PollLog } from "../connector.ts";
import { MASTODON_LIVE_DEMO_KEY } from "../demo/live-demo.keys.ts";
import { MastodonSimulator, type SimAccount, type SimStatus } from "./mastodon.simulator.ts";

interface Line {
  who: number;
  text: string;
  direct?: boolean;
}

const PEOPLE = [
  { username: "ines", displayName: "Inès Moreau", domain: "social.example", followers: 312 },
  { username: "tobi", displayName: "Tobi Adeyemi", domain: "toot.example", followers: 41 },
  { username: "hanna", displayName: "Hanna Lindqvist", domain: "rail-fans.example", followers: 2_870 },
  { username: "raj", displayName: "Raj Patel", domain: "social.example", followers: 9 },
] as const;

const LINES: readonly Line[] = [
  { who: 0, text: "@northwindrail is the 08:15 to Leeds running today? The board at York says nothing." },
  {
    who: 1,
    text: "@northwindrail I was charged twice for booking NW-48213. Can someone look at it?",
    direct: true,
  },
  {
    who: 2,
    text: "@northwindrail the step-free access at Platform 4 has been broken for a week now. Not okay.",
  },
  {
    who: 3,
    text: "@northwindrail my bike reservation vanished from the app after the update, help?",
    direct: true,
  },
  { who: 0, text: "@northwindrail thanks for the quick refund last month, really appreciated 🙏" },
  { who: 2, text: "@northwindrail will the new timetable keep the late train on Sundays?" },
  {
    who: 1,
    text: "@northwindrail still waiting on my delay repay claim, 3 weeks now. Ref DR-7731.",
    direct: true,
  },
];

const THANKS = ["Thanks, that helps!", "Great, thank you.", "Okay, thanks for checking 👍"];

export interface MastodonDemo {
  simulator: MastodonSimulator;
  channel: ChannelRow;
  stop(): Promise<void>;
}

export async function startMastodonDemo(deps: {
  database: Database;
  secrets: SecretBox | null;
  log: PollLog;
  /** Time between new mentions (default 45 s; the first comes after 5 s). */
  everyMs?: number;
  /** Delay before the first mention (default 5 s). */
  firstMs?: number;
  /** Delay before a person thanks the agent after a reply (default 15 s). */
  thanksMs?: number;
}): Promise<MastodonDemo | null> {
  if (!deps.secrets) {
    deps.log.warn(
      "The live Mastodon demo is off: there is no secret key to store its token (set RAPPORT_SECRET_KEY).",
    );
    return null;
  }
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    timers.add(timer);
  };
  const thanked = new Set<string>();
  let people: SimAccount[] = [];
  const sim = new MastodonSimulator({
    self: { username: "northwindrail", displayName: "Northwind Rail & Travel" },
    log: (line) => deps.log.info(line),
    onPost: (status: SimStatus, parent: SimStatus | null) => {
      const person = parent ? people.find((p) => p.id === parent.account.id) : undefined;
      if (!person || !parent || thanked.has(parent.id)) return;
      thanked.add(parent.id);
      later(deps.thanksMs ?? 15_000, () => {
        const text = `@northwindrail ${THANKS[thanked.size % THANKS.length]}`;
        sim.post(person, text, {
          inReplyToId: status.id,
          visibility: status.visibility === "direct" ? "direct" : "public",
        });
        deps.log.info(`mastodon demo: @${person.acct} answered: ${text}`);
      });
    },
  });
  await sim.start();
  people = PEOPLE.map((p) =>
    sim.addAccount(p.username, { displayName: p.displayName, domain: p.domain, followers: p.followers }),
  );

  const channels = channelRepository(deps.database.db);
  const connection = {
    config: { instanceUrl: sim.url },
    secrets: deps.secrets.seal({ accessToken: sim.token }),
  };
  const existing = await channels.byKey(MASTODON_LIVE_DEMO_KEY);
  const channel = existing
    ? await channels.reconnect(existing.id, connection)
    : await channels.create({
        key: MASTODON_LIVE_DEMO_KEY,
        kind: "mastodon",
        platform: "mastodon",
        name: "Mastodon (live demo)",
        ...connection,
      });
  if (!channel) {
    await sim.stop();
    throw new Error(`could not set up the ${MASTODON_LIVE_DEMO_KEY} channel`);
  }
  // The demo workspace's team answers it, like its other channels.
  const seeded = existing ? null : await channels.byKey("mastodon-social");
  if (seeded?.teamId) await teamRepository(deps.database.db).setChannelTeam(channel.id, seeded.teamId);

  let next = 0;
  const speak = () => {
    const line = LINES[next++ % LINES.length]!;
    const person = people[line.who]!;
    sim.post(person, line.text, { visibility: line.direct ? "direct" : "public" });
    deps.log.info(
      `mastodon demo: @${person.acct} ${line.direct ? "wrote directly" : "mentioned @northwindrail"}: ${line.text}`,
    );
    later(deps.everyMs ?? 45_000, speak);
  };
  later(deps.firstMs ?? 5_000, speak);
  deps.log.info(
    `mastodon demo: a simulated Mastodon server runs at ${sim.url} (its status page shows every post and reply)`,
  );
  return {
    simulator: sim,
    channel,
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await sim.stop();
    },
  };
}
