/**
 * The cast of the demo workspace: our fictional brand, the agents who answer, and the people who write
 * to us. Every name here is invented for the demo; any likeness to a real account is a coincidence.
 */
import type { InboundAuthor } from "../core/inbound.ts";
import type { Rng } from "./demo.random.ts";

export const BRAND = {
  name: "Northwind Rail & Travel",
  short: "Northwind",
  xHandle: "NorthwindRail",
  mastodon: "northwindrail@mastodon.social",
  bluesky: "northwind-rail.bsky.social",
  email: "care@northwind-rail.example",
} as const;

/** Platform kinds the demo uses, one channel each. */
export type DemoKind = "x" | "facebook" | "instagram" | "mastodon" | "bluesky" | "email" | "webchat";
export const DEMO_KINDS: readonly DemoKind[] = [
  "x",
  "facebook",
  "instagram",
  "mastodon",
  "bluesky",
  "email",
  "webchat",
];

export interface DemoAgent {
  id: string;
  displayName: string;
  first: string;
}

export const AGENTS: readonly DemoAgent[] = [
  { id: "agent:maria", displayName: "Maria Lopez", first: "Maria" },
  { id: "agent:kenji", displayName: "Kenji Watanabe", first: "Kenji" },
  { id: "agent:amara", displayName: "Amara Okafor", first: "Amara" },
  { id: "agent:lukas", displayName: "Lukas Becker", first: "Lukas" },
  { id: "agent:priya", displayName: "Priya Raman", first: "Priya" },
  { id: "agent:sofia", displayName: "Sofia Lindqvist", first: "Sofia" },
];

/** How far a person's posts reach; drives the follower count of each of their identities. */
export type Reach = "quiet" | "ordinary" | "known" | "loud";

export interface CastMember {
  displayName: string;
  /** Platforms this person writes from; the first is where they usually reach us. */
  platforms: DemoKind[];
  reach: Reach;
  /** How we greet them when the display name is not a person's name. */
  first?: string;
}

// Ordinary people. The platform list is filled in by the generator (seeded), except where a fixed
// second platform is given so the same display name shows up on two channels.
export const PEOPLE_NAMES: readonly string[] = [
  "Aiko Tanaka",
  "Oluwaseun Adeyemi",
  "Zoë Müller",
  "Mateo Fernández",
  "Hannah Schmidt",
  "Ravi Krishnan",
  "Chloé Dubois",
  "Tomás Novák",
  "Fatima Zahra El Idrissi",
  "Liam O'Connor",
  "Mei Lin Chen",
  "Jakub Kowalski",
  "Ananya Iyer",
  "Emre Yılmaz",
  "Sara Bianchi",
  "Noah Williams",
  "Ingrid Johansson",
  "Kwame Mensah",
  "Lucía Romero",
  "Pieter de Vries",
  "Yuki Sato",
  "Amélie Laurent",
  "Daniel Cohen",
  "Nadia Haddad",
  "Björn Nilsson",
  "Grace Mwangi",
  "Diego Alvarez",
  "Elif Demir",
  "Marek Horváth",
  "Siobhan Murphy",
  "Arjun Mehta",
  "Leonie Fischer",
  "Joon-ho Park",
  "Camila Souza",
  "Olivier Martin",
  "Thandiwe Nkosi",
  "Mikael Virtanen",
  "Rosa Esposito",
  "Hamza Qureshi",
  "Eleni Papadopoulos",
  "Sven Andersen",
  "Ayesha Siddiqui",
  "Lars Eriksen",
  "Valentina Rossi",
  "Tariq Aziz",
  "Julia Nowak",
  "Ngozi Eze",
  "Felix Wagner",
  "Carmen Ortega",
  "Hiroshi Nakamura",
  "Aoife Byrne",
  "Paulo Ferreira",
  "Ewa Zielińska",
  "Samir Benali",
  "Clara Hoffmann",
  "Dmitri Volkov",
  "Isabel Castro",
  "Kofi Boateng",
  "Marta Kovač",
  "Ben Thompson",
  "Priyanka Das",
  "Jonas Weber",
  "Leila Farahani",
  "Matteo Ricci",
  "Sunita Sharma",
  "Finn Larsen",
  "Adaeze Okonkwo",
  "Hugo Lefèvre",
  "Katarzyna Wójcik",
  "Omar Khalil",
  "Emma Janssen",
  "Rafael Moreno",
  "Nora Berg",
  "Vikram Singh",
  "Lotte Peeters",
  "Chidi Obi",
  "Anna Svensson",
  "Marco Conti",
  "Yasmin Rahman",
  "Tobias Keller",
  "Ines Duarte",
  "Kaito Mori",
  "Beatriz Lima",
  "Patrick Doyle",
  "Şebnem Aydın",
  "Luca Moretti",
  "Mariam Yusuf",
  "Erik Holm",
  "Zainab Bello",
  "Antoine Girard",
];

/** A few well-known accounts: their messages must not jump the queue (see the fairness audit). */
export const LOUD_PEOPLE: readonly CastMember[] = [
  { displayName: "Travel with Tomasz", platforms: ["x", "instagram"], reach: "loud", first: "Tomasz" },
  { displayName: "Ines Carvalho", platforms: ["x", "bluesky"], reach: "loud" },
  { displayName: "RailFan Daily", platforms: ["x"], reach: "loud", first: "RailFan Daily" },
  { displayName: "Lena Sørensen", platforms: ["instagram", "facebook"], reach: "loud" },
  { displayName: "Kemi Adebayo", platforms: ["x", "mastodon"], reach: "known" },
  {
    displayName: "The Slow Traveller",
    platforms: ["mastodon", "bluesky"],
    reach: "known",
    first: "Slow Traveller",
  },
];

export interface Spammer {
  displayName: string;
  handle: string;
  kind: DemoKind;
  followerCount: number;
}

export const SPAMMERS: readonly Spammer[] = [
  { displayName: "💰 Crypto Signals VIP", handle: "cryptosignals_vip_88", kind: "x", followerCount: 12 },
  { displayName: "Grow Your Followers", handle: "follow4follow.now", kind: "instagram", followerCount: 3 },
  { displayName: "Jessica 💋", handle: "jess_xx_2291", kind: "x", followerCount: 0 },
  { displayName: "BTC Millionaire Mindset", handle: "btc.millionaire", kind: "instagram", followerCount: 41 },
  { displayName: "Gamer Vlogs HD", handle: "gamervlogshd", kind: "facebook", followerCount: 7 },
  { displayName: "FreeGiftCards", handle: "freegiftcards2024", kind: "bluesky", followerCount: 2 },
  { displayName: "Web3 Alpha", handle: "web3alpha", kind: "mastodon", followerCount: 19 },
];

export const MASTODON_INSTANCES = [
  "mastodon.social",
  "fosstodon.org",
  "chaos.social",
  "mstdn.jp",
  "mas.to",
  "mastodon.ie",
] as const;

export const EMAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.example"] as const;

// Where people usually reach a rail operator: X first, then email and Facebook.
const PRIMARY_WEIGHTS: Record<DemoKind, number> = {
  x: 28,
  facebook: 15,
  instagram: 14,
  mastodon: 8,
  bluesky: 8,
  email: 15,
  webchat: 12,
};

export interface Person {
  displayName: string;
  first: string;
  reach: Reach;
  platforms: DemoKind[];
  identities: Map<DemoKind, InboundAuthor>;
  uses: number;
}

function asciiParts(name: string): string[] {
  const folded = name
    .replace(/[øØ]/g, "o")
    .replace(/[łŁ]/g, "l")
    .replace(/ı/g, "i")
    .replace(/ß/g, "ss")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "");
  return folded
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, "")
    .split(/[ -]+/)
    .filter(Boolean);
}

function followersFor(reach: Reach, rng: Rng): number {
  if (reach === "quiet") return rng.int(0, 99);
  if (reach === "ordinary") return rng.logUniform(100, 3_000);
  if (reach === "known") return rng.logUniform(3_000, 99_000);
  return rng.int(100_000, 500_000);
}

function makeIdentity(person: Person, kind: DemoKind, rng: Rng): InboundAuthor {
  const parts = asciiParts(person.displayName);
  const first = parts[0] ?? "traveller";
  const last = parts.slice(1).join("") || "rail";
  const base = rng.pick([
    `${first}_${last}`,
    `${first}${last}`,
    `${first}${last[0]}${rng.int(1, 99)}`,
    `${first[0]}${last}`,
  ]);
  const displayName = person.displayName;
  const followerCount = followersFor(person.reach, rng);
  switch (kind) {
    case "x": {
      const handle = base.slice(0, 15);
      return {
        externalId: rng.digits(rng.int(9, 19)),
        handle,
        displayName,
        followerCount,
        profileUrl: `https://x.com/${handle}`,
      };
    }
    case "instagram": {
      const handle = base.replace("_", ".");
      const profileUrl = `https://www.instagram.com/${handle}/`;
      return { externalId: rng.digits(17), handle, displayName, followerCount, profileUrl };
    }
    case "mastodon": {
      const instance = rng.pick(MASTODON_INSTANCES);
      const user = base.slice(0, 30);
      const profileUrl = `https://${instance}/@${user}`;
      return {
        externalId: `109${rng.digits(15)}`,
        handle: `${user}@${instance}`,
        displayName,
        followerCount,
        profileUrl,
      };
    }
    case "bluesky": {
      const handle = `${base.replace(/_/g, "-")}.bsky.social`;
      let did = "did:plc:";
      while (did.length < 32) did += rng.pick([..."abcdefghijklmnopqrstuvwxyz234567"]);
      return {
        externalId: did,
        handle,
        displayName,
        followerCount,
        profileUrl: `https://bsky.app/profile/${handle}`,
      };
    }
    case "facebook":
      return { externalId: rng.digits(16), displayName, followerCount };
    case "email": {
      const address = `${first}.${last}@${rng.pick(EMAIL_DOMAINS)}`;
      return { externalId: address, handle: address, displayName };
    }
    case "webchat":
      return { externalId: `visitor:${rng.int(0, 0xffffffff).toString(16).padStart(8, "0")}`, displayName };
  }
}

/** Everyone who writes to us in the demo, in a seeded order. */
export function buildCast(rng: Rng): Person[] {
  const members: CastMember[] = PEOPLE_NAMES.map((displayName) => {
    const primary = rng.weighted(DEMO_KINDS, (k) => PRIMARY_WEIGHTS[k]);
    const platforms = [primary];
    if (rng.chance(0.22))
      platforms.push(
        rng.weighted(
          DEMO_KINDS.filter((k) => k !== primary),
          (k) => PRIMARY_WEIGHTS[k],
        ),
      );
    const reach = rng.weighted<Reach>(
      ["quiet", "ordinary", "known"],
      (r) => ({ quiet: 40, ordinary: 48, known: 12, loud: 0 })[r],
    );
    return { displayName, platforms, reach };
  });
  const people = [...members, ...LOUD_PEOPLE].map((m) => ({
    displayName: m.displayName,
    first: m.first ?? m.displayName.split(" ")[0]!,
    reach: m.reach,
    platforms: [...m.platforms],
    identities: new Map<DemoKind, InboundAuthor>(),
    uses: 0,
  }));
  // Fisher–Yates, so who writes first varies with the seed.
  for (let i = people.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [people[i], people[j]] = [people[j]!, people[i]!];
  }
  return people;
}

/** A person's account on one platform, made the first time they write from it. */
export function identityOf(person: Person, kind: DemoKind, rng: Rng): InboundAuthor {
  let identity = person.identities.get(kind);
  if (!identity) {
    identity = makeIdentity(person, kind, rng);
    person.identities.set(kind, identity);
  }
  return identity;
}
