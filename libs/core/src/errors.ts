/**
 * The few kinds of failure a client can act on; the service's error handler maps each to one HTTP status.
 * `misconfigured`: the service's own setup is wrong (e.g. its RBAC), so the operator must act and retrying will not help.
 * `gone`: what the request points at (e.g. a page token) no longer exists; start over.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'no-capacity'
  | 'unavailable'
  | 'bad-gateway'
  | 'timeout'
  | 'gone'
  | 'misconfigured';

/**
 * Base class of every error a client may see. `code` is stable (clients and dashboards may match on it),
 * `message` says what to fix, `details` carries structured context (never secrets).
 */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that fails validation; `problems` lists every problem found, not just the first. */
export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super('invalid', 'INVALID_REQUEST', message, problems.length > 1 ? { problems } : undefined);
  }
}

/** No credentials, or credentials nobody issued (401). */
export class UnauthenticatedError extends DomainError {
  constructor(message: string) {
    super('unauthenticated', 'UNAUTHENTICATED', message);
  }
}

/** Known caller, not allowed to do this (403). */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', 'FORBIDDEN', message);
  }
}
