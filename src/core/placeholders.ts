/**
 * Saved-reply placeholders: `{{person.firstName}}`, `{{person.name}}`, `{{agent.name}}`,
 * `{{agent.firstName}}`. What can be filled is filled; the rest stays as written, so the guard's
 * `placeholder` rule stops it from being sent unpersonalised.
 */
import { firstName } from "./guard.ts";

export interface PlaceholderValues {
  person?: { name?: string | null };
  agent?: { name?: string | null };
}

export const PLACEHOLDERS = ["person.firstName", "person.name", "agent.name", "agent.firstName"] as const;

export function renderPlaceholders(text: string, values: PlaceholderValues): string {
  const lookup: Record<string, string | null | undefined> = {
    "person.name": values.person?.name?.trim() || null,
    "person.firstname": firstName(values.person?.name),
    "agent.name": values.agent?.name?.trim() || null,
    "agent.firstname": firstName(values.agent?.name),
  };
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, key: string) => lookup[key.toLowerCase()] ?? whole);
}
