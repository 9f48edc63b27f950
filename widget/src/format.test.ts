import { describe, expect, it } from "vitest";
import { duration, dutyText, hoursText, responseText, textOn, typingText } from "./format.ts";

describe("what the widget says", () => {
  it("gives the measured response time when there is one, else the target as a target", () => {
    expect(responseText({ targetMinutes: 60, typicalMinutes: 12, samples: 40 })).toBe(
      "Usually replies in about 12 minutes",
    );
    expect(responseText({ targetMinutes: 60, typicalMinutes: null, samples: 2 })).toBe(
      "We aim to reply within 1 hour",
    );
    expect(responseText({ targetMinutes: 60, typicalMinutes: null, samples: 0 }, true)).toBe(
      "We aim to reply within 1 hour after we open",
    );
    expect(duration(1)).toBe("1 minute");
    expect(duration(150)).toBe("3 hours");
    expect(duration(3 * 24 * 60)).toBe("3 days");
  });

  it("names the people on duty, and says so when nobody is", () => {
    expect(dutyText([])).toBe("No one is online right now");
    expect(dutyText([{ name: "Maria Lopez" }])).toBe("Maria Lopez is here");
    expect(dutyText([{ name: "Maria" }, { name: "Sam" }])).toBe("Maria and Sam are here");
    expect(dutyText([{ name: "A" }, { name: "B" }, { name: "C" }, { name: "D" }])).toBe(
      "A, B and 2 others are here",
    );
    expect(typingText(["Maria", "Sam"])).toBe("Maria and Sam are typing…");
  });

  it("says whether business hours are open and when that changes", () => {
    const now = new Date(2026, 11, 1, 10, 0);
    expect(hoursText({ open: true, hours: null }, now)).toBe("");
    expect(
      hoursText(
        {
          open: true,
          hours: { timezone: "Europe/Berlin", changesAt: new Date(2026, 11, 1, 17, 0).toISOString() },
        },
        now,
        "en-GB",
      ),
    ).toBe("Open now, until 17:00");
    expect(
      hoursText(
        {
          open: false,
          hours: { timezone: "Europe/Berlin", changesAt: new Date(2026, 11, 7, 9, 0).toISOString() },
        },
        now,
        "en-GB",
      ),
    ).toBe("Closed now, opens Mon 09:00");
  });

  it("picks readable text on the brand colour", () => {
    expect(textOn("#315fd6")).toBe("#ffffff");
    expect(textOn("#ffd60a")).toBe("#111111");
  });
});
