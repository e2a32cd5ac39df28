import { z } from 'zod';
import { errorBodySchema, errorResponses, type ErrorCodes, type ErrorStatus, type ResponseSpec } from '@ci-stack/http-contract';

/** Errors of the Kubernetes API behind every ProwJob call: an outage (503), or this service's own RBAC or credentials (500). */
export const KUBE_UNAVAILABLE = ['KUBE_UNAVAILABLE', 'KUBE_TIMEOUT'] as const;
export const KUBE_MISCONFIGURED = ['KUBE_FORBIDDEN', 'KUBE_UNAUTHORIZED'] as const;

const STATUS_TEXT: Record<ErrorStatus, string> = {
  400: 'Bad request: the message says what to fix',
  401: 'Authentication is on and the token is missing or unknown',
  403: 'The token may not do this',
  404: 'Not found',
  409: 'Conflict',
  410: 'Gone: the snapshot a continue token points at is no longer held',
  413: 'Body over 64 KiB',
  415: 'Unsupported body encoding',
  500: "A bug (the message names nothing internal, the log has the request id), or this service's own setup: the message says what to grant or fix",
  502: 'Bad gateway',
  503: 'The Kubernetes API is unreachable or failing, or the service is in dry-run mode',
  504: 'Timed out',
};

export function error(status: ErrorStatus, codes: ErrorCodes, extra: Partial<ResponseSpec> = {}): ResponseSpec {
  return { description: `${STATUS_TEXT[status]} (${codes.join(', ')})`, content: { 'application/json': errorBodySchema(codes) }, ...extra };
}

const wwwAuthenticate = { 'WWW-Authenticate': { description: 'Bearer realm="manual-trigger"', schema: z.string() } };

const COMMON_ERRORS: Partial<Record<ErrorStatus, ErrorCodes>> = {
  400: ['INVALID_REQUEST', 'INVALID_JSON', 'REQUEST_ABORTED'],
  401: ['UNAUTHENTICATED'],
  413: ['BODY_TOO_LARGE'],
  415: ['UNSUPPORTED_ENCODING'],
  500: ['INTERNAL'],
};

/** The errors any request may get (bad body, auth, bugs) plus the route's own. */
export function errors(own: Partial<Record<ErrorStatus, ErrorCodes>>): Partial<Record<ErrorStatus, ResponseSpec>> {
  return errorResponses(COMMON_ERRORS, own, (status, codes) => error(status, codes, status === 401 ? { headers: wwwAuthenticate } : {}));
}
