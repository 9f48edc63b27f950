import fc from "fast-check";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { asApi, inbound } from "../../test/helpers/services.ts";
import type { InboundMessageInput } from "../core/inbound.ts";
import { createServices } from "./container.ts";
import { QueueService } from "./queue.service.ts";

const now = new Date("2026-11-20T12:00:00Z");
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

const TEXTS = [
  "Hi, how do I change the date of my booking?",
  "My bag never arrived and nobody answers. This is the third time I write!",
  "Thanks, all sorted now 😊",
  "The app crashes every time I open my tickets",
  "Could you add seat selection online? Would be nice.",
  "I was charged twice for order 4412, please refund",
  "My train leaves in 1 hour and it shows cancelled, I'm stranded at the station",
  "ok",
];

describeEachEngine("the fair queue", (ctx) => {
  it("orders by need and waiting, explains each position, and ignores follower counts", async () => {
    const services = createServices(ctx.database);
    const quiet = inbound({
      channel: "queue-a",
      author: { externalId: "quiet", handle: "quiet", followerCount: 3 },
      text: "Hello, where can I find my invoice?",
      createdAt: ago(180),
    });
    const loud = inbound({
      channel: "queue-a",
      author: { externalId: "loud", handle: "celebrity", followerCount: 2_000_000 },
      text: "Where can I find my invoice?",
      createdAt: ago(10),
    });
    const urgent = inbound({
      channel: "queue-a",
      author: { externalId: "urgent", handle: "traveller", followerCount: 40 },
      text: "My train leaves in 1 hour and it shows cancelled, I'm stranded at the station. Please help!",
      createdAt: ago(30),
    });
    await services.ingest.ingest([asApi(loud), asApi(quiet), asApi(urgent)]);
    const queue = new QueueService(ctx.database.db, () => now);
    const page = await queue.page({ channel: "queue-a", limit: 10 });
    expect(page.items.map((i) => i.person?.displayName)).toEqual(["quiet", "traveller", "celebrity"]);
    const [first, second] = page.items;
    expect(first!.why[0]).toBe("waiting 3 h, 2 h past the 1 h target");
    expect(first!.score).toBe(126);
    expect(first!.why).toContain("asked a question");
    expect(second!.why).toContain("urgent: travel today");
    expect(second!.need.urgent).toContain("travel today");
  });

  it("property: changing authors' follower counts never changes the order", async () => {
    const services = createServices(ctx.database);
    const conversation = fc.record({
      texts: fc.array(fc.constantFrom(...TEXTS), { minLength: 1, maxLength: 3 }),
      // Distinct minutes for each message (a thread has at most 4), so "the latest message" is well defined.
      startedMinutesAgo: fc.integer({ min: 10, max: 3000 }),
      replied: fc.boolean(),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(conversation, { minLength: 2, maxLength: 8 }),
        fc.array(fc.nat({ max: 5_000_000 }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.nat({ max: 5_000_000 }), { minLength: 8, maxLength: 8 }),
        async (conversations, followersA, followersB) => {
          run++;
          const build = (channel: string, followers: number[]) =>
            conversations.flatMap((c, i): InboundMessageInput[] => {
              const author = { externalId: `p${i}`, handle: `p${i}`, followerCount: followers[i]! };
              const root = `r${i}`;
              const out: InboundMessageInput[] = [];
              let minute = c.startedMinutesAgo;
              c.texts.forEach((text, j) => {
                out.push({
                  channel,
                  externalId: `${root}-${j}`,
                  threadExternalId: root,
                  direction: "in",
                  author,
                  text,
                  createdAt: ago(minute),
                });
                minute -= 1;
                if (c.replied && j === 0) {
                  out.push({
                    channel,
                    externalId: `${root}-reply`,
                    threadExternalId: root,
                    direction: "out",
                    author: { externalId: "agent:test", displayName: "Test Agent" },
                    text: "We're on it.",
                    createdAt: ago(minute),
                  });
                  minute -= 1;
                }
              });
              return out;
            });
          const order = async (channel: string, followers: number[]) => {
            await services.ingest.ingest(build(channel, followers).map(asApi));
            const page = await services.queue.page({ channel, limit: 100 });
            // Each conversation's position key and identity (ties in the key may come in any order).
            return page.items.map(
              (item) => `${item.queueDueAt}|${item.firstInboundAt}|${item.messageCount}|${item.preview}`,
            );
          };
          const a = await order(`prop-${run}-a`, followersA);
          const b = await order(`prop-${run}-b`, followersB);
          // Both queues are in deadline order, and every conversation has the same deadline in both, so
          // they hold the same positions. (Conversations with equal deadlines are ordered by their random
          // ids, so only the order among different deadlines is compared.)
          // Every conversation whose last message is the person's is in the queue (none silently lost).
          expect(a).toHaveLength(conversations.filter((c) => !(c.replied && c.texts.length === 1)).length);
          const due = (items: string[]) => items.map((item) => item.split("|")[0]!);
          expect([...due(a)].sort()).toEqual(due(a));
          expect(due(b)).toEqual(due(a));
          expect([...b].sort()).toEqual([...a].sort());
        },
      ),
      { numRuns: 10 },
    );
  }, 180_000);
});
