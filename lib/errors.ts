// Domain errors carry a message a user can act on; app/ maps them to HTTP statuses.

export class DomainError extends Error {
  readonly status: number = 400;
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
