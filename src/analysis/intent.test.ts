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

  it("finds status chasing about a product or service, but not venting about life", () => {
    expect(intent("@AcmeHelp any update on my order?")).toContain("complaint");
    expect(intent("@acme been almost two weeks and my package is nowhere")).toContain("complaint");
    expect(intent("@AskAcme why is my account locked?")).toContain("complaint");
    expect(intent("@sam any update on the party?")).not.toContain("complaint");
    expect(intent("@MicrosoftHelps any news on this?")).toContain("complaint");
    expect(intent("@AcmeHelpDesk any news on this?")).toContain("complaint");
    expect(intent("@jane any news on this?")).not.toContain("complaint");
    expect(intent("8 am finals should not be a thing")).not.toContain("complaint");
  });

  it("reads a polite but negative message about a product as a complaint, and venting about life as not", () => {
    expect(intent("@AcmeHelp thanks for the quick reply, but the replacement charger is slow too")).toContain(
      "complaint",
    );
    expect(intent("this weather is awful, I hate Mondays")).not.toContain("complaint");
    expect(intent("so sad that the show ended, terrible finale")).not.toContain("complaint");
  });

  it("finds broken promises, outages with a duration and things falling apart", () => {
    expect(intent("they promised a call back and it never happened")).toContain("complaint");
    expect(intent("no broadband since 9am")).toContain("complaint");
    expect(intent("bought these a month ago and they are falling apart")).toContain("complaint");
  });

  it("reads a negative message to someone that chases an expectation as a complaint", () => {
    expect(intent("@acme why is this so hard, honestly awful")).toContain("complaint");
    expect(intent("why is this so hard, honestly awful")).not.toContain("complaint");
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
