import { describe, expect, it } from "vitest";
import { urgency } from "./urgency.ts";

describe("urgency", () => {
  it.each([
    ["There is smoke coming out of the charger you sold me", "safety"],
    ["Your website is down and I can't log in", "outage"],
    ["You charged me twice for the same order", "money taken"],
    ["My flight is today and I'm stuck at the airport", "travel today"],
    ["This is the third time I'm asking about my refund", "repeated contact"],
  ])("rates %j high for %s", (text, reason) => {
    const u = urgency(text);
    expect(u.level).toBe("high");
    expect(u.reasons).toContain(reason);
  });

  it("uses the number of earlier inbound messages for repeated contact", () => {
    expect(urgency("any news on my order?", { priorInboundCount: 0 }).level).toBe("normal");
    const u = urgency("any news on my order?", { priorInboundCount: 3 });
    expect(u).toEqual({ level: "high", reasons: ["repeated contact"] });
  });

  it("rates thanks and praise low, ordinary requests normal", () => {
    expect(urgency("").level).toBe("low");
    expect(urgency("How do I update my billing address?").level).toBe("normal");
  });
});
