/**
 * PostgreSQL cannot store or compare text holding U+0000: a NUL in a search, a note or a team name made
 * the database fail and the API answer 500. This hook answers 400 instead, naming the field, before any
 * route runs. Bodies of routes that take what people sent on a platform (`POST /api/ingest`, inbound
 * webhooks) are left alone: the pipeline keeps those with U+FFFD in place of U+0000 (core/sanitize.ts),
 * because nothing a person sent may be refused for its bytes.
 */
import type { FastifyRequest } from "fastify";
import { AppError } from "../core/errors.ts";

/** The path (`body.text`, `querystring.q`) of the first string or key holding U+0000, or null. */
export function findNul(value: unknown, path: string): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], `${path}.${i}`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes("\u0000")) return path;
      const found = findNul(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

/** A `preValidation` hook; `keepBodies` are route URLs (as registered) whose bodies the pipeline cleans. */
export function rejectNul(keepBodies: ReadonlySet<string>) {
  return async function nulGuard(request: FastifyRequest): Promise<void> {
    const field =
      findNul(request.params, "params") ??
      findNul(request.query, "querystring") ??
      (keepBodies.has(request.routeOptions.url ?? "") ? null : findNul(request.body, "body"));
    if (!field) return;
    const message = `${field}: must not contain the NUL character (U+0000)`;
    throw new AppError("validation_failed", message, { issues: [{ field, message }] });
  };
}
