import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkSignature, generateSigningSecret, signatureHeaders, signBody } from "./signature.ts";

const secret = "whsec_a-secret-that-is-long-enough-0123456789";
const body = '{"externalId":"1","text":"héllo"}';
const at = new Date("2026-11-20T10:00:00Z");

describe("webhook signatures", () => {
  it("is HMAC-SHA256 of timestamp.body, as openssl computes it", () => {
    // printf '%s' "1795168800.$BODY" | openssl dgst -sha256 -hmac "$SECRET"
    const expected = createHmac("sha256", secret).update(`1795168800.${body}`, "utf8").digest("hex");
    expect(signBody(secret, 1795168800, Buffer.from(body))).toBe(`sha256=${expected}`);
    expect(signatureHeaders(secret, body, at)).toEqual({
      "x-rapport-timestamp": "1795168800",
      "x-rapport-signature": `sha256=${expected}`,
    });
  });

  it("accepts the exact body within the tolerance and says precisely what is wrong otherwise", () => {
    const headers = signatureHeaders(secret, body, at);
    const check = (h: Record<string, string>, b = body, now = at) =>
      checkSignature(h, Buffer.from(b), secret, { now });
    expect(check(headers)).toEqual({ ok: true });
    expect(check(headers, body, new Date(at.getTime() + 299_000))).toEqual({ ok: true });
    expect(check(headers, `${body} `)).toMatchObject({ ok: false, reason: "signature_mismatch" });
    expect(check(headers, body, new Date(at.getTime() + 301_000))).toMatchObject({
      ok: false,
      reason: "stale_timestamp",
      message: expect.stringContaining("301 s old"),
    });
    expect(check(headers, body, new Date(at.getTime() - 400_000))).toMatchObject({
      reason: "stale_timestamp",
      message: expect.stringContaining("in the future"),
    });
    expect(check({ "x-rapport-signature": headers["x-rapport-signature"]! })).toMatchObject({
      reason: "missing_timestamp",
    });
    expect(check({ "x-rapport-timestamp": headers["x-rapport-timestamp"]! })).toMatchObject({
      reason: "missing_signature",
    });
    expect(check({ ...headers, "x-rapport-timestamp": "2026-11-20T10:00:00Z" })).toMatchObject({
      reason: "bad_timestamp",
    });
    // A signature for another timestamp does not carry over.
    expect(check({ ...headers, "x-rapport-timestamp": "1795168801" })).toMatchObject({
      reason: "signature_mismatch",
    });
    expect(checkSignature(headers, body, `${secret}x`, { now: at })).toMatchObject({
      reason: "signature_mismatch",
    });
  });

  it("generates distinct secrets of 49 characters", () => {
    const a = generateSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateSigningSecret()).not.toBe(a);
  });
});
