import { describe, expect, it } from "vitest";
import { clockTime, healthSummary } from "./channel-health";

const now = Date.parse("2026-03-01T12:00:00Z");
const base = { lastOkAt: null, lastErrorAt: null, lastError: null };

describe("channel health in words", () => {
  it("says when it was last checked", () => {
    expect(healthSummary({ ...base, status: "ok", lastOkAt: "2026-03-01T11:58:00Z" }, now)).toEqual({
      tone: "good",
      label: "working",
      text: "Last checked 2 min ago",
    });
  });

  it("names the service and the step that failed, with the time", () => {
    const failed = healthSummary(
      {
        status: "error",
        lastOkAt: "2026-03-01T09:00:00Z",
        lastErrorAt: "2026-03-01T10:42:00Z",
        lastError: { service: "imap", step: "auth", message: "AUTHENTICATIONFAILED" },
      },
      now,
    );
    expect(failed.tone).toBe("bad");
    expect(failed.text).toBe(`IMAP: auth failed at ${clockTime("2026-03-01T10:42:00Z", now)}`);
    expect(
      healthSummary({ ...base, status: "error", lastError: { service: "bluesky", message: "x" } }, now).text,
    ).toBe("BLUESKY: failed");
  });

  it("says paused, not yet checked, and not polled", () => {
    expect(healthSummary({ ...base, status: "paused" }, now).text).toBe("Paused: not polled");
    expect(healthSummary({ ...base, status: "waiting" }, now).label).toBe("starting");
    expect(healthSummary({ ...base, status: "inactive" }, now).label).toBe("not polled");
  });

  it("shows the date only when it is not today", () => {
    expect(clockTime("2026-03-01T10:42:00Z", now)).not.toMatch(/Mar/);
    expect(clockTime("2026-02-20T10:42:00Z", now)).toMatch(/Feb|20/);
  });
});
