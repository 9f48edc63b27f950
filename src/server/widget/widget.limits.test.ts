import { describe, expect, it } from "vitest";
import { RateLimiter } from "./widget.limits.ts";

describe("the widget's rate limiter", () => {
  it("allows a burst, then one per interval, and says how long to wait", () => {
    let now = 0;
    const limiter = new RateLimiter(3, 0.5, () => now);
    expect([limiter.take("v"), limiter.take("v"), limiter.take("v")]).toEqual([0, 0, 0]);
    expect(limiter.take("v")).toBe(2);
    now += 1000;
    expect(limiter.take("v")).toBe(1);
    now += 1000;
    expect(limiter.take("v")).toBe(0);
    // Each key has its own bucket.
    expect(limiter.take("w")).toBe(0);
  });

  it("refills to the burst, never beyond", () => {
    let now = 0;
    const limiter = new RateLimiter(2, 1, () => now);
    limiter.take("v");
    now += 60_000;
    expect([limiter.take("v"), limiter.take("v"), limiter.take("v")]).toEqual([0, 0, 1]);
  });
});
