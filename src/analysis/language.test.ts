import { describe, expect, it } from "vitest";
import { language } from "./language.ts";

describe("language", () => {
  it.each([
    ["my bag never arrived and I need it for tomorrow", "en"],
    ["Bonjour, je voudrais annuler ma commande s'il vous plaît", "fr"],
    ["Hola, mi vuelo fue cancelado otra vez y nadie me ayuda", "es"],
    ["Hallo, mein Paket ist nie angekommen und niemand antwortet", "de"],
    ["Olá, não recebi o reembolso até agora", "pt"],
    ["Ciao, il mio volo è in ritardo di tre ore", "it"],
    ["Hoi, mijn pakket is niet aangekomen", "nl"],
    ["Здравствуйте, где мой заказ? Я жду уже две недели", "ru"],
    ["注文した商品がまだ届いていません", "ja"],
  ])("detects %j as %s", (text, code) => {
    expect(language(text)).toBe(code);
  });

  it("returns null for text with nothing to go on", () => {
    expect(language("")).toBeNull();
  });

  it("answers an ISO code for words that are also names of object properties", () => {
    for (const text of ["constructor constructor constructor", "toString valueOf hasOwnProperty __proto__"])
      expect(language(text) ?? "xx").toMatch(/^[a-z]{2}$/);
  });
});
