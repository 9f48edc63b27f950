import { describe, expect, it } from "vitest";
import { unHtml } from "./features.ts";
import { spam } from "./spam.ts";

describe("spam", () => {
  it.each([
    ["Hey guys check out my channel and subscribe!!", "self-promotion"],
    ["follow me and I follow back, f4f", "follow-for-follow"],
    ["Earn $500 a day with bitcoin, passive income guaranteed", "crypto-investment"],
    ["Congratulations you have won a prize! txt WIN to 80082", "prize-bait"],
    ["click here for free stuff http://bit.ly/abc123", "link-bait"],
    ["please like this comment so my video gets noticed", "engagement-bait"],
  ])("flags %j with reason %s", (text, reason) => {
    const r = spam(text);
    expect(r.label).toBe("spam");
    expect(r.reasons).toContain(reason);
    expect(r.score).toBeGreaterThanOrEqual(0.5);
  });

  it("flags copy-paste floods", () => {
    const r = spam("buy now buy now buy now buy now buy now buy now buy now buy now buy now buy now");
    expect(r.reasons).toContain("copy-paste flood");
    expect(r.label).toBe("spam");
  });

  it.each([
    "been waiting 3 hours for a reply",
    "my bag never arrived and nobody answers the phone",
    "Can you send me the invoice for order 1234?",
    "I was charged twice for my subscription, please refund me",
    "Thanks for sorting out my refund so quickly!",
    "here is a photo of the damage https://t.co/AbCdEf123",
  ])("leaves the care message %j as ham", (text) => {
    const r = spam(text);
    expect(r.label).toBe("ham");
    expect(r.reasons).toEqual([]);
  });

  it("reads HTML-escaped comment text", () => {
    const r = spam("please like this comment if you&#39;re watching<br />in 2015");
    expect(r.reasons).toContain("engagement-bait");
    expect(unHtml('a &amp; b<br />c &#39;d&#39; <a href="http://x.io/v">x</a>')).toBe(
      "a & b c 'd'  http://x.io/v ",
    );
  });

  it.each(["@brand you have to follow me so I can DM you", "@brand can you follow back for a quick DM?"])(
    "does not take a follow-for-DM request %j as follow-for-follow",
    (text) => {
      expect(spam(text).label).toBe("ham");
    },
  );

  it("keeps the score in [0, 1] and is deterministic", () => {
    for (const t of ["", "x", "FREE ".repeat(500)]) {
      const r = spam(t);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
      expect(spam(t)).toEqual(r);
    }
  });
});
