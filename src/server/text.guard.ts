/**
 * PostgreSQL cannot store or compare text holding U+0000, and jsonb refuses a UTF-16 surrogate without
 * its other half (a valid JSON escape such as "\ud800"): a NUL in a search, or a lone surrogate in a
 * label's name, made the database fail and the API answer 500. This hook answers 400 instead, naming the
 * field, before any route runs. Bodies of routes that take what people sent on a platform
 * (`POST /api/ingest`, inbound webhooks) are left alone: the pipeline keeps those with U+FFFD in place
 * of either (core/sanitize.ts), because nothing a person sent may be refused for its bytes.
 */
import type { FastifyRequest } from "fastify";
import { AppError } from "../core/errors.ts";
import { unstorable } from "../core/sanitize.ts";

export interface UnstorableText {
  /** Where: `body.text`, `querystring.q`; a key's container when the key itself is at fault. */
  field: string;
  kind: "nul" | "surrogate";
}

/** The first string or key holding U+0000 or a lone surrogate, or null. */
export function findUnstorable(value: unknown, path: string): UnstorableText | null {
  if (typeof value === "string") {
    const kind = unstorable(value);
    return kind ? { field: path, kind } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorable(value[i], `${path}.${i}`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const kind = unstorable(key);
      if (kind) return { field: path, kind };
      const found = findUnstorable(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

const WHAT = {
  nul: "the NUL character (U+0000)",
  surrogate: "a lone UTF-16 surrogate (U+D800–U+DFFF without its pair)",
} as const;

/** A `preValidation` hook; `keepBodies` are route URLs (as registered) whose bodies the pipeline cleans. */
export function rejectUnstorable(keepBodies: ReadonlySet<string>) {
  return async function textGuard(request: FastifyRequest): Promise<void> {
    const found =
      findUnstorable(request.params, "params") ??
      findUnstorable(request.query, "querystring") ??
      (keepBodies.has(request.routeOptions.url ?? "") ? null : findUnstorable(request.body, "body"));
    if (!found) return;
    const message = `${found.field}: must not contain ${WHAT[found.kind]}`;
    throw new AppError("validation_failed", message, { issues: [{ field: found.field, message }] });
  };
}
