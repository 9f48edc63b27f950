import { describe, expect, it } from "vitest";
import { isElongated } from "./valence.ts";

const ELONGATED = /(\p{L})\1\1/u;

describe("isElongated", () => {
  it("finds runs of three of one letter, in and outside ASCII", () => {
    for (const yes of ["soooo good", "YAAAY", "ééé", "𝐚𝐚𝐚", "ok 𝐛𝐛𝐛!", "ßßß"])
      expect(isElongated(yes)).toBe(true);
    for (const no of ["good", "!!!", "...", "😂😂😂", "111", "𝐚𝐚", "   ", "aa aa", ""])
      expect(isElongated(no)).toBe(false);
  });

  it("answers as the Unicode regex does", () => {
    // Deterministic pseudo-random texts over letters, digits, punctuation, emoji and astral letters.
    const alphabet = ["a", "a", "b", "A", "é", "É", "𝐚", "😂", "!", ".", " ", "1", "\ud835", "\udc1a", "ß"];
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 5000; n++) {
      let text = "";
      const length = next() % 12;
      for (let i = 0; i < length; i++) text += alphabet[next() % alphabet.length];
      expect(isElongated(text), JSON.stringify(text)).toBe(ELONGATED.test(text));
    }
  });
});
