import { describe, expect, it } from "vitest";
import { commandFor, SHORTCUTS } from "./keyboard";

describe("keyboard", () => {
  it("maps the documented keys", () => {
    expect(commandFor({ key: "j" })).toBe("next");
    expect(commandFor({ key: "k" })).toBe("previous");
    expect(commandFor({ key: "Enter", target: { tagName: "LI" } })).toBe("open");
    expect(commandFor({ key: "r" })).toBe("reply");
    expect(commandFor({ key: "n" })).toBe("note");
    expect(commandFor({ key: "e" })).toBe("resolve");
    expect(commandFor({ key: "a" })).toBe("assignToMe");
    expect(commandFor({ key: "/" })).toBe("search");
    expect(commandFor({ key: "?" })).toBe("help");
    expect(commandFor({ key: "x" })).toBeNull();
  });

  it("leaves typing alone", () => {
    expect(commandFor({ key: "j", target: { tagName: "TEXTAREA" } })).toBeNull();
    expect(commandFor({ key: "/", target: { tagName: "INPUT", type: "search" } })).toBeNull();
    expect(commandFor({ key: "j", target: { tagName: "DIV", isContentEditable: true } })).toBeNull();
    expect(commandFor({ key: "j", target: { tagName: "INPUT", type: "checkbox" } })).toBe("next");
    expect(commandFor({ key: "Escape", target: { tagName: "TEXTAREA" } })).toBe("escape");
  });

  it("leaves modified keys and activated controls alone", () => {
    expect(commandFor({ key: "r", metaKey: true })).toBeNull();
    expect(commandFor({ key: "Enter", target: { tagName: "BUTTON" } })).toBeNull();
  });

  it("documents every command once", () => {
    const commands = SHORTCUTS.map((s) => s.command);
    expect(new Set(commands).size).toBe(commands.length);
  });
});
