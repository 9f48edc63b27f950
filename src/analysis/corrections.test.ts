import { describe, expect, it } from "vitest";
import {
  type AnalysisColumns,
  agrees,
  applyHuman,
  applyMachine,
  humanEntries,
  machineValue,
  normalizeIntents,
} from "./corrections.ts";

const columns: AnalysisColumns = {
  sentiment_score: 0.3,
  sentiment_label: "neutral",
  intent: ["question"],
  urgency: "normal",
  spam_score: 0.7,
  spam_label: "spam",
  language: "en",
};

describe("analysis corrections", () => {
  it("keeps a score that already lies in the corrected label's range and moves one that does not", () => {
    expect(applyHuman(columns, "sentiment", "negative")).toMatchObject({
      sentiment_label: "negative",
      sentiment_score: -0.6,
    });
    expect(applyHuman(columns, "sentiment", "positive")).toMatchObject({ sentiment_score: 0.6 });
    expect(
      applyHuman({ ...columns, sentiment_score: -0.2, sentiment_label: "negative" }, "sentiment", "neutral"),
    ).toMatchObject({
      sentiment_score: 0,
    });
    expect(applyHuman({ ...columns, sentiment_score: 0.9 }, "sentiment", "positive")).toMatchObject({
      sentiment_score: 0.9,
    });
    expect(applyHuman(columns, "spam", "ham")).toMatchObject({ spam_label: "ham", spam_score: 0 });
    expect(applyHuman(columns, "spam", "spam")).toMatchObject({ spam_score: 0.7 });
  });

  it("restores exactly what the analyzer said", () => {
    const corrected = applyHuman(applyHuman(columns, "sentiment", "negative"), "intent", ["complaint"]);
    const back = applyMachine(
      applyMachine(corrected, "sentiment", machineValue(columns, "sentiment")),
      "intent",
      machineValue(columns, "intent"),
    );
    expect(back).toEqual(columns);
  });

  it("reads intent lists as sets in the analyzer's order, with other only alone", () => {
    expect(normalizeIntents(["praise", "question", "praise"])).toEqual(["question", "praise"]);
    expect(normalizeIntents(["other", "complaint"])).toEqual(["complaint"]);
    expect(normalizeIntents(["other"])).toEqual(["other"]);
    expect(agrees("intent", ["praise", "question"], ["question", "praise"])).toBe(true);
    expect(agrees("intent", ["question"], ["question", "praise"])).toBe(false);
    expect(agrees("sentiment", "neutral", { label: "neutral", score: 0.1 })).toBe(true);
    expect(agrees("urgency", "high", "normal")).toBe(false);
    expect(humanEntries({ intent: ["praise", "question"], spam: "ham" })).toEqual([
      ["intent", ["question", "praise"]],
      ["spam", "ham"],
    ]);
  });
});
