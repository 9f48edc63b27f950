import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, initials, mentionAt, relativeTime, slaLabel, toCsv } from "./format";

describe("format", () => {
  it("formats durations for people", () => {
    expect(formatDuration(12_000)).toBe("12 s");
    expect(formatDuration(12 * 60_000)).toBe("12 min");
    expect(formatDuration(185 * 60_000)).toBe("3 h 5 min");
    expect(formatDuration(2 * 86_400_000)).toBe("2 d");
    expect(formatDuration(-5)).toBe("0 s");
  });

  it("formats file sizes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1024)).toBe("1 KB");
    expect(formatBytes(12_800)).toBe("13 KB");
    expect(formatBytes(3.4 * 1024 * 1024)).toBe("3.4 MB");
  });

  it("says how long ago or how soon", () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    expect(relativeTime("2026-03-01T11:50:00Z", now)).toBe("10 min ago");
    expect(relativeTime("2026-03-01T14:00:00Z", now)).toBe("in 2 h");
    expect(relativeTime("2026-03-01T12:00:10Z", now)).toBe("just now");
    expect(relativeTime(null, now)).toBe("—");
  });

  it("labels SLA clocks", () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    expect(slaLabel("breached", "2026-03-01T10:00:00Z", now)).toBe("overdue 2 h");
    expect(slaLabel("near", "2026-03-01T12:10:00Z", now)).toBe("due in 10 min");
    expect(slaLabel("met", null, now)).toBe("SLA met");
    expect(slaLabel(null, null, now)).toBe("no SLA");
  });

  it("makes initials", () => {
    expect(initials("Maria de la Cruz")).toBe("MD");
    expect(initials(null)).toBe("?");
  });

  it("writes CSV that spreadsheets read safely", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          ["x, y", 'say "hi"'],
          ["=SUM(A1)", -3],
        ],
      ),
    ).toBe('a,b\r\n"x, y","say ""hi"""\r\n\'=SUM(A1),-3\r\n');
  });

  it("finds the mention being typed", () => {
    expect(mentionAt("ask @mar", 8)).toEqual({ query: "mar", start: 4 });
    expect(mentionAt("@", 1)).toEqual({ query: "", start: 0 });
    expect(mentionAt("mail a@b", 8)).toBeNull();
  });
});
