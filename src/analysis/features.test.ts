import { describe, expect, it } from "vitest";
import { spamWords, spamWordsOfLower } from "./features.ts";

describe("spamWordsOfLower", () => {
  it("relies on lower-casing being idempotent, for every code point", () => {
    const changed: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      const lower = String.fromCodePoint(cp).toLowerCase();
      if (lower.toLowerCase() !== lower) changed.push(cp.toString(16));
    }
    expect(changed).toEqual([]);
    // Final sigma depends on context, but only a capital sigma has one, and no lower-cased text holds one.
    expect("ΟΔΟΣ.ΑΒ".toLowerCase().toLowerCase()).toBe("ΟΔΟΣ.ΑΒ".toLowerCase());
  });

  it.each([
    "Check out my channel http://youtube.com/watch?v=1 &amp; WIN $500 now 😂",
    "I&#39;ve been waiting 3 hours &AMP;lt;br&gt; İSTANBUL",
    "plain text",
  ])("reads %j as spamWords does", (text) => {
    const lower = text.toLowerCase();
    expect(spamWordsOfLower(lower)).toEqual(spamWords(lower));
  });
});
