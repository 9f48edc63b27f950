import { describe, expect, it } from "vitest";
import { sentiment } from "./sentiment.ts";
import { vaderCompound } from "./vader.analyzer.ts";

describe("sentiment", () => {
  it.each([
    "been waiting 3 hours for a reply",
    "my bag never arrived",
    "cancelled again",
    "Still no refund after two weeks",
    "on hold for 45 minutes and they hung up on me",
    "the app is not working and I can't log in",
    "Not happy.",
    "thanks for the lack of help",
    "I want my money back",
    "@brand checkout broke again #epicfail",
    "Taking my business elsewhere.",
    "Get it together.",
    "The app keeps logging me out",
    "The staff were disrespectful and the seats were filthy",
  ])("reads the care complaint %j as negative", (text) => {
    expect(sentiment(text).label).toBe("negative");
  });

  it.each([
    "Thank you so much, you are amazing!",
    "Love the new app, great job 😍",
    "thanks for the quick help!",
  ])("reads %j as positive", (text) => {
    expect(sentiment(text).label).toBe("positive");
  });

  it.each([
    "Great, another delay.",
    "I hope you can help, my order is late",
    "Nice work. Days late AND smashed.",
  ])("does not let politeness, hope or irony cancel the problem in %j", (text) => {
    expect(sentiment(text).label).toBe("negative");
  });

  it("keeps a mixed message positive when the praise clearly outweighs the problem", () => {
    expect(sentiment("The flight was delayed but the crew were amazing, thank you so much!").label).toBe(
      "positive",
    );
  });

  it("damps a question that comes after a statement, as it damps one that opens the message", () => {
    const asked = sentiment("Flight 123 tomorrow, will it be delayed?").score;
    const told = sentiment("Flight 123 tomorrow, it will be delayed.").score;
    expect(asked).toBeGreaterThan(told);
    expect(asked).toBeCloseTo(sentiment("Will flight 123 be delayed tomorrow?").score, 1);
  });

  it("keeps plain questions neutral", () => {
    expect(sentiment("Can I change my seat on flight 123?").label).toBe("neutral");
    expect(sentiment("What time does the store open tomorrow?").label).toBe("neutral");
  });

  it("handles negation, including the capitalised kind vader-sentiment misses", () => {
    expect(sentiment("The agent was helpful").score).toBeGreaterThan(0);
    expect(sentiment("The agent was not helpful").score).toBeLessThan(0);
    expect(sentiment("Not happy.").score).toBeLessThan(0);
    expect(vaderCompound("Not happy.")).toBeGreaterThan(0); // the baseline's known bug
  });

  it("weights the clause after 'but'", () => {
    expect(sentiment("The food was great but the service was terrible").score).toBeLessThan(0);
    expect(sentiment("The service was terrible but the food was great").score).toBeGreaterThan(0);
  });

  it("counts emoji and caps", () => {
    expect(sentiment("my order arrived 😡").score).toBeLessThan(sentiment("my order arrived").score);
    expect(sentiment("my order arrived 😍").score).toBeGreaterThan(sentiment("my order arrived").score);
    expect(sentiment("this is TERRIBLE service").score).toBeLessThan(
      sentiment("this is terrible service").score,
    );
  });

  it("reads tweet forms: HTML entities, emoticons with letters, elongation and hashtags", () => {
    expect(sentiment("I &lt;3 this airline").score).toBeGreaterThan(0);
    expect(sentiment("landed early :D").score).toBeGreaterThan(sentiment("landed early").score);
    expect(sentiment("sooo good").score).toBeGreaterThan(sentiment("so good").score);
    expect(sentiment("bag gone #lostluggage").score).toBeLessThan(sentiment("bag gone").score);
    expect(sentiment("seat 3A #NotHappy").score).toBeLessThan(0);
    expect(sentiment("home at last #thankyou").score).toBeGreaterThan(0);
    expect(sentiment("Flight booked, can't wait!").score).toBeGreaterThan(0.3);
  });

  it("reads sarcastic thanks next to a failure as negative", () => {
    expect(sentiment("Thanks for losing my bag, great job").label).toBe("negative");
    expect(sentiment("Love how my flight got cancelled again").label).toBe("negative");
  });

  it("keeps scores in [-1, 1] and is deterministic", () => {
    const texts = ["", "!!!!", "😡😡😡😡😡😡😡😡", "great ".repeat(200), "awful ".repeat(200)];
    for (const t of texts) {
      const a = sentiment(t);
      expect(a.score).toBeGreaterThanOrEqual(-1);
      expect(a.score).toBeLessThanOrEqual(1);
      expect(sentiment(t)).toEqual(a);
    }
  });
});
