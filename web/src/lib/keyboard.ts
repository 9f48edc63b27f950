/** The workspace's keyboard shortcuts: one table, used by the handler and the "?" dialog. */

export type Command =
  | "next"
  | "previous"
  | "open"
  | "reply"
  | "note"
  | "resolve"
  | "assignToMe"
  | "correct"
  | "search"
  | "help"
  | "escape";

export const SHORTCUTS: Array<{ keys: string; command: Command; label: string }> = [
  { keys: "j", command: "next", label: "Next conversation" },
  { keys: "k", command: "previous", label: "Previous conversation" },
  { keys: "Enter", command: "open", label: "Open the selected conversation" },
  { keys: "r", command: "reply", label: "Reply" },
  { keys: "n", command: "note", label: "Write a private note" },
  { keys: "e", command: "resolve", label: "Resolve" },
  { keys: "a", command: "assignToMe", label: "Assign to me" },
  { keys: "c", command: "correct", label: "Correct the analysis of the latest message" },
  { keys: "/", command: "search", label: "Search" },
  { keys: "?", command: "help", label: "Show the shortcuts" },
  { keys: "Esc", command: "escape", label: "Close a dialog, leave a field" },
];

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** The element the key was typed in. */
  target?: { tagName?: string; isContentEditable?: boolean; type?: string } | null;
}

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

/** Is the person typing in a field (where letters are text, not commands)? */
export function isTyping(target: KeyLike["target"]): boolean {
  if (!target) return false;
  if (target.isContentEditable) return true;
  if (!target.tagName || !TYPING.has(target.tagName.toUpperCase())) return false;
  // Checkboxes, radios and buttons-as-inputs take no text.
  return !["checkbox", "radio", "button", "submit"].includes((target.type ?? "").toLowerCase());
}

/** The command a key press means, or null (typing, modifiers, or an unbound key). */
export function commandFor(event: KeyLike): Command | null {
  if (event.key === "Escape") return "escape";
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (isTyping(event.target)) return null;
  // Enter on a focused button or link is that control's own action.
  const tag = event.target?.tagName?.toUpperCase();
  if (event.key === "Enter" && (tag === "BUTTON" || tag === "A")) return null;
  return SHORTCUTS.find((s) => s.keys === event.key)?.command ?? null;
}
