import { describe, expect, it } from "vitest";
import {
  DEFAULT_GUARD_SETTINGS,
  duplicateKey,
  type GuardContext,
  type GuardRule,
  resolveGuardSettings,
  reviewReply,
  verdict,
} from "./guard.ts";

const maria: GuardContext = { personName: "Maria Lopez", handles: ["@mlopez"], personId: "p1" };
const rulesOf = (text: string, context: GuardContext = maria) =>
  reviewReply(text, context).map((f) => f.rule);

describe("the authenticity guard", () => {
  it("passes a plain, personal reply", () => {
    expect(reviewReply("Hi Maria, I checked your order: it ships tomorrow. — Sam", maria)).toEqual([]);
  });

  it('warns on "use code SAVE20 at checkout" (promo_code)', () => {
    const findings = reviewReply("Sorry Maria! use code SAVE20 at checkout", maria);
    expect(findings).toEqual([
      expect.objectContaining({ rule: "promo_code", severity: "warn", excerpt: "use code SAVE20" }),
    ]);
    expect(verdict(findings)).toBe("warn");
  });

  const cases: Array<[GuardRule, string[], string[]]> = [
    [
      "sales_pitch",
      [
        "Maria, check out our new blender range!",
        "Maria, you could upgrade to premium for faster support.",
        "Maria, we have a special offer for you.",
      ],
      ["Maria, I checked our new stock list and yours is there."],
    ],
    [
      "promo_code",
      [
        "Maria, here is 20% off your next order.",
        "Maria, here's a discount code for you.",
        "Apply code WELCOME10, Maria",
      ],
      ["Maria, the error code is E42.", "Maria, your refund is 20 % of the total"],
    ],
    [
      "shop_link",
      [
        "Maria, see https://example.com/pricing for plans",
        "Maria: https://shop.example.com/item/1",
        "Maria, www.example.com/checkout?x=1.",
        "Maria https://example.com/help?utm_campaign=spring",
      ],
      ["Maria, our help page is https://example.com/help/returns"],
    ],
    [
      "pressure",
      ["Maria, it's a limited time thing.", "Act now, Maria!", "Only today, Maria.", "Hurry, Maria!"],
      ["Maria, no rush at all."],
    ],
    [
      "placeholder",
      [
        "Hi {{person.firstName}}, thanks!",
        "Hi [NAME], thanks!",
        "Hi <insert name>, thanks!",
        "Order [ORDER ID]",
      ],
      ["Hi Maria, the [beta] feature is on.", "Hi Maria, 3 < 4 > 2"],
    ],
    [
      "canned_phrase",
      [
        "Maria, we apologize for any inconvenience.",
        "Your call is important to us, Maria.",
        "Thank you for reaching out, Maria.",
      ],
      ["Maria, I'm sorry this happened to you."],
    ],
    [
      "bot_pretense",
      [
        "Maria, I am a bot.",
        "This is an automated reply, Maria.",
        "As an AI, I can't do that, Maria.",
        "Maria, automated message: your ticket is open.",
      ],
      [
        "Maria, this is not an automated message: I'm Sam and I read yours.",
        "Maria, the bot on our site is down.",
      ],
    ],
  ];

  for (const [rule, hits, misses] of cases) {
    it(`${rule}: finds what it should and nothing else`, () => {
      for (const text of hits) expect(rulesOf(text), text).toContain(rule);
      for (const text of misses) expect(rulesOf(text), text).not.toContain(rule);
    });
  }

  it("placeholder and bot_pretense block by default", () => {
    expect(reviewReply("Hi {{person.firstName}}", maria)[0]?.severity).toBe("block");
    expect(reviewReply("I am a bot, Maria", maria)[0]?.severity).toBe("block");
    expect(verdict(reviewReply("Hi [NAME]", maria))).toBe("block");
  });

  it("no_personal_address: longer replies must name the person or their handle", () => {
    const long =
      "I looked into the delivery problem and spoke with the warehouse team, the parcel leaves today and arrives Friday.";
    expect(rulesOf(long)).toEqual(["no_personal_address"]);
    expect(rulesOf(`Maria, ${long}`)).toEqual([]);
    expect(rulesOf(`@mlopez ${long}`)).toEqual([]);
    expect(rulesOf(`Hello maria! ${long}`)).toEqual([]);
    // Short replies and people we know nothing about are not judged.
    expect(rulesOf("Done, it ships today.")).toEqual([]);
    expect(rulesOf(long, {})).toEqual([]);
    // A name inside another word does not count.
    expect(rulesOf(`Mariabella ${long}`)).toEqual(["no_personal_address"]);
  });

  it("duplicate: the same text to three different people within the window", () => {
    const text = "Thanks Maria, fixed now.";
    const sentTo = (...people: string[]) =>
      people.map((personId) => ({ text: `${text}\n\n— Sam`, personId }));
    expect(rulesOf(text, { ...maria, recentReplies: sentTo("p2") })).toEqual([]);
    expect(rulesOf(text, { ...maria, recentReplies: sentTo("p2", "p2", "p1") })).toEqual([]);
    expect(rulesOf(text, { ...maria, recentReplies: sentTo("p2", "p3") })).toEqual(["duplicate"]);
    expect(duplicateKey("Fixed  NOW.\n\n— Sam")).toBe("fixed now.");
  });

  it("admins turn rules off, to warn or to block", () => {
    const text = "Maria, use code SAVE20 at checkout";
    expect(reviewReply(text, maria, { ...DEFAULT_GUARD_SETTINGS, promo_code: "off" })).toEqual([]);
    expect(reviewReply(text, maria, { ...DEFAULT_GUARD_SETTINGS, promo_code: "block" })[0]?.severity).toBe(
      "block",
    );
    expect(
      reviewReply("Hi [NAME]", maria, { ...DEFAULT_GUARD_SETTINGS, placeholder: "warn" })[0]?.severity,
    ).toBe("warn");
  });

  it("reads stored settings defensively", () => {
    const settings = resolveGuardSettings({ promo_code: "block", pressure: "loud", nonsense: "off" });
    expect(settings.promo_code).toBe("block");
    expect(settings.pressure).toBe(DEFAULT_GUARD_SETTINGS.pressure);
    expect(resolveGuardSettings(null)).toEqual(DEFAULT_GUARD_SETTINGS);
  });
});
