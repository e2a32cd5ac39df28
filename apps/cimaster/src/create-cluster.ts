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
  constructor(status: number, message: string, what = 'create the cluster') {
    super('bad-gateway', 'MANUAL_TRIGGER_FAILED', `manual-trigger refused to ${what} (HTTP ${status}): ${message}`);
  }
}

/** manual-trigger does not know the ProwJob (any more): Prow's sinker may have removed it. */
export class ProwJobGoneError extends DomainError {
  constructor(name: string) {
    super('not-found', 'PROWJOB_NOT_FOUND', `ProwJob ${name} no longer exists`);
  }
}

/** One job of the configured org/repo to run as a postsubmit, for a cluster's creation or cleanup. */
export interface JobRequest {
  job: string;
  branch: string;
  user?: string;
  requestId?: string;
  /** Environment overrides; manual-trigger must allow the names (its `--allowed-env`). */
  env?: Record<string, string>;
  /** Asking again with the same key returns the ProwJob the first request created. */
  idempotencyKey?: string;
  /** What the job is for, in error messages ("create the cluster", "run the cleanup job"). */
  purpose?: string;
}

/** A ProwJob's state as the follower reads it. */
export interface JobStatus {
  state: string;
  description?: string | null;
  log_link?: string | null;
}

/** The lifecycle's view of manual-trigger: run a job with env and an idempotency key, read a ProwJob. */
export function manualTriggerJobs(cfg: Omit<CreateClusterConfig, 'job'>): { trigger(req: JobRequest): Promise<TriggerAnswer>; status(name: string): Promise<JobStatus> } {
  return {
    async trigger(req) {
      const body = { org: cfg.org, repo: cfg.repo, base_ref: req.branch, prowtype: 'postsubmit' as const, prowjob: req.job, ...(req.user ? { user: req.user } : {}), ...(req.env ? { env: req.env } : {}) };
      try {
        return await cfg.client.call('trigger', body, { requestId: req.requestId, headers: req.idempotencyKey ? { 'Idempotency-Key': req.idempotencyKey } : undefined });
      } catch (err) {
        throw translate(err, `${cfg.client.baseUrl}${manualTriggerRoutes.trigger.path}`, req.purpose);
      }
    },
    async status(name) {
      try {
        const s = await cfg.client.call('prowjob', { name });
        return { state: s.state, description: s.description, log_link: s.log_link };
      } catch (err) {
        if (err instanceof ApiError && err.code === 'PROWJOB_NOT_FOUND') throw new ProwJobGoneError(name);
        // Reading is safe to retry: anything but an answer is "unavailable" until the next round.
        const translated = translate(err, `${cfg.client.baseUrl}/prowjobs/${name}`, `show ProwJob ${name}`);
        if (translated instanceof ManualTriggerFailedError && err instanceof ApiError && err.status >= 500) throw new ManualTriggerUnavailableError(cfg.client.baseUrl, err.message);
        throw translated;
      }
    },
  };
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
function translate(err: unknown, url: string, what?: string): unknown {
  if (err instanceof UnreachableError) return new ManualTriggerUnavailableError(err.url, err.reason);
  if (err instanceof ApiError) return err.status === 503 ? new ManualTriggerUnavailableError(url, err.message) : new ManualTriggerFailedError(err.status, err.message, what);
  if (err instanceof MalformedAnswerError) return new ManualTriggerFailedError(err.status, err.reason === 'schema' ? err.problem : `not a JSON answer: ${err.snippet}`, what);
  return err;
}
