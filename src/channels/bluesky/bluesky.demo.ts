/**
 * The live Bluesky demo (`rapport serve --demo`): starts the local simulator on a free port, points a
 * set-up channel ("bluesky-live") at it — Jetstream, notifications and DMs, with a fresh app password —
 * and has invented people mention the brand, follow up and write DMs now and then. When an agent answers,
 * the reply really goes out (to the simulator) and the person sometimes thanks them, so a newcomer sees
 * mentions arrive and replies leave without any account. Nothing here touches the network.
 */
import type { SecretBox } from "../../services/secrets.ts";
import { channelRepository } from "../../store/channel.repository.ts";
import type { Database } from "../../store/db.ts";
import type { PollLog } from "../connector.ts";
import { BLUESKY_LIVE_DEMO_KEY } from "../demo/live-demo.keys.ts";
import { BlueskySimulator } from "./bluesky.simulator.ts";

const BRAND = "northwind-rail.bsky.social";

/** Invented people (any likeness to a real account is a coincidence). */
const PEOPLE = [
  { handle: "mira-feld.bsky.social", name: "Mira Feld" },
  { handle: "tomasz-wr.bsky.social", name: "Tomasz Wróbel" },
  { handle: "aiko-sato.bsky.social", name: "佐藤 愛子" },
  { handle: "leon-dubois.bsky.social", name: "Léon Dubois" },
  { handle: "grace-ok.bsky.social", name: "Grace Okonkwo" },
  { handle: "sam-rivera.bsky.social", name: "Sam Rivera" },
];

const MENTIONS = [
  "@northwind-rail.bsky.social my 08:12 to Leeds was cancelled and the app still says on time. Can I get a refund?",
  "@northwind-rail.bsky.social hi! Is the bike carriage on the coast line open again this weekend? 🚲",
  "@northwind-rail.bsky.social 2 hours stuck outside York with no announcement. Not good enough 😡",
  "@northwind-rail.bsky.social 予約した座席がアプリに表示されません。確認していただけますか？",
  "@northwind-rail.bsky.social merci pour l'aide hier, le contrôleur était super sympa 🙏",
  "@northwind-rail.bsky.social how do I add a railcard to a ticket I already bought? https://northwind-rail.example/help",
];
const DMS = [
  "Hi, I was charged twice for booking NW-48213. Can you check? 🙏",
  "Could you change the name on my ticket? I misspelled it.",
  "Mój bilet nie przyszedł e-mailem, numer rezerwacji NW-77310.",
];
const FOLLOW_UPS = [
  "@northwind-rail.bsky.social any news on this?",
  "@northwind-rail.bsky.social still waiting…",
];
const THANKS = ["Thank you, that helps! 🙌", "Great, sorted now. Thanks!", "Merci beaucoup !"];

export interface BlueskyDemo {
  simulator: BlueskySimulator;
  stop(): Promise<void>;
}

/** Starts the simulator and the demo channel; people write every `intervalMs` (default 40 s). */
export async function startBlueskyDemo(
  deps: { database: Database; secrets: SecretBox; log: PollLog },
  options: { intervalMs?: number } = {},
): Promise<BlueskyDemo> {
  const sim = await new BlueskySimulator().start();
  sim.createAccount(BRAND, { displayName: "Northwind Rail & Travel" });
  for (const p of PEOPLE) sim.createAccount(p.handle, { displayName: p.name });
  await channelRepository(deps.database.db).upsertSetUp({
    key: BLUESKY_LIVE_DEMO_KEY,
    kind: "bluesky",
    platform: "bluesky",
    name: `Northwind on Bluesky (live demo, local simulator)`,
    config: {
      service: sim.url,
      handle: BRAND,
      jetstreamUrl: sim.jetstreamUrl,
      pollSeconds: 10,
      directMessages: true,
    },
    secrets: deps.secrets.seal({ appPassword: sim.createAppPassword(BRAND, true) }),
  });

  let step = 0;
  const posts: Array<{ uri: string; handle: string }> = [];
  const thanked = new Set<string>();
  let seen = 0;
  const tick = () => {
    try {
      // Thank some of the agents' replies that went out since the last tick.
      const brandDid = sim.account(BRAND).did;
      for (const e of sim.events.slice(seen)) {
        const parent = (e.commit?.record as { reply?: { parent?: { uri: string } } } | undefined)?.reply
          ?.parent?.uri;
        const asked = posts.find((p) => p.uri === parent);
        if (e.did === brandDid && e.commit?.operation === "create" && asked && !thanked.has(parent!)) {
          thanked.add(parent!);
          const uri = `at://${e.did}/${e.commit.collection}/${e.commit.rkey}`;
          if (thanked.size % 2 === 1)
            sim.post(asked.handle, THANKS[thanked.size % THANKS.length]!, { replyTo: uri });
        }
      }
      seen = sim.events.length;
      const person = PEOPLE[step % PEOPLE.length]!;
      const kind = step % 5;
      if (kind === 3) sim.sendDm(person.handle, BRAND, DMS[step % DMS.length]!);
      else if (kind === 4 && posts.length > 0) {
        const earlier = posts[step % posts.length]!;
        posts.push({
          ...sim.post(earlier.handle, FOLLOW_UPS[step % FOLLOW_UPS.length]!, { replyTo: earlier.uri }),
          handle: earlier.handle,
        });
      } else
        posts.push({ ...sim.post(person.handle, MENTIONS[step % MENTIONS.length]!), handle: person.handle });
      step++;
    } catch (error) {
      deps.log.warn(`Bluesky demo: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const first = setTimeout(tick, Math.min(5_000, options.intervalMs ?? 5_000));
  const timer = setInterval(tick, options.intervalMs ?? 40_000);
  first.unref();
  timer.unref();
  deps.log.info(`Bluesky demo: a local simulator at ${sim.url} feeds the ${BLUESKY_LIVE_DEMO_KEY} channel`);
  return {
    simulator: sim,
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await sim.stop();
    },
  };
}
