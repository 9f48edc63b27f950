import { describe, expect, it } from "vitest";
import { intent } from "./intent.ts";

describe("intent", () => {
  it("finds questions", () => {
    expect(intent("How do I change my delivery address?")).toContain("question");
    expect(intent("can you help me with my booking")).toContain("question");
  });

  it("finds complaints, including ones in neutral words", () => {
    expect(intent("my order hasn't shipped and nobody replies")).toContain("complaint");
    expect(intent("@acme your app keeps crashing, this is ridiculous")).toContain("complaint");
    expect(intent("I was charged twice for one order")).toContain("complaint");
  });

  it("finds suggestions and praise", () => {
    expect(intent("You should add a dark mode to the app")).toContain("suggestion");
    expect(intent("Thank you so much, the support team was amazing!")).toEqual(["praise"]);
  });

  it("can return several intents", () => {
    const i = intent("Why is my flight delayed again? This is unacceptable");
    expect(i).toContain("question");
    expect(i).toContain("complaint");
  });

  it("falls back to other", () => {
    expect(intent("Just landed in Lisbon")).toEqual(["other"]);
    expect(intent("")).toEqual(["other"]);
  });
});
