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
 * Folds client-node's failures (ApiException with a JSON-string body, fetch/network errors, aborts) into
 * {@link KubeError} subclasses with stable codes.
 */
export function toKubeError(err: unknown): KubeError {
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
        return new KubeForbiddenError('unavailable', 'KUBE_FORBIDDEN', `Kubernetes API refused the request: ${text}`, 403, reason);
      case 401:
        return new KubeUnauthorizedError('unavailable', 'KUBE_UNAUTHORIZED', 'Kubernetes API rejected our credentials', 401, reason);
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

/** Runs a Kubernetes call with a deadline, translating every failure. */
export async function kubeCall<T>(what: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KubeUnavailableError('unavailable', 'KUBE_TIMEOUT', `Kubernetes API did not answer ${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([call(), deadline]);
  } catch (err) {
    throw toKubeError(err);
  } finally {
    clearTimeout(timer);
  }
}
