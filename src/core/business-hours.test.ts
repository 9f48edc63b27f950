import { describe, expect, it } from "vitest";
import {
  addBusinessMinutes,
  type BusinessHoursSchedule,
  businessMinutesBetween,
  isValidTimeZone,
  localToInstant,
  openingAt,
  parseClock,
} from "./business-hours.ts";

const at = (iso: string) => new Date(iso);
const allDay: Array<[string, string]> = [["00:00", "24:00"]];
const nineToFive: Array<[string, string]> = [["09:00", "17:00"]];

const weekdays = (timezone: string, holidays: string[] = []): BusinessHoursSchedule => ({
  timezone,
  schedule: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
  holidays,
});

const everyDay = (timezone: string): BusinessHoursSchedule => ({
  timezone,
  schedule: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
  holidays: [],
});

describe("clock parsing and zones", () => {
  it("reads HH:MM and rejects the rest", () => {
    expect(parseClock("09:30")).toBe(570);
    expect(parseClock("24:00")).toBe(1440);
    expect(parseClock("24:01")).toBeNull();
    expect(parseClock("9:30")).toBeNull();
    expect(parseClock("12:60")).toBeNull();
  });

  it("knows IANA zones", () => {
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
  });

  it("maps a local time that does not exist past the gap, and a doubled one to the earlier instant", () => {
    // Berlin 2026-03-29 02:30 does not exist (02:00 CET → 03:00 CEST): 03:30 CEST.
    expect(new Date(localToInstant(Date.UTC(2026, 2, 29, 2, 30), "Europe/Berlin")).toISOString()).toBe(
      "2026-03-29T01:30:00.000Z",
    );
    // Berlin 2026-10-25 02:30 happens twice: the first time, in CEST.
    expect(new Date(localToInstant(Date.UTC(2026, 9, 25, 2, 30), "Europe/Berlin")).toISOString()).toBe(
      "2026-10-25T00:30:00.000Z",
    );
  });
});

describe("addBusinessMinutes", () => {
  it("runs around the clock without a schedule", () => {
    expect(addBusinessMinutes(at("2026-03-28T23:30:00Z"), 90, null).toISOString()).toBe(
      "2026-03-29T01:00:00.000Z",
    );
  });

  it("counts a 23-hour spring-forward day in Berlin", () => {
    const berlin = everyDay("Europe/Berlin");
    // Saturday 12:00 CET + 24 h of running clock = Sunday 13:00 CEST.
    expect(addBusinessMinutes(at("2026-03-28T11:00:00Z"), 1440, berlin).toISOString()).toBe(
      "2026-03-29T11:00:00.000Z",
    );
    // Saturday 00:00 CET → Monday 00:00 CEST is 47 hours.
    expect(businessMinutesBetween(at("2026-03-27T23:00:00Z"), at("2026-03-29T22:00:00Z"), berlin)).toBe(
      47 * 60,
    );
  });

  it("counts the night hours across Berlin's DST switches as the wall clock does", () => {
    const sundayNight: BusinessHoursSchedule = {
      timezone: "Europe/Berlin",
      schedule: { sun: [["01:00", "04:00"]] },
      holidays: [],
    };
    // Spring forward: 01:00 CET → 04:00 CEST is two real hours.
    expect(businessMinutesBetween(at("2026-03-28T12:00:00Z"), at("2026-03-30T12:00:00Z"), sundayNight)).toBe(
      120,
    );
    // Fall back: 01:00 CEST → 04:00 CET is four real hours.
    expect(businessMinutesBetween(at("2026-10-24T12:00:00Z"), at("2026-10-26T12:00:00Z"), sundayNight)).toBe(
      240,
    );
    // Starting Saturday evening, the clock opens at 01:00 CET (00:00Z); 90 minutes later it is 03:30 CEST.
    expect(addBusinessMinutes(at("2026-03-28T20:00:00Z"), 90, sundayNight).toISOString()).toBe(
      "2026-03-29T01:30:00.000Z",
    );
    // Fall back: 200 minutes from 01:00 CEST (23:00Z) is 02:20 CET (02:20Z).
    expect(addBusinessMinutes(at("2026-10-24T20:00:00Z"), 200, sundayNight).toISOString()).toBe(
      "2026-10-25T02:20:00.000Z",
    );
  });

  it("handles intervals whose edges fall into the gap or the doubled hour", () => {
    const gap: BusinessHoursSchedule = {
      timezone: "Europe/Berlin",
      schedule: { sun: [["02:30", "05:00"]] },
      holidays: [],
    };
    // 02:30 does not exist on 2026-03-29: the interval runs 03:30–05:00 CEST.
    expect(businessMinutesBetween(at("2026-03-28T12:00:00Z"), at("2026-03-30T12:00:00Z"), gap)).toBe(90);
    const doubled: BusinessHoursSchedule = {
      timezone: "Europe/Berlin",
      schedule: { sun: [["02:30", "03:30"]] },
      holidays: [],
    };
    // 02:30 CEST (00:30Z) → 03:30 CET (02:30Z) on 2026-10-25.
    expect(businessMinutesBetween(at("2026-10-24T12:00:00Z"), at("2026-10-26T12:00:00Z"), doubled)).toBe(120);
  });

  it("carries weekday hours over New York's DST weekends", () => {
    const ny = weekdays("America/New_York");
    // Friday 16:00 EST + 2 business hours = Monday 10:00 EDT.
    expect(addBusinessMinutes(at("2026-03-06T21:00:00Z"), 120, ny).toISOString()).toBe(
      "2026-03-09T14:00:00.000Z",
    );
    // Friday 16:00 EDT + 2 business hours = Monday 10:00 EST.
    expect(addBusinessMinutes(at("2026-10-30T20:00:00Z"), 120, ny).toISOString()).toBe(
      "2026-11-02T15:00:00.000Z",
    );
    expect(businessMinutesBetween(at("2026-03-06T21:00:00Z"), at("2026-03-09T14:00:00Z"), ny)).toBe(120);
  });

  it("carries New York's night clock over both switches", () => {
    const ny = everyDay("America/New_York");
    // Saturday 2026-03-07 12:00 EST (17:00Z) + 24 h of clock = Sunday 13:00 EDT (17:00Z).
    expect(addBusinessMinutes(at("2026-03-07T17:00:00Z"), 1440, ny).toISOString()).toBe(
      "2026-03-08T17:00:00.000Z",
    );
    // Sunday 2026-11-01 00:00 EDT (04:00Z) → Monday 00:00 EST (05:00Z): a 25-hour day.
    expect(businessMinutesBetween(at("2026-11-01T04:00:00Z"), at("2026-11-02T05:00:00Z"), ny)).toBe(25 * 60);
  });

  it("skips holidays and the weekend", () => {
    const berlin = weekdays("Europe/Berlin", ["2026-12-24", "2026-12-25"]);
    // Wednesday 23rd 16:30 CET: 30 minutes that day, Thu/Fri holidays, weekend closed, Monday 09:30.
    expect(addBusinessMinutes(at("2026-12-23T15:30:00Z"), 60, berlin).toISOString()).toBe(
      "2026-12-28T08:30:00.000Z",
    );
    expect(businessMinutesBetween(at("2026-12-23T15:30:00Z"), at("2026-12-28T08:30:00Z"), berlin)).toBe(60);
  });

  it("starts the clock at the next opening when started outside hours", () => {
    const berlin = weekdays("Europe/Berlin");
    // Saturday 10:00 CEST → Monday 09:00 + 30 min = 09:30 CEST.
    expect(addBusinessMinutes(at("2026-06-06T08:00:00Z"), 30, berlin).toISOString()).toBe(
      "2026-06-08T07:30:00.000Z",
    );
    // Monday 07:00 CEST (before opening) + 60 = 10:00 CEST.
    expect(addBusinessMinutes(at("2026-06-08T05:00:00Z"), 60, berlin).toISOString()).toBe(
      "2026-06-08T08:00:00.000Z",
    );
    // Between Friday 18:00 and Monday 08:00 nothing runs.
    expect(businessMinutesBetween(at("2026-06-05T16:00:00Z"), at("2026-06-08T06:00:00Z"), berlin)).toBe(0);
  });

  it("pauses over a lunch break and ends exactly at closing time", () => {
    const split: BusinessHoursSchedule = {
      timezone: "UTC",
      schedule: {
        mon: [
          ["13:00", "17:00"],
          ["09:00", "12:00"],
        ],
      },
      holidays: [],
    };
    expect(addBusinessMinutes(at("2026-06-08T11:30:00Z"), 60, split).toISOString()).toBe(
      "2026-06-08T13:30:00.000Z",
    );
    expect(addBusinessMinutes(at("2026-06-08T16:00:00Z"), 60, split).toISOString()).toBe(
      "2026-06-08T17:00:00.000Z",
    );
    expect(businessMinutesBetween(at("2026-06-08T13:30:00Z"), at("2026-06-08T11:30:00Z"), split)).toBe(-60);
  });

  it("round-trips: the minutes between a start and its due are the minutes added", () => {
    const ny = weekdays("America/New_York", ["2026-11-26"]);
    let start = Date.UTC(2026, 9, 20, 3, 17);
    for (let i = 0; i < 40; i++) {
      const minutes = (i * 97) % 2000;
      const due = addBusinessMinutes(new Date(start), minutes, ny);
      expect(businessMinutesBetween(new Date(start), due, ny)).toBeCloseTo(minutes, 6);
      start += 7 * 3_600_000 + 13 * 60_000;
    }
  });

  it("refuses a schedule that is never open", () => {
    const closed: BusinessHoursSchedule = { timezone: "UTC", schedule: {}, holidays: [] };
    expect(() => addBusinessMinutes(at("2026-01-01T00:00:00Z"), 10, closed)).toThrow(/never open/);
    expect(businessMinutesBetween(at("2026-01-01T00:00:00Z"), at("2026-01-02T00:00:00Z"), closed)).toBe(0);
  });
});

describe("openingAt (the chat widget's open/closed now)", () => {
  const berlin = weekdays("Europe/Berlin", ["2026-12-24"]);
  it("is open inside hours and says when it closes", () => {
    // Tuesday 2026-12-01 10:00 in Berlin (CET, UTC+1).
    expect(openingAt(at("2026-12-01T09:00:00Z"), berlin)).toEqual({
      open: true,
      changesAt: at("2026-12-01T16:00:00Z"),
    });
  });
  it("is closed at night, on weekends and holidays, and names the next opening", () => {
    expect(openingAt(at("2026-12-01T20:00:00Z"), berlin)).toEqual({
      open: false,
      changesAt: at("2026-12-02T08:00:00Z"),
    });
    // Saturday → Monday 09:00.
    expect(openingAt(at("2026-12-05T12:00:00Z"), berlin).changesAt).toEqual(at("2026-12-07T08:00:00Z"));
    // Thursday 24 December is a holiday → Friday 25th.
    expect(openingAt(at("2026-12-24T10:00:00Z"), berlin)).toEqual({
      open: false,
      changesAt: at("2026-12-25T08:00:00Z"),
    });
  });
  it("is always open without a schedule, and never with an empty one", () => {
    expect(openingAt(at("2026-12-05T12:00:00Z"), null)).toEqual({ open: true, changesAt: null });
    expect(openingAt(at("2026-12-05T12:00:00Z"), { timezone: "UTC", schedule: {}, holidays: [] })).toEqual({
      open: false,
      changesAt: null,
    });
  });
});
