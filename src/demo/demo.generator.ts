/**
 * The demo workspace: ~200 invented conversations with a fictional rail operator across seven channels,
 * in the canonical inbound format. Pure and deterministic for a given seed and `now`, so a newcomer's
 * first `npm start` looks the same every time and tests can pin it down.
 */
import type { InboundAuthor, InboundMessageInput } from "../core/inbound.ts";
import {
  AGENTS,
  BRAND,
  buildCast,
  DEMO_KINDS,
  type DemoAgent,
  type DemoKind,
  identityOf,
  SPAMMERS,
} from "./demo.people.ts";
import {
  CHASERS,
  CLOSINGS,
  FLOURISH,
  GREETINGS,
  SCENARIOS,
  type Scenario,
  SLOT_VALUES,
  THANKS,
} from "./demo.phrases.ts";
import { Rng } from "./demo.random.ts";

export interface DemoChannel {
  key: string;
  kind: string;
  name: string;
}

export interface DemoWorkspace {
  channels: DemoChannel[];
  messages: InboundMessageInput[];
}

const CHANNEL_BY_KIND: Record<DemoKind, DemoChannel> = {
  x: { key: "x-support", kind: "x", name: `${BRAND.name} on X (@${BRAND.xHandle})` },
  facebook: { key: "facebook-page", kind: "facebook", name: `${BRAND.name} Facebook page` },
  instagram: { key: "instagram", kind: "instagram", name: `${BRAND.name} on Instagram` },
  mastodon: {
    key: "mastodon-social",
    kind: "mastodon",
    name: `${BRAND.name} on Mastodon (@${BRAND.mastodon})`,
  },
  bluesky: { key: "bluesky", kind: "bluesky", name: `${BRAND.name} on Bluesky (@${BRAND.bluesky})` },
  email: { key: "email-support", kind: "email", name: `${BRAND.name} support email (${BRAND.email})` },
  webchat: { key: "webchat", kind: "webchat", name: `${BRAND.name} website chat` },
};

const PRIVATE_ONLY = new Set<DemoKind>(["email", "webchat"]);

/** The mention a reply on a public thread starts with. */
function mentionOf(kind: DemoKind, author: InboundAuthor): string {
  return kind === "x" || kind === "mastodon" || kind === "bluesky" ? `@${author.handle} ` : "";
}

const BRAND_MENTION: Partial<Record<DemoKind, string>> = {
  x: `@${BRAND.xHandle}`,
  mastodon: `@${BRAND.mastodon}`,
  bluesky: `@${BRAND.bluesky}`,
};

type Step = "open" | "chase" | "reply" | "follow" | "resolve" | "thanks" | "close";

const SHAPES: readonly { steps: Step[]; weight: number }[] = [
  { steps: ["open"], weight: 26 },
  { steps: ["open", "chase"], weight: 4 },
  { steps: ["open", "reply"], weight: 22 },
  { steps: ["open", "chase", "reply"], weight: 4 },
  { steps: ["open", "reply", "follow"], weight: 10 },
  { steps: ["open", "reply", "thanks"], weight: 8 },
  { steps: ["open", "reply", "follow", "resolve"], weight: 14 },
  { steps: ["open", "reply", "follow", "resolve", "thanks"], weight: 6 },
  { steps: ["open", "reply", "follow", "resolve", "thanks", "close"], weight: 3 },
  { steps: ["open", "chase", "reply", "follow", "resolve"], weight: 3 },
];
const PRAISE_SHAPES: readonly { steps: Step[]; weight: number }[] = [
  { steps: ["open"], weight: 30 },
  { steps: ["open", "reply"], weight: 45 },
  { steps: ["open", "reply", "thanks"], weight: 15 },
  { steps: ["open", "reply", "follow", "resolve"], weight: 10 },
];

/** Seconds between the previous message and this step. */
function gapFor(step: Step, urgent: boolean, rng: Rng): number {
  switch (step) {
    case "open":
      return 0;
    case "reply":
      return urgent ? rng.logUniform(120, 2_700) : rng.logUniform(240, 5 * 3600);
    case "chase":
      return rng.logUniform(1_200, 6 * 3600);
    case "follow":
      return rng.logUniform(60, 3 * 3600);
    case "resolve":
      return rng.logUniform(180, 4 * 3600);
    case "thanks":
      return rng.logUniform(60, 2 * 3600);
    case "close":
      return rng.logUniform(120, 2_400);
  }
}

const MAX_AGE = 72 * 3600;

/** How long ago the last message of a thread arrived: minutes, hours or days. */
function quietFor(rng: Rng): number {
  const roll = rng.next();
  if (roll < 0.3) return rng.int(120, 59 * 60);
  if (roll < 0.7) return rng.int(3600, 24 * 3600);
  return rng.int(24 * 3600, MAX_AGE);
}

function slotMaker(rng: Rng, first: string, agent: DemoAgent): (name: string) => string {
  const values = new Map<string, string>([
    ["first", first],
    ["agent", agent.first],
  ]);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const makers: Record<string, () => string> = {
    booking: () =>
      Array.from({ length: 8 }, () => rng.pick([..."ABCDEFGHJKLMNPQRSTUVWXYZ23456789"])).join(""),
    order: () => `NW-${rng.digits(6)}`,
    caseRef: () => `CR-${rng.digits(5)}`,
    from: () => rng.pick(SLOT_VALUES.stations),
    to: () => rng.pick(SLOT_VALUES.stations.filter((s) => s !== get("from"))),
    station: () => (rng.chance(0.4) ? get("from") : rng.pick(SLOT_VALUES.stations)),
    time: () =>
      `${pad(rng.int(5, 23))}:${pad(rng.pick([2, 4, 12, 15, 17, 22, 28, 32, 34, 42, 45, 48, 53, 58]))}`,
    train: () => `NW ${rng.int(100, 989)}`,
    amount: () => `€${(rng.int(990, 24_900) / 100).toFixed(2)}`,
    product: () => rng.pick(SLOT_VALUES.products),
    product2: () => rng.pick(SLOT_VALUES.products.filter((p) => p !== get("product"))),
    days: () => String(rng.int(4, 19)),
    minutes: () => String(rng.pick([12, 18, 25, 35, 40, 55, 70, 90, 120])),
    device: () => rng.pick(SLOT_VALUES.devices),
    appVersion: () => `4.${rng.int(8, 14)}.${rng.int(0, 3)}`,
    weekday: () => rng.pick(SLOT_VALUES.weekdays),
    coach: () => rng.pick([..."ABCDEFGH"]),
    seat: () => String(rng.int(1, 84)),
    platformNo: () => String(rng.int(1, 14)),
    bag: () => rng.pick(SLOT_VALUES.bags),
    last4: () => pad(rng.int(0, 9999), 4),
  };
  function get(name: string): string {
    let value = values.get(name);
    if (value === undefined) {
      const make = makers[name];
      if (!make) throw new Error(`demo template uses an unknown slot {${name}}`);
      value = make();
      values.set(name, value);
    }
    return value;
  }
  return get;
}

function fill(template: string, get: (name: string) => string): string {
  return template.replace(/\{([a-zA-Z0-9]+)\}/g, (_, name: string) => get(name));
}

/** Picks the answer that belongs to a prompt when the lists are paired, or any answer otherwise. */
function answerFor(prompts: readonly string[], answers: readonly string[], index: number, rng: Rng): string {
  return answers.length === prompts.length ? answers[index]! : rng.pick(answers);
}

interface Draft {
  conversation: number;
  kind: DemoKind;
  at: number;
  direction: "in" | "out";
  author: InboundAuthor;
  text: string;
  visibility: "public" | "private";
  externalId?: string;
}

// Three customers paste an error page; the workspace must show it as text, never run it.
const HTML_PLACEMENTS: readonly { at: number; kind: DemoKind }[] = [
  { at: 0.13, kind: "webchat" },
  { at: 0.47, kind: "email" },
  { at: 0.81, kind: "facebook" },
];

/** Deterministic for a given seed; `now` anchors timestamps (all createdAt <= now). */
export function generateDemoWorkspace(
  options: { seed?: number; now?: Date; conversations?: number } = {},
): DemoWorkspace {
  const { seed = 20_240_611, now = new Date(), conversations = 200 } = options;
  const rng = new Rng(seed);
  const nowSec = Math.floor(now.getTime() / 1000);
  const cast = buildCast(rng);
  const htmlScenario = SCENARIOS.find((s) => s.intent === "html-paste")!;
  const htmlAt = new Map(
    HTML_PLACEMENTS.map((p, i) => [Math.floor(p.at * conversations), { ...p, opener: i }]),
  );
  const drafts: Draft[][] = [];
  let nextPerson = 0;

  for (let c = 0; c < conversations; c++) {
    const forced = htmlAt.get(c);
    const scenario: Scenario = forced ? htmlScenario : rng.weighted(SCENARIOS, (s) => s.weight);
    let kind: DemoKind;
    let customer: InboundAuthor;
    let first: string;
    if (scenario.intent === "spam") {
      const spammer = rng.pick(SPAMMERS);
      kind = spammer.kind;
      first = spammer.displayName;
      customer = {
        externalId: `${spammer.kind}:${spammer.handle}`,
        handle: spammer.handle,
        displayName: spammer.displayName,
        followerCount: spammer.followerCount,
      };
    } else {
      const person = cast[nextPerson++ % cast.length]!;
      kind = forced?.kind ?? person.platforms[person.uses % person.platforms.length]!;
      person.uses++;
      first = person.first;
      customer = identityOf(person, kind, rng);
    }
    const visibility = PRIVATE_ONLY.has(kind) || rng.chance(0.22) ? "private" : "public";
    const isPublicMention = visibility === "public" && BRAND_MENTION[kind] !== undefined;
    const agent = rng.pick(AGENTS);
    const get = slotMaker(rng, first, agent);
    const shape =
      scenario.intent === "spam"
        ? { steps: ["open"] as Step[] }
        : rng.weighted(scenario.intent === "praise" ? PRAISE_SHAPES : SHAPES, (s) => s.weight);

    const openerIndex = forced ? forced.opener : rng.int(0, scenario.openers.length - 1);
    const followIndex = rng.int(0, Math.max(0, scenario.followUps.length - 1));
    const plain =
      scenario.intent === "spam" || scenario.intent === "html-paste" || scenario.intent === "foreign";

    const inbound = (text: string, isOpener: boolean): string => {
      let out = text;
      if (isOpener && !plain && scenario.tone === "negative" && kind !== "email" && rng.chance(0.06)) {
        out = out.toUpperCase();
      }
      if (isOpener && !plain && kind !== "email" && rng.chance(0.2)) {
        const flourish = rng.pick(FLOURISH[scenario.tone]);
        // A word after an unfinished sentence needs a full stop first; an emoji does not.
        out += /^ [A-Za-z]/.test(flourish) && /[A-Za-z0-9]$/.test(out) ? `.${flourish}` : flourish;
      }
      if (isOpener && isPublicMention) {
        out = rng.chance(0.8) ? `${BRAND_MENTION[kind]} ${out}` : `${out} ${BRAND_MENTION[kind]}`;
      }
      if (kind === "email") {
        return isOpener
          ? `${rng.pick(["Hi,", "Hello Northwind team,", "Dear Customer Care,", "Hi there,"])}\n\n${out}\n\n${rng.pick(["Thanks", "Best regards", "Kind regards", "Cheers"])},\n${first}`
          : `${out}\n\n${first}`;
      }
      return out;
    };
    let greeted = false;
    const outbound = (template: string, by: DemoAgent): string => {
      const body = fill(template, get);
      if (kind === "email") return `Hi ${first},\n\n${body}\n\n— ${by.first}\n${BRAND.name} Customer Care`;
      const mention = visibility === "public" ? mentionOf(kind, customer) : "";
      const greeting = mention || (greeted ? "" : fill(rng.pick(GREETINGS), get));
      greeted = true;
      return `${greeting}${body} — ${by.first}`;
    };

    const thread: Draft[] = [];
    let at = 0;
    let responder = agent;
    for (const step of shape.steps) {
      at += gapFor(step, scenario.urgent === true, rng);
      const message = (direction: "in" | "out", text: string, author: InboundAuthor): Draft => ({
        conversation: c,
        kind,
        at,
        direction,
        author: { ...author },
        text,
        visibility,
      });
      const agentAuthor = (a: DemoAgent): InboundAuthor => ({ externalId: a.id, displayName: a.displayName });
      switch (step) {
        case "open":
          thread.push(message("in", inbound(fill(scenario.openers[openerIndex]!, get), true), customer));
          break;
        case "chase":
          thread.push(message("in", inbound(rng.pick(CHASERS), false), customer));
          break;
        case "follow":
          thread.push(message("in", inbound(fill(scenario.followUps[followIndex]!, get), false), customer));
          break;
        case "thanks":
          thread.push(message("in", inbound(fill(rng.pick(THANKS), get), false), customer));
          break;
        case "reply": {
          const text = answerFor(scenario.openers, scenario.replies, openerIndex, rng);
          thread.push(message("out", outbound(text, responder), agentAuthor(responder)));
          break;
        }
        case "resolve": {
          // Now and then a colleague picks the conversation up on the next shift.
          if (rng.chance(0.15)) responder = rng.pick(AGENTS.filter((a) => a !== agent));
          const text = answerFor(scenario.followUps, scenario.resolutions, followIndex, rng);
          thread.push(message("out", outbound(text, responder), agentAuthor(responder)));
          break;
        }
        case "close":
          thread.push(message("out", outbound(rng.pick(CLOSINGS), responder), agentAuthor(responder)));
          break;
      }
    }
    // Anchor the thread so its last message is minutes to days old, and the first is at most 3 days old.
    const span = at;
    const quiet = Math.max(60, Math.min(quietFor(rng), MAX_AGE - span));
    const start = nowSec - quiet - span;
    for (const draft of thread) draft.at += start;
    drafts.push(thread);
  }

  // Number messages in time order per channel, as platforms do, then link each thread.
  const ordered = drafts.flat().sort((a, b) => a.at - b.at || a.conversation - b.conversation);
  const counters = new Map<DemoKind, number>();
  for (const draft of ordered) {
    const n = (counters.get(draft.kind) ?? 0) + 1;
    counters.set(draft.kind, n);
    draft.externalId = `demo-${draft.kind}-${String(n).padStart(6, "0")}`;
  }
  const messages = ordered.map((draft): InboundMessageInput => {
    const thread = drafts[draft.conversation]!;
    const index = thread.indexOf(draft);
    const message: InboundMessageInput = {
      channel: CHANNEL_BY_KIND[draft.kind].key,
      externalId: draft.externalId!,
      threadExternalId: thread[0]!.externalId!,
      direction: draft.direction,
      author: draft.author,
      text: draft.text,
      createdAt: new Date(draft.at * 1000).toISOString(),
      visibility: draft.visibility,
    };
    if (index > 0) message.inReplyToExternalId = thread[index - 1]!.externalId!;
    return message;
  });

  return { channels: DEMO_KINDS.map((k) => ({ ...CHANNEL_BY_KIND[k] })), messages };
}
