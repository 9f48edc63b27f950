import { expect, it } from "vitest";
import { renderPlaceholders } from "./placeholders.ts";

it("fills what it can and leaves the rest for the guard", () => {
  const text =
    "Hi {{person.firstName}} ({{ person.name }}), {{agent.firstName}} here — {{agent.name}}. {{order.id}}";
  expect(renderPlaceholders(text, { person: { name: "Maria Lopez" }, agent: { name: "Sam Rivera" } })).toBe(
    "Hi Maria (Maria Lopez), Sam here — Sam Rivera. {{order.id}}",
  );
  expect(renderPlaceholders("Hi {{person.firstName}}", { person: { name: null } })).toBe(
    "Hi {{person.firstName}}",
  );
});
