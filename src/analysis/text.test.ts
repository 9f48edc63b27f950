import { describe, expect, it } from "vitest";
import { anyOf } from "./text.ts";

describe("anyOf", () => {
  const parts = [/\bnever (?:arrived|came)\b/, /\bon hold\b|\bhold times?\b/, /(?!x)a[^.]{0,3}b/];
  const joined = anyOf(parts);

  it.each([
    "it never arrived",
    "on hold again",
    "hold times",
    "a..b",
    "axb",
    "nothing here",
    "never came.",
    "",
  ])("matches %j when one of its regexes does", (text) => {
    expect(joined.test(text)).toBe(parts.some((re) => re.test(text)));
  });

  it("refuses regexes it cannot join", () => {
    expect(() => anyOf([/a/, /b/i])).toThrow();
    expect(() => anyOf([/(a)\1/])).toThrow();
  });
});
