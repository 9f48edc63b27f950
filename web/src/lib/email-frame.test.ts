import { describe, expect, it } from "vitest";
import { emailCsp, emailDocument, hasRemoteImages } from "./email-frame";

describe("the email frame's document", () => {
  it("allows nothing to load but inline images until images are asked for", () => {
    expect(emailCsp(false)).toBe(
      "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'",
    );
    expect(emailCsp(true)).toContain("img-src data: https: http:");
    expect(emailCsp(true)).toContain("default-src 'none'");
  });

  it("puts the policy before the mail's HTML", () => {
    const doc = emailDocument("<p>Hi</p>", { loadImages: false });
    expect(doc.indexOf("Content-Security-Policy")).toBeLessThan(doc.indexOf("<p>Hi</p>"));
    expect(doc).toContain('<base target="_blank">');
    expect(doc).not.toContain("script");
  });

  it("knows when there are remote images", () => {
    expect(hasRemoteImages('<p>x</p><img src="https://t.example/p.gif" />')).toBe(true);
    expect(hasRemoteImages("<img src='http://t.example/p.gif'>")).toBe(true);
    expect(hasRemoteImages('<img src="data:image/png;base64,AAAA" />')).toBe(false);
    expect(hasRemoteImages("<p>no images</p>")).toBe(false);
  });
});
