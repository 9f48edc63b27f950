import { describe, expect, it } from "vitest";
import { clampQueryBound, isMessageTime, isStorableInstant } from "./instants.ts";

describe("instants", () => {
  it("takes a message time between 1970 and 2999 (UTC), nothing outside", () => {
    for (const ok of ["1970-01-01T00:00:00Z", "2026-12-02T10:00:00+14:00", "2999-12-31T23:59:59.999Z"])
      expect(isMessageTime(ok), ok).toBe(true);
    for (const bad of [
      "1969-12-31T23:59:59Z",
      "0000-01-01T00:00:00Z",
      "3000-01-01T00:00:00Z",
      "9999-12-31T23:59:59Z",
      "+275760-09-13T00:00:00.000Z",
      "not a date",
    ])
      expect(isMessageTime(bad), bad).toBe(false);
    expect(isMessageTime(new Date(Number.NaN))).toBe(false);
    expect(isMessageTime(new Date("2026-01-01T00:00:00Z"))).toBe(true);
  });

  it("clamps query bounds to the four-digit years PostgreSQL holds, and leaves the rest alone", () => {
    const at = (iso: string) => clampQueryBound(new Date(iso)).toISOString();
    expect(at("0000-01-01T00:00:00Z")).toBe("0001-01-01T00:00:00.000Z");
    expect(at("-000100-01-01T00:00:00Z")).toBe("0001-01-01T00:00:00.000Z");
    expect(at("+010000-01-01T00:00:00Z")).toBe("9999-12-31T23:59:59.999Z");
    expect(at("2026-05-01T12:00:00Z")).toBe("2026-05-01T12:00:00.000Z");
    expect(isStorableInstant("0000-12-31T23:59:59Z")).toBe(false);
    expect(isStorableInstant("0001-01-01T00:00:00Z")).toBe(true);
    expect(isStorableInstant("9999-12-31T23:59:59Z")).toBe(true);
  });
});
