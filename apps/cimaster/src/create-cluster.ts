import { ApiError, MalformedAnswerError, UnreachableError } from '@ci-stack/http-contract';
import { manualTriggerRoutes, type ManualTriggerClient, type TriggerAnswer } from '@ci-stack/manual-trigger-api';
import { DomainError } from '@ci-stack/core';

export type { TriggerAnswer };

export interface CreateClusterConfig {
  /** manual-trigger's typed client (its base URL, token and deadline). */
  client: Pick<ManualTriggerClient, 'call' | 'baseUrl'>;
  org: string;
  repo: string;
  job: string;
}

export interface CreateClusterRequest {
  user?: string;
  branch: string;
  requestId: string;
}

export class ManualTriggerUnavailableError extends DomainError {
  constructor(url: string, why: string) {
    super('unavailable', 'MANUAL_TRIGGER_UNAVAILABLE', `manual-trigger at ${url} is unreachable: ${why}`);
  }
}

export class ManualTriggerFailedError extends DomainError {
  constructor(status: number, message: string) {
    super('bad-gateway', 'MANUAL_TRIGGER_FAILED', `manual-trigger refused to create the cluster (HTTP ${status}): ${message}`);
  }
}

/** Asks manual-trigger to run the cluster-creation job as a postsubmit on `branch`. */
export async function createCluster(cfg: CreateClusterConfig, req: CreateClusterRequest): Promise<TriggerAnswer> {
  try {
    return await cfg.client.call(
      'trigger',
      { org: cfg.org, repo: cfg.repo, base_ref: req.branch, prowtype: 'postsubmit', prowjob: cfg.job, ...(req.user ? { user: req.user } : {}) },
      { requestId: req.requestId },
    );
  } catch (err) {
    throw translate(err, `${cfg.client.baseUrl}${manualTriggerRoutes.trigger.path}`);
  }
}

/** manual-trigger's failures as cimaster's errors: down or overloaded is 503, anything else it refused is 502. */
function translate(err: unknown, url: string): unknown {
  if (err instanceof UnreachableError) return new ManualTriggerUnavailableError(err.url, err.reason);
  if (err instanceof ApiError) return err.status === 503 ? new ManualTriggerUnavailableError(url, err.message) : new ManualTriggerFailedError(err.status, err.message);
  if (err instanceof MalformedAnswerError) return new ManualTriggerFailedError(err.status, err.reason === 'schema' ? err.problem : `not a JSON answer: ${err.snippet}`);
  return err;
}
