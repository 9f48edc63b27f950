import { describe, expect, it } from "vitest";
import { type InboundMessageInput, inboundMessageSchema } from "../core/inbound.ts";
import { generateDemoWorkspace } from "./demo.generator.ts";

const now = new Date("2026-03-10T12:00:00.000Z");
const workspace = generateDemoWorkspace({ seed: 7, now });

function threadsOf(messages: InboundMessageInput[]): Map<string, InboundMessageInput[]> {
  const threads = new Map<string, InboundMessageInput[]>();
  for (const message of messages) {
    const key = `${message.channel}|${message.threadExternalId}`;
    threads.set(key, [...(threads.get(key) ?? []), message]);
  }
  return threads;
}

describe("generateDemoWorkspace", () => {
  it("is deterministic for the same seed and now, and differs for another seed", () => {
    expect(generateDemoWorkspace({ seed: 7, now })).toEqual(workspace);
    expect(generateDemoWorkspace({ seed: 8, now }).messages).not.toEqual(workspace.messages);
  });

  it("makes 200 conversations by default, and as many as asked", () => {
    expect(threadsOf(workspace.messages).size).toBe(200);
    expect(threadsOf(generateDemoWorkspace({ now, conversations: 25 }).messages).size).toBe(25);
  });

  it("produces only valid canonical messages on declared channels", () => {
    const keys = new Set(workspace.channels.map((c) => c.key));
    for (const message of workspace.messages) {
      const parsed = inboundMessageSchema.safeParse(message);
      expect(parsed.success, JSON.stringify(message)).toBe(true);
      expect(keys).toContain(message.channel);
      expect(message.text).not.toMatch(/\{[a-zA-Z0-9]+\}/);
    }
    expect(new Set(workspace.messages.map((m) => m.channel)).size).toBeGreaterThanOrEqual(5);
  });

  it("keeps every timestamp in the past and every reply after its parent", () => {
    const byId = new Map(workspace.messages.map((m) => [`${m.channel}|${m.externalId}`, m]));
    const oldest = now.getTime() - 72 * 3600 * 1000;
    for (const message of workspace.messages) {
      const at = Date.parse(message.createdAt);
      expect(at).toBeLessThanOrEqual(now.getTime());
      expect(at).toBeGreaterThanOrEqual(oldest);
      if (message.inReplyToExternalId) {
        const parent = byId.get(`${message.channel}|${message.inReplyToExternalId}`);
        expect(parent).toBeDefined();
        expect(at).toBeGreaterThan(Date.parse(parent!.createdAt));
      }
    }
  });

  it("threads each conversation from its root, alternating with our replies", () => {
    for (const thread of threadsOf(workspace.messages).values()) {
      const [root, ...rest] = thread;
      expect(root!.externalId).toBe(root!.threadExternalId);
      expect(root!.direction).toBe("in");
      expect(root!.inReplyToExternalId ?? undefined).toBeUndefined();
      expect(rest.length).toBeLessThanOrEqual(5);
      rest.forEach((message, i) => {
        expect(message.inReplyToExternalId).toBe(thread[i]!.externalId);
      });
      for (const out of thread.filter((m) => m.direction === "out")) {
        expect(out.author.externalId).toMatch(/^agent:/);
        expect(out.text).toMatch(new RegExp(`— ${out.author.displayName!.split(" ")[0]}`));
      }
    }
  });

  it("leaves a realistic share of conversations awaiting our reply", () => {
    const threads = [...threadsOf(workspace.messages).values()];
    const awaiting = threads.filter((t) => t.at(-1)!.direction === "in").length / threads.length;
    expect(awaiting).toBeGreaterThanOrEqual(0.3);
    expect(awaiting).toBeLessThanOrEqual(0.7);
    expect(threads.some((t) => t.length >= 4)).toBe(true);
  });

  it("spans quiet and loud audiences", () => {
    const counts = workspace.messages.flatMap((m) =>
      m.author.followerCount == null ? [] : [m.author.followerCount],
    );
    expect(counts.some((n) => n < 100)).toBe(true);
    expect(counts.some((n) => n >= 100_000)).toBe(true);
  });

  it("has some people on two platforms under the same display name", () => {
    const channelsByName = new Map<string, Set<string>>();
    for (const m of workspace.messages.filter((m) => m.direction === "in")) {
      const name = m.author.displayName!;
      channelsByName.set(name, (channelsByName.get(name) ?? new Set()).add(m.channel));
    }
    expect([...channelsByName.values()].filter((c) => c.size >= 2).length).toBeGreaterThanOrEqual(3);
  });

  it("keeps externalIds unique within each channel", () => {
    const ids = workspace.messages.map((m) => `${m.channel}|${m.externalId}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps DMs, email and webchat private", () => {
    for (const m of workspace.messages) {
      if (m.channel === "email-support" || m.channel === "webchat") expect(m.visibility).toBe("private");
    }
    const social = workspace.messages.filter((m) => m.channel === "x-support");
    expect(social.some((m) => m.visibility === "public")).toBe(true);
    expect(social.filter((m) => m.visibility === "public").length).toBeGreaterThan(social.length / 2);
  });

  it("includes customers pasting HTML, some spam and some thanks", () => {
    const texts = workspace.messages.filter((m) => m.direction === "in").map((m) => m.text);
    expect(texts.filter((t) => /<script>|<img src=x onerror|<iframe/.test(t)).length).toBeGreaterThanOrEqual(
      2,
    );
    expect(texts.some((t) => /crypto|follow for follow|check out my channel/i.test(t))).toBe(true);
    expect(texts.some((t) => /thank/i.test(t))).toBe(true);
  });

  it("does not repeat itself verbatim much", () => {
    const roots = [...threadsOf(workspace.messages).values()].map((t) => t[0]!.text);
    expect(new Set(roots).size).toBeGreaterThan(roots.length * 0.85);
  });
});
