import { expect, it } from "vitest";
import { uuidv7 } from "./uuid.ts";

it("makes RFC 9562 version-7 UUIDs that carry their millisecond and sort by it", () => {
  const at = Date.UTC(2026, 11, 1, 6, 30, 0, 123);
  const id = uuidv7(at);
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16)).toBe(at);
  const later = uuidv7(at + 1);
  expect(later > id).toBe(true);
  const many = new Set(Array.from({ length: 5000 }, () => uuidv7(at)));
  expect(many.size).toBe(5000);
  for (const other of many) expect(other.slice(0, 13)).toBe(id.slice(0, 13));
});
