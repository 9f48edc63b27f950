import { describe, expect, it } from "vitest";
import {
  needsRefresh,
  newVisitorId,
  signVisitorToken,
  TOKEN_LIFETIME_MS,
  TOKEN_REFRESH_MS,
  verifyVisitorToken,
} from "./webchat.token.ts";

const KEY = "k".repeat(43);
const CHANNEL = "0b5f4e0c-1d7a-4c1e-9d9e-5b3f7a2e8c11";
const issuedAt = new Date("2026-12-01T10:00:00Z");
const claims = { visitorId: newVisitorId(), channelId: CHANNEL, issuedAt };

describe("visitor tokens", () => {
  it("verify when signed with the channel's key, for that channel", () => {
    const token = signVisitorToken(claims, KEY);
    const check = verifyVisitorToken(token, KEY, CHANNEL, new Date("2026-12-02T10:00:00Z"));
    expect(check).toEqual({ ok: true, claims });
  });

  it("give random, distinct visitor ids", () => {
    const ids = new Set(Array.from({ length: 100 }, newVisitorId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^wv_[A-Za-z0-9_-]{22}$/);
  });

  it("refuse another key, another channel, a changed payload and garbage, saying why", () => {
    const token = signVisitorToken(claims, KEY);
    expect(verifyVisitorToken(token, `${KEY}x`, CHANNEL, issuedAt)).toEqual({
      ok: false,
      reason: "The visitor token's signature is not valid.",
    });
    const other = signVisitorToken({ ...claims, channelId: "another" }, KEY);
    expect(verifyVisitorToken(other, KEY, CHANNEL, issuedAt)).toMatchObject({
      ok: false,
      reason: "The visitor token belongs to another channel.",
    });
    const [payload, signature] = token.split(".");
    const forged = Buffer.from(
      JSON.stringify({ v: "wv_someone_else_entirely", c: CHANNEL, t: issuedAt.getTime() / 1000 }),
    ).toString("base64url");
    expect(verifyVisitorToken(`${forged}.${signature}`, KEY, CHANNEL, issuedAt).ok).toBe(false);
    expect(verifyVisitorToken(`${payload}`, KEY, CHANNEL, issuedAt)).toMatchObject({
      reason: expect.stringMatching(/malformed/),
    });
    expect(verifyVisitorToken(`${token}.x`, KEY, CHANNEL, issuedAt).ok).toBe(false);
    expect(verifyVisitorToken("x".repeat(401), KEY, CHANNEL, issuedAt)).toMatchObject({
      reason: "The visitor token is too long.",
    });
  });

  it("expire after their lifetime and ask for renewal after a day", () => {
    const token = signVisitorToken(claims, KEY);
    const late = new Date(issuedAt.getTime() + TOKEN_LIFETIME_MS + 1000);
    expect(verifyVisitorToken(token, KEY, CHANNEL, late)).toEqual({
      ok: false,
      reason: "The visitor token has expired.",
    });
    expect(needsRefresh(claims, new Date(issuedAt.getTime() + TOKEN_REFRESH_MS - 1000))).toBe(false);
    expect(needsRefresh(claims, new Date(issuedAt.getTime() + TOKEN_REFRESH_MS + 1000))).toBe(true);
  });
});
