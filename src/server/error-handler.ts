/**
 * Turns every failure into `{ error: { code, message, details? } }` with the right status. Validation
 * errors name the field (`querystring.limit: must be between 1 and 100`); 500s say nothing about the
 * cause to the client and log it instead.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { AppError, type ErrorCode, errorCatalogue } from "../core/errors.ts";

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * The first generic catalogue code for each status (so 400 → bad_request, not validation_failed), for
 * Fastify's own client errors. Codes that mean one specific thing (the guard, CSRF) are never guessed.
 */
const SPECIFIC: ReadonlySet<string> = new Set(["guard_blocked", "guard_warnings", "csrf"]);
const codeByStatus = new Map<number, ErrorCode>();
for (const [code, status] of Object.entries(errorCatalogue)) {
  if (!codeByStatus.has(status) && !SPECIFIC.has(code)) codeByStatus.set(status, code as ErrorCode);
}

/** What each unique constraint people can run into means, for the 409 it becomes. */
const UNIQUE_MESSAGES: Record<string, string> = {
  teams_name_unique: "A team with that name already exists.",
  business_hours_name_unique: "Business hours with that name already exist.",
  agents_email_unique: "An agent with that email already exists.",
  labels_name_unique: "A label with that name already exists.",
  channels_key_unique: "A channel with that key already exists.",
};

/**
 * A PostgreSQL unique violation (SQLSTATE 23505) behind a query error, as node-postgres and PGlite
 * report it: routes check names before writing, but two requests can race past the check.
 */
function uniqueViolation(error: unknown): { constraint: string | undefined } | null {
  for (let e = error as { code?: unknown; constraint?: unknown; cause?: unknown } | undefined; e; ) {
    if (e.code === "23505")
      return { constraint: typeof e.constraint === "string" ? e.constraint : undefined };
    e = e.cause as typeof e;
  }
  return null;
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function createErrorHandler(options: { bodyLimit: number; maxParamLength: number }) {
  return function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const context = error.validationContext ?? "request";
      const issues = error.validation.map((issue) => {
        const path = issue.instancePath.split("/").filter(Boolean).join(".");
        return { field: path ? `${context}.${path}` : context, message: issue.message };
      });
      const message = issues.map((i) => `${i.field}: ${i.message}`).join("; ");
      return reply.status(400).send(errorBody("validation_failed", message, { issues }));
    }
    if (error instanceof AppError) {
      return reply.status(error.status).send(errorBody(error.code, error.message, error.details));
    }
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      const mb = Math.round((options.bodyLimit / 1024 / 1024) * 10) / 10;
      return reply
        .status(413)
        .send(
          errorBody("payload_too_large", `The request body is larger than ${mb} MB. Send smaller batches.`),
        );
    }
    const unique = uniqueViolation(error);
    if (unique) {
      const message =
        (unique.constraint && UNIQUE_MESSAGES[unique.constraint]) ?? "It conflicts with an existing record.";
      return reply.status(409).send(errorBody("conflict", message));
    }
    if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
      const message = `A part of the path is longer than ${options.maxParamLength} characters.`;
      return reply.status(414).send(errorBody("uri_too_long", message));
    }
    if (error.code === "FST_ERR_BAD_URL") {
      return reply.status(400).send(errorBody("bad_request", "The path is not validly percent-encoded."));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (bad JSON, wrong content type, …) have safe, useful messages.
      return reply.status(status).send(errorBody(codeByStatus.get(status) ?? "bad_request", error.message));
    }
    request.log.error({ err: error }, "request failed");
    return reply
      .status(500)
      .send(errorBody("internal", "Something went wrong on our side. The error has been logged."));
  };
}
