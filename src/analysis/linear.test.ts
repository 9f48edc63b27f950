import { describe, expect, it } from "vitest";
import { START, spamFeatures, spamWords } from "./features.ts";
import { compileLinear, type LinearModel, linearLogit, wordsLogit } from "./linear.ts";
import spamModel from "./models/spam.json" with { type: "json" };

describe("wordsLogit", () => {
  const model = compileLinear(spamModel as LinearModel);

  it.each([
    "",
    "click here for free stuff http://bit.ly/abc123",
    "Congratulations you have won a prize! txt WIN to 80082 now, call 09061701461",
    "been waiting 3 hours for a reply, still no reply",
    "buy now buy now buy now buy now buy now buy now buy now buy now buy now buy now",
    // More than 32 distinct weighted features: the de-duplication switches to a Set.
    "free entry in 2 a wkly comp to win fa cup final tkts 21st may 2005. text fa to 87121 to receive entry " +
      "question(std txt rate)t&c's apply 08452810075over18's free entry win win txt call claim prize now",
  ])("equals linearLogit over the spam features of %j", (text) => {
    const expected = linearLogit(model, spamFeatures(text));
    expect(wordsLogit(model, spamWords(text), START)).toBe(expected);
  });

  it("counts a repeated word and a repeated pair once", () => {
    const m = compileLinear({ source: "test", bias: 0.5, weights: { a: 1, "a b": 2, b: 4, "<s> a": 8 } });
    expect(wordsLogit(m, ["a", "b", "a", "b", "c"], START)).toBe(0.5 + 8 + 1 + 4 + 2);
    expect(wordsLogit(m, ["b", "a"], START)).toBe(0.5 + 4 + 1);
  });
});
