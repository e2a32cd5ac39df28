import { DomainError } from '@ci-stack/service-kit';

export interface CreateClusterConfig {
  manualTriggerUrl: string;
  org: string;
  repo: string;
  job: string;
  timeoutMs: number;
  /** Bearer token for manual-trigger, read when needed (a mounted Secret may rotate). */
  token?: () => Promise<string | undefined>;
  /** For testing. */
  fetch?: typeof fetch;
}

/** What manual-trigger answered (its documented response). */
export interface TriggerAnswer {
  success: boolean;
  message: string;
  job_name?: string;
  status_link?: string | null;
  log_link?: string | null;
  build_id?: string | null;
  state?: string;
  [key: string]: unknown;
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
export async function createCluster(cfg: CreateClusterConfig, req: { user?: string; branch: string; requestId: string }): Promise<TriggerAnswer> {
  const url = `${cfg.manualTriggerUrl}/manual-trigger`;
  const body = { org: cfg.org, repo: cfg.repo, base_ref: req.branch, prowtype: 'postsubmit', prowjob: cfg.job, ...(req.user ? { user: req.user } : {}) };
  const token = await cfg.token?.();
  let res: Response;
  try {
    res = await (cfg.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': req.requestId, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(cfg.timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ManualTriggerUnavailableError(url, (err as Error).name === 'TimeoutError' ? `no answer within ${cfg.timeoutMs} ms` : (cause?.code ?? cause?.message ?? (err as Error).message));
  }
  const text = await res.text();
  let answer: TriggerAnswer;
  try {
    answer = JSON.parse(text) as TriggerAnswer;
  } catch {
    throw new ManualTriggerFailedError(res.status, `not a JSON answer: ${text.slice(0, 200)}`);
  }
  if (res.status >= 500 && res.status !== 501) {
    if (res.status === 503) throw new ManualTriggerUnavailableError(url, answer.message ?? `HTTP ${res.status}`);
    throw new ManualTriggerFailedError(res.status, answer.message ?? text.slice(0, 200));
  }
  if (!res.ok || !answer.success) throw new ManualTriggerFailedError(res.status, answer.message ?? text.slice(0, 200));
  return answer;
}
