/** Why a call through the typed client failed; every message is one line a person can act on. */
export type ClientErrorKind = 'unreachable' | 'api' | 'malformed';

export abstract class ClientError extends Error {
  abstract readonly kind: ClientErrorKind;
}

/** The service did not answer: connection refused, DNS, TLS, or no answer in time. */
export class UnreachableError extends ClientError {
  readonly kind = 'unreachable';
  constructor(
    readonly service: string,
    readonly url: string,
    /** The short reason: a system error code such as ECONNREFUSED, or "no answer within N ms". */
    readonly reason: string,
  ) {
    super(`${service} at ${url} is unreachable: ${reason}`);
    this.name = 'UnreachableError';
  }
}

/** The service refused the request with one of its documented errors. */
export class ApiError extends ClientError {
  readonly kind = 'api';
  constructor(
    readonly status: number,
    /** The stable error code, when the answer carried one. */
    readonly code: string | undefined,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type MalformedReason = 'not-json' | 'schema' | 'status' | 'media-type';

/** The answer does not match the service's documented API (wrong status, media type or shape, or not JSON). */
export class MalformedAnswerError extends ClientError {
  readonly kind = 'malformed';
  readonly reason: MalformedReason;
  /** What is wrong, in a few words. */
  readonly problem: string;
  /** The start of the body, on one line. */
  readonly snippet: string;

  constructor(
    readonly service: string,
    readonly status: number,
    what: { reason: MalformedReason; problem: string; snippet: string },
  ) {
    super(`${service} sent an answer its API does not describe (HTTP ${status}): ${what.problem}`);
    this.name = 'MalformedAnswerError';
    this.reason = what.reason;
    this.problem = what.problem;
    this.snippet = what.snippet;
  }
}

/** The first characters of a body on one line, for messages. */
export function snippetOf(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
