/** Generates canonical JSONL for benchmarks: threads of 1–5 messages from a pool of people. */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mulberry32 } from "../src/core/random.ts";

const OPENERS = ["Hi", "Hello", "Hey team", "Excuse me", "Good morning", "Urgent", "Quick question"];
const ISSUES = [
  "my order #{n} never arrived",
  "I was charged twice for booking {n}",
  "the app crashes when I open my tickets",
  "my train {n} was cancelled again",
  "can I change the date of reservation {n}?",
  "where is my refund for order {n}?",
  "thanks, the replacement arrived and works great",
  "it would be nice to pick seats online",
];
const CLOSERS = [
  "Please help.",
  "Thanks!",
  "This is the third time I ask.",
  "Any update?",
  "🙏",
  "Not happy.",
];
const REPLIES = [
  "Sorry about that! Could you DM us your order number? — Maria",
  "Thanks for telling us, I'm checking with the warehouse now. — Kenji",
  "I've refunded the duplicate charge; you'll see it in 3–5 days. — Amara",
];
const CHANNELS = ["bench-x", "bench-mastodon", "bench-bluesky", "bench-email", "bench-webchat"];

export async function generateJsonl(file: string, messages: number, seed = 42): Promise<void> {
  const rand = mulberry32(seed);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;
  const out = createWriteStream(file);
  const start = Date.UTC(2026, 0, 1);
  let written = 0;
  let thread = 0;
  while (written < messages) {
    thread++;
    const channel = pick(CHANNELS);
    const person = Math.floor(rand() * 50_000);
    const author = {
      externalId: `p${person}`,
      handle: `person_${person}`,
      followerCount: Math.floor(rand() ** 4 * 200_000),
    };
    const length = Math.min(1 + Math.floor(rand() * 5), messages - written);
    let time = start + thread * 60_000;
    let previous: string | undefined;
    for (let i = 0; i < length; i++) {
      const externalId = `t${thread}-${i}`;
      const inbound = i % 2 === 0;
      const text = inbound
        ? `${pick(OPENERS)}, ${pick(ISSUES).replace("{n}", String(1000 + Math.floor(rand() * 9000)))}. ${pick(CLOSERS)}`
        : pick(REPLIES);
      const line = {
        channel,
        externalId,
        threadExternalId: `t${thread}-0`,
        ...(previous ? { inReplyToExternalId: previous } : {}),
        direction: inbound ? "in" : "out",
        author: inbound ? author : { externalId: "brand", displayName: "Support" },
        text,
        createdAt: new Date(time).toISOString(),
      };
      if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, "drain");
      previous = externalId;
      time += Math.floor(rand() * 3_600_000);
      written++;
    }
  }
  out.end();
  await once(out, "finish");
}
