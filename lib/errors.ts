// Domain errors carry a message a user can act on; app/ maps them to HTTP statuses.

/**
 * The machine-readable code of each status a domain error (or the proxy's refusal of a request) may carry,
 * with dub's names: API error bodies are `{ error, code }`, and a client branches on the code rather than
 * on the message's wording.
 */
export const errorCodes = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  411: "length_required",
  413: "payload_too_large",
  422: "unprocessable_entity",
  500: "internal_server_error",
  502: "bad_gateway",
  503: "service_unavailable",
} as const;

export type ErrorStatus = keyof typeof errorCodes;
export type ErrorCode = (typeof errorCodes)[ErrorStatus];

export class DomainError extends Error {
  readonly status: ErrorStatus = 400;

  /** The status's code, e.g. "not_found": one per status, so a new error class cannot invent its own. */
  get code(): ErrorCode {
    return errorCodes[this.status];
  }
}

export class ValidationError extends DomainError {
  override readonly status = 400;
  constructor(
    message: string,
    readonly fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

export class UnauthenticatedError extends DomainError {
  override readonly status = 401;
  constructor(message = "Sign in first.") {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  override readonly status = 403;
}

export class NotFoundError extends DomainError {
  override readonly status = 404;
}

export class ConflictError extends DomainError {
  override readonly status = 409;
}
