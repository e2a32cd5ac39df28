import type { ProwJobs } from '../job-follower';
import { ManualTriggerFailedError, ManualTriggerUnavailableError, ProwJobGoneError, type JobRequest, type JobStatus, type TriggerAnswer } from '../create-cluster';

/** manual-trigger as the follower sees it, with knobs: unknown jobs, an unreachable service, ProwJobs to end. */
export class FakeProwJobs implements ProwJobs {
  readonly triggered: JobRequest[] = [];
  readonly polls: string[] = [];
  /** Jobs manual-trigger does not know (404 JOB_NOT_FOUND). */
  readonly unknownJobs = new Set<string>();
  unavailable = false;
  private readonly jobs = new Map<string, TriggerAnswer & { job: string }>();
  private readonly byKey = new Map<string, string>();

  async trigger(req: JobRequest): Promise<TriggerAnswer> {
    if (this.unavailable) throw new ManualTriggerUnavailableError('http://manual-trigger/manual-trigger', 'ECONNREFUSED');
    if (this.unknownJobs.has(req.job)) throw new ManualTriggerFailedError(404, `Job ${req.job} not found in config for tess/tessops`, req.purpose);
    this.triggered.push(req);
    const replay = req.idempotencyKey ? this.byKey.get(req.idempotencyKey) : undefined;
    if (replay) return { ...(this.jobs.get(replay) as TriggerAnswer), idempotent_replay: true };
    const name = `pj-${this.jobs.size + 1}`;
    if (req.idempotencyKey) this.byKey.set(req.idempotencyKey, name);
    const answer = { success: true, message: 'ProwJob created successfully', job_name: name, status_link: `https://prow/prowjob?prowjob=${name}`, log_link: `https://prow/log?job=${req.job}&id=${this.jobs.size + 1}`, build_id: null, state: 'pending', job: req.job } as unknown as TriggerAnswer & { job: string };
    this.jobs.set(name, answer);
    return answer;
  }

  async status(name: string): Promise<JobStatus> {
    this.polls.push(name);
    if (this.unavailable) throw new ManualTriggerUnavailableError(`http://manual-trigger/prowjobs/${name}`, 'ECONNREFUSED');
    const job = this.jobs.get(name);
    if (!job) throw new ProwJobGoneError(name);
    return { state: job.state, description: (job as { description?: string | null }).description ?? null, log_link: job.log_link };
  }

  /** Ends a ProwJob as plank would: success, failure, error or aborted, with Prow's description. */
  end(name: string, state: 'success' | 'failure' | 'error' | 'aborted', description?: string): void {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no ProwJob ${name}`);
    this.jobs.set(name, { ...job, state, description: description ?? null } as typeof job);
  }

  /** Sinker removed the ProwJob. */
  forget(name: string): void {
    this.jobs.delete(name);
  }

  /** The ProwJobs that have not ended, by the job they run. */
  running(job?: string): string[] {
    return [...this.jobs.entries()].filter(([, a]) => (a.state === 'pending' || a.state === 'triggered') && (!job || a.job === job)).map(([n]) => n);
  }
}
