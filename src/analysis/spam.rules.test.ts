import { describe, expect, it } from "vitest";
import { spam } from "./spam.ts";

describe("link-bait rule", () => {
  // A call to act within 80 characters after a link, or inside it, marks link-bait: the edges of that window.
  // "x.co/abc" is the link's run of 8 characters after "http://", so the window ends 88 characters after "http://".
  const link = "http://x.co/abc";
  it.each([
    [`${link} ${"y".repeat(78)} click here, free gift`, true],
    [`${link} ${"y".repeat(79)} click here, free gift`, false],
    [`${link}${"/y".repeat(60)} ${"y".repeat(78)} click here, free gift`, true],
    [`${link}${"/y".repeat(60)} ${"y".repeat(79)} click here, free gift`, false],
    ["get a free gift at http://x.co/click-here", true],
  ])("%j: %s", (text, fires) => {
    const r = spam(text, 0);
    expect(r.reasons.includes("link-bait")).toBe(fires);
  });
});
