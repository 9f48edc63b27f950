/** The catalogue of errors people can see: a stable code, an HTTP status and a message for people. */
export const errorCatalogue = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  /** A path segment longer than any id, key or name (MAX_PARAM_LENGTH). */
  uri_too_long: 414,
  rate_limited: 429,
  /** The authenticity guard found something that blocks sending (core/guard.ts). */
  guard_blocked: 422,
  /** The guard has warnings the agent has not acknowledged yet. */
  guard_warnings: 409,
  /** A cookie-authenticated change without the matching x-csrf-token header. */
  csrf: 403,
  database_locked: 423,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
    this.status = errorCatalogue[code];
  }
}

export const notFound = (what: string) => new AppError("not_found", `${what} was not found.`);
