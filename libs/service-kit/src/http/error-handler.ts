import type { ErrorRequestHandler, Request, Response } from 'express';
import { DomainError, type ErrorKind } from '@ci-stack/core';

/** The HTTP status of each kind of domain error. */
const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = Object.freeze({
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'no-capacity': 503,
  unavailable: 503,
  'bad-gateway': 502,
  timeout: 504,
  gone: 410,
  misconfigured: 500,
});

/** What a client is told about a failed request. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export type ErrorRenderer = (req: Request, res: Response, status: number, body: ErrorBody) => void;

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/** Answers that refused a request as the service means to (see {@link errorHandler}); the access log reads it. */
const expectedRefusals = new WeakSet<Response>();

/** Whether the error handler answered this response with an expected refusal (a 4xx, or no capacity now). */
export function isExpectedRefusal(res: Response): boolean {
  return expectedRefusals.has(res);
}

/**
 * The one place errors become HTTP answers. Domain errors get the status of their kind; body-parser failures
 * become 400/413 with a message saying what to fix; anything else is a bug: 500 with a generic message, the
 * stack goes to the log only. Expected refusals, every 4xx and the 503 of no capacity (no vacant cluster), are
 * logged at info without a stack, so that anyone who may call cannot fill the error log; real faults (a bug, the
 * service's own setup, a dependency down) at error with the error and its cause.
 */
export function errorHandler(opts: { render: ErrorRenderer }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const { status, body } = classify(err);
    if (status < 500 || (err instanceof DomainError && err.kind === 'no-capacity')) {
      expectedRefusals.add(res);
      req.log?.info({ code: body.code, status, reason: body.message }, 'request rejected');
    } else {
      req.log?.error({ err, code: body.code, status }, 'request failed');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    opts.render(req, res, status, body);
  };
}

function classify(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof DomainError) {
    const body: ErrorBody = { code: err.code, message: err.message };
    if (err.details) body.details = err.details;
    return { status: STATUS_BY_KIND[err.kind], body };
  }
  const parserError = err as BodyParserError;
  switch (parserError?.type) {
    case 'entity.parse.failed':
      return { status: 400, body: { code: 'INVALID_JSON', message: `request body is not valid JSON: ${parserError.message}` } };
    case 'entity.too.large':
      return { status: 413, body: { code: 'BODY_TOO_LARGE', message: `request body is larger than ${parserError.limit} bytes` } };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, body: { code: 'UNSUPPORTED_ENCODING', message: parserError.message } };
    case 'request.aborted':
      return { status: 400, body: { code: 'REQUEST_ABORTED', message: 'request aborted by the client' } };
    default:
      return { status: 500, body: { code: 'INTERNAL', message: 'internal error; see the server log for the request id' } };
  }
}
