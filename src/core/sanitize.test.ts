import { describe, expect, it } from "vitest";
import { storable, unstorable } from "./sanitize.ts";

describe("storable", () => {
  it("replaces U+0000 and lone surrogates with U+FFFD in strings, arrays and keys, keeping surrogate pairs", () => {
    expect(storable("a\u0000b")).toBe("a\uFFFDb");
    expect(storable("cut \ud83d")).toBe("cut \uFFFD");
    expect(storable("\udc00 then \ud800\ud800\udc00")).toBe("\uFFFD then \uFFFD\ud800\udc00");
    expect(storable({ "k\ud800": ["ok", "x\u0000\udfff"], n: 1 })).toEqual({
      "k\uFFFD": ["ok", "x\uFFFD\uFFFD"],
      n: 1,
    });
  });

  it("returns the very same value when nothing needs replacing", () => {
    const payload = { text: "fine 🙂", list: [1, null, "ok"], nested: { a: true } };
    expect(storable(payload)).toBe(payload);
    expect(unstorable("🙂 \ud83d\ude42")).toBeNull();
    expect(unstorable("\ud83d")).toBe("surrogate");
    expect(unstorable("\u0000\ud83d")).toBe("nul");
  });
});
