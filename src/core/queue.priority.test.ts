import { describe, expect, it } from "vitest";
import {
  emptyNeed,
  explain,
  formatDuration,
  MAX_PULL,
  needPull,
  priorityScore,
  queueDueAt,
} from "./queue.priority.ts";

const t0 = new Date("2026-11-20T10:00:00Z");
const minutes = (m: number) => new Date(t0.getTime() + m * 60_000);

describe("queue priority", () => {
  it("uses the SLA due time, or an hour by default, when there is no need", () => {
    expect(queueDueAt({ waitingSince: t0, slaDueAt: minutes(240), need: emptyNeed() })).toEqual(minutes(240));
    expect(queueDueAt({ waitingSince: t0, slaDueAt: null, need: emptyNeed() })).toEqual(minutes(60));
  });

  it("pulls the deadline earlier by need, by a share of the span, capped so waiting always counts", () => {
    const complaint = { ...emptyNeed(), complaint: true };
    expect(queueDueAt({ waitingSince: t0, slaDueAt: minutes(100), need: complaint })).toEqual(minutes(75));
    const everything = {
      ...emptyNeed(),
      complaint: true,
      negative: true,
      urgent: ["safety"],
      question: true,
      followUp: true,
      repeated: true,
    };
    expect(needPull(everything)).toBe(MAX_PULL);
    expect(queueDueAt({ waitingSince: t0, slaDueAt: minutes(100), need: everything })).toEqual(minutes(20));
  });

  it("sends likely spam to the back", () => {
    const spam = { ...emptyNeed(), likelySpam: true, complaint: true };
    expect(queueDueAt({ waitingSince: t0, slaDueAt: minutes(60), need: spam }).getTime()).toBeGreaterThan(
      minutes(60).getTime(),
    );
  });

  it("serves a person who waited long before a newcomer with a complaint", () => {
    const longWait = { waitingSince: t0, slaDueAt: null, need: { ...emptyNeed(), question: true } };
    const newcomer = {
      waitingSince: minutes(170),
      slaDueAt: null,
      need: { ...emptyNeed(), complaint: true, negative: true },
    };
    const now = minutes(180);
    expect(queueDueAt(longWait).getTime()).toBeLessThan(queueDueAt(newcomer).getTime());
    expect(priorityScore(longWait, now)).toBeGreaterThan(priorityScore(newcomer, now));
  });

  it("explains a position in plain words", () => {
    const input = {
      waitingSince: t0,
      slaDueAt: minutes(60),
      need: { ...emptyNeed(), complaint: true, question: true, urgent: ["travel today"] },
    };
    expect(explain(input, minutes(130))).toEqual([
      "waiting 2 h 10 min, 1 h 10 min past the 1 h target",
      "urgent: travel today",
      "complaint",
      "asked a question",
    ]);
    expect(explain({ ...input, slaDueAt: null }, minutes(20))[0]).toBe(
      "waiting 20 min, 40 min left of the 1 h default target",
    );
  });

  it("formats durations", () => {
    expect(formatDuration(0)).toBe("0 min");
    expect(formatDuration(59 * 60_000)).toBe("59 min");
    expect(formatDuration(120 * 60_000)).toBe("2 h");
    expect(formatDuration((26 * 60 + 5) * 60_000)).toBe("1 d 2 h");
  });
});
