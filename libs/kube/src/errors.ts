import { DomainError, type ErrorKind } from '@ci-stack/core';

/** A Kubernetes API failure in our own terms; callers never look at client-node's error shapes. */
export class KubeError extends DomainError {
  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    readonly status?: number,
    readonly reason?: string,
  ) {
    super(kind, code, message);
  }
}
export class KubeNotFoundError extends KubeError {}
export class KubeAlreadyExistsError extends KubeError {}
export class KubeConflictError extends KubeError {}
export class KubeForbiddenError extends KubeError {}
export class KubeUnauthorizedError extends KubeError {}
export class KubeGoneError extends KubeError {}
export class KubeInvalidError extends KubeError {}
export class KubeUnavailableError extends KubeError {}

interface ApiExceptionLike {
  code?: number;
  body?: unknown;
}

function statusBody(body: unknown): { reason?: string; message?: string } {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { reason?: string; message?: string };
    } catch {
      return { message: body.slice(0, 200) };
    }
  }
  return (body ?? {}) as { reason?: string; message?: string };
}

/**
 * What a call asks the API server to do, so that a refusal can name the permission that is missing, as an RBAC
 * rule would: verb, resource (plural), API group and namespace.
 */
export interface KubeRequest {
  verb: string;
  resource: string;
  /** Empty or absent for the core group. */
  group?: string;
  namespace?: string;
}

function describeRequest(request: KubeRequest): string {
  const resource = request.group ? `${request.resource}.${request.group}` : request.resource;
  return `${request.verb} ${resource}${request.namespace ? ` in namespace ${request.namespace}` : ''}`;
}

/** What an operator must grant: the RBAC rule, in words. */
function missingPermission(request: KubeRequest): string {
  const group = request.group ? ` (apiGroup ${request.group})` : ' (core apiGroup)';
  const where = request.namespace ? ` in namespace ${request.namespace}` : ' cluster-wide';
  return `grant this service's account verb "${request.verb}" on resource "${request.resource}"${group}${where}`;
}

function forbidden(text: string, request: KubeRequest | undefined, reason: string | undefined): KubeForbiddenError {
  const message = request
    ? `Kubernetes API refused to ${describeRequest(request)}: ${missingPermission(request)}. API server said: ${text}`
    : `Kubernetes API refused the request: ${text}`;
  return new KubeForbiddenError('misconfigured', 'KUBE_FORBIDDEN', message, 403, reason);
}

/**
 * Folds client-node's failures (ApiException with a JSON-string body, fetch/network errors, aborts) into
 * {@link KubeError} subclasses with stable codes. A 401 or 403 is this service's own setup (credentials, RBAC),
 * not an outage: kind `misconfigured`, which names what to grant when `request` says what was asked.
 */
export function toKubeError(err: unknown, request?: KubeRequest): KubeError {
  if (err instanceof KubeError) return err;
  const apiErr = err as ApiExceptionLike;
  if (typeof apiErr?.code === 'number' && apiErr.code >= 100) {
    const { reason, message } = statusBody(apiErr.body);
    const text = message ?? `HTTP ${apiErr.code}`;
    switch (apiErr.code) {
      case 404:
        return new KubeNotFoundError('not-found', 'KUBE_NOT_FOUND', text, 404, reason);
      case 409:
        return reason === 'AlreadyExists'
          ? new KubeAlreadyExistsError('conflict', 'KUBE_ALREADY_EXISTS', text, 409, reason)
          : new KubeConflictError('conflict', 'KUBE_CONFLICT', text, 409, reason);
      case 403:
        return forbidden(text, request, reason);
      case 401:
        return new KubeUnauthorizedError('misconfigured', 'KUBE_UNAUTHORIZED', "Kubernetes API rejected this service's credentials: check its kubeconfig or service account token", 401, reason);
      case 410:
        return new KubeGoneError('conflict', 'KUBE_GONE', text, 410, reason);
      case 422:
      case 400:
        return new KubeInvalidError('invalid', 'KUBE_INVALID', text, apiErr.code, reason);
      default:
        return new KubeUnavailableError('unavailable', 'KUBE_UNAVAILABLE', `Kubernetes API answered ${apiErr.code}`, apiErr.code, reason);
    }
  }
  const message = (err as Error)?.message ?? String(err);
  return new KubeUnavailableError('unavailable', 'KUBE_UNAVAILABLE', `Kubernetes API unreachable: ${message.slice(0, 200)}`);
}

/**
 * Runs a Kubernetes call with a deadline, translating every failure. `what` is the request (see
 * {@link KubeRequest}) or, where no refusal needs explaining, a few words for the timeout message.
 */
export async function kubeCall<T>(what: string | KubeRequest, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  const request = typeof what === 'string' ? undefined : what;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const asked = request ? describeRequest(request) : what;
    timer = setTimeout(() => reject(new KubeUnavailableError('unavailable', 'KUBE_TIMEOUT', `Kubernetes API did not answer ${asked} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([call(), deadline]);
  } catch (err) {
    throw toKubeError(err, request);
  } finally {
    clearTimeout(timer);
  }
}
