import { JobSupersededError, formatLabels, type Cluster, type ClusterPool, type JobOutcome, type JobResult, type JobRun, type PoolState } from '@ci-stack/pool';
import { type Logger } from '@ci-stack/service-kit';
import { formatGoDuration, type Clock } from '@ci-stack/core';
import { ManualTriggerFailedError, ManualTriggerUnavailableError, ProwJobGoneError, type JobRequest, type JobStatus, type TriggerAnswer } from './create-cluster';

/**
 * What the follower needs from manual-trigger: run a job, and tell how a ProwJob is doing. Polling
 * `GET /prowjobs/NAME` is the baseline; a source that streams ProwJob events (`JobStreams`) answers `status` from
 * its cache and wakes the lifecycle loop when a job ends.
 */
export interface ProwJobs {
  trigger(req: JobRequest): Promise<TriggerAnswer>;
  status(name: string): Promise<JobStatus>;
  /** Told after every round which ProwJobs the pool follows now (a streaming source opens and closes its streams by it). */
  setFollowed?(names: ReadonlySet<string>): void;
}

export interface JobFollowerConfig {
  createJob: string;
  /** Without a cleanup job, nothing is ever cleaning. */
  cleanupJob?: string;
  branch: string;
  /** A creation that has not ended in this long has failed. */
  provisionTimeoutMs: number;
  /** A cleanup run that has not ended in this long has failed (and is retried, like any failed cleanup). */
  cleanupTimeoutMs: number;
  /**
   * A creation run that createcluster requested is triggered by the replica that answered it. Only if it still has
   * no ProwJob after this long (that replica died in between) does the follower trigger it, with the same
   * idempotency key, so manual-trigger creates at most one ProwJob either way.
   */
  triggerGraceMs: number;
  /** ProwJobs polled at once. */
  concurrency?: number;
}

/** createcluster with a cluster name. */
export interface ProvisionCall {
  name: string;
  region: string;
  labels?: Map<string, string>;
  user?: string;
  branch?: string;
  requestId?: string;
}

/** Called with every applied outcome, for metrics. */
export type OutcomeListener = (result: JobResult, now: Date) => void;

const ENDED_BADLY = new Set(['failure', 'error', 'aborted']);

/** The environment a creation or cleanup job runs with. */
export function clusterEnv(cluster: Pick<Cluster, 'name' | 'region' | 'labels'>): Record<string, string> {
  return { CLUSTER_NAME: cluster.name, CLUSTER_REGION: cluster.region, CLUSTER_LABELS: formatLabels(cluster.labels) };
}

/**
 * Follows the creation and cleanup jobs recorded in the stored pool until they end, and applies their outcome
 * through the pool's commands (each checks that the cluster still follows that very run).
 */
export class JobFollower {
  /** A job was recorded or a run concluded since the followed set was last announced. */
  private changed = false;

  constructor(
    private readonly deps: {
      pool: ClusterPool;
      jobs: ProwJobs;
      clock: Clock;
      logger: Logger;
      config: JobFollowerConfig;
      onOutcome?: OutcomeListener;
      onTriggerError?: (kind: 'create' | 'cleanup', reason: 'unavailable' | 'refused') => void;
    },
  ) {}

  /**
   * Triggers the job of a run that has no ProwJob yet and records it. A refusal ends the run (the cluster becomes
   * failed, or quarantined for a cleanup) and is thrown; so is an unreachable manual-trigger, leaving the run to
   * be retried.
   */
  async trigger(cluster: Cluster & { job: JobRun }, extra: { user?: string; requestId?: string; branch?: string } = {}): Promise<{ answer: TriggerAnswer; cluster: Cluster }> {
    const run = cluster.job;
    const { config } = this.deps;
    const job = run.kind === 'create' ? config.createJob : config.cleanupJob;
    const purpose = run.kind === 'create' ? 'create the cluster' : 'run the cleanup job';
    if (!job) {
      // Cleaning was started by a replica with a cleanup job; this one has none. Waiting would loop forever.
      const reason = 'the leading cimaster has no --cleanup-job (give every replica the same one); enable or delete the cluster';
      await this.conclude(cluster, run.key, { ok: false, reason, final: true });
      throw new ManualTriggerFailedError(400, reason, purpose);
    }
    const request = { job, branch: extra.branch ?? config.branch, user: extra.user, requestId: extra.requestId, env: clusterEnv(cluster), idempotencyKey: run.key, purpose };
    const answer = await this.deps.jobs.trigger(request).catch((err: unknown) => this.triggerFailed(cluster, run, err));
    const started = { name: answer.job_name ?? '', statusLink: answer.status_link ?? undefined, logLink: answer.log_link ?? undefined };
    const recorded = await this.deps.pool.recordJobStarted(cluster.name, run.key, started).catch(ignoreSuperseded);
    this.changed = true;
    this.deps.logger.info({ cluster: cluster.name, kind: run.kind, attempt: run.attempt, prowjob: started.name, log: started.logLink }, `${what(run)} job triggered`);
    return { answer, cluster: recorded ?? cluster };
  }

  /** A refusal is final for the run; anything else (manual-trigger unreachable) leaves it to the next round. */
  private async triggerFailed(cluster: Cluster, run: JobRun, err: unknown): Promise<never> {
    if (err instanceof ManualTriggerFailedError) {
      this.deps.onTriggerError?.(run.kind, 'refused');
      await this.conclude(cluster, run.key, { ok: false, reason: err.message, final: true });
    } else if (err instanceof ManualTriggerUnavailableError) this.deps.onTriggerError?.(run.kind, 'unavailable');
    throw err;
  }

  /**
   * createcluster?cluster=: records the cluster as provisioning (a new name, or a failed cluster to retry) and
   * triggers its creation job. If manual-trigger cannot run it, the cluster is failed with the reason (so a retry
   * with the same name is possible) and the error goes to the caller.
   */
  async provision(req: ProvisionCall): Promise<{ cluster: Cluster; answer: TriggerAnswer }> {
    const cluster = (await this.deps.pool.startProvisioning({ name: req.name, region: req.region, labels: req.labels, by: req.user })) as Cluster & { job: JobRun };
    try {
      return await this.trigger(cluster, { user: req.user, requestId: req.requestId, branch: req.branch });
    } catch (err) {
      if (err instanceof ManualTriggerUnavailableError) await this.conclude(cluster, cluster.job.key, { ok: false, reason: err.message, final: true });
      throw err;
    }
  }

  /** One round over a snapshot of the pool: trigger what is due, time out what took too long, poll the rest. */
  async round(state: PoolState): Promise<void> {
    const followed = [...state.clusters.values()].filter((c): c is Cluster & { job: JobRun } => Boolean(c.job) && (c.state === 'provisioning' || c.state === 'cleaning'));
    const limit = this.deps.config.concurrency ?? 8;
    for (let i = 0; i < followed.length; i += limit) {
      await Promise.all(followed.slice(i, i + limit).map((c) => this.follow(c).catch((err: Error) => this.logFailure(c, err))));
    }
  }

  /**
   * Tells the source which ProwJobs the pool follows, at the end of a round: those of `state` (the snapshot the
   * round started from), or of the pool as it is now when a job was triggered or concluded since.
   */
  async announce(state: PoolState): Promise<void> {
    if (!this.deps.jobs.setFollowed) return;
    const changed = this.changed;
    this.changed = false;
    // An unreadable store fails the next round anyway; the round's own snapshot is the best known meanwhile.
    const current = changed ? await this.deps.pool.snapshot().catch(() => state) : state;
    const names = new Set<string>();
    for (const c of current.clusters.values()) if (c.job?.name && (c.state === 'provisioning' || c.state === 'cleaning')) names.add(c.job.name);
    this.deps.jobs.setFollowed(names);
  }

  private async follow(cluster: Cluster & { job: JobRun }): Promise<void> {
    const run = cluster.job;
    const { config } = this.deps;
    const age = this.deps.clock.now().getTime() - Date.parse(run.requestedAt);
    const limit = run.kind === 'create' ? config.provisionTimeoutMs : config.cleanupTimeoutMs;
    if (age >= limit) return this.conclude(cluster, run.key, { ok: false, reason: `${what(run)} job ${run.name ?? '(not started)'} did not end within ${formatGoDuration(limit * 1_000_000)}`, logLink: run.logLink });
    if (run.name) return this.poll(cluster, run, run.name);
    if (run.kind === 'create' && age < config.triggerGraceMs) return;
    // A refusal has ended the run already; an unreachable manual-trigger is retried next round.
    await this.trigger(cluster).catch((err: unknown) => {
      if (!(err instanceof ManualTriggerFailedError)) throw err;
    });
  }

  private async poll(cluster: Cluster, run: JobRun, name: string): Promise<void> {
    const status = await this.deps.jobs.status(name).catch((err: unknown) => {
      if (err instanceof ProwJobGoneError) return { state: 'gone', description: err.message } as JobStatus;
      throw err;
    });
    const logLink = status.log_link ?? run.logLink;
    if (status.state === 'gone') return this.conclude(cluster, run.key, { ok: false, reason: status.description as string, logLink });
    if (status.state === 'success') return this.conclude(cluster, run.key, { ok: true, logLink });
    if (status.state && ENDED_BADLY.has(status.state)) {
      const why = status.description ? `: ${status.description}` : '';
      return this.conclude(cluster, run.key, { ok: false, reason: `${what(run)} job ${name} ended in ${status.state}${why}`, logLink });
    }
  }

  private async conclude(cluster: Cluster, key: string, outcome: JobOutcome): Promise<void> {
    const result = await this.deps.pool.finishJob(cluster.name, key, outcome).catch(ignoreSuperseded);
    if (!result) return;
    this.changed = true;
    this.deps.onOutcome?.(result, this.deps.clock.now());
    const c = result.cluster;
    const fields = { cluster: c.name, kind: result.run.kind, attempt: result.run.attempt, prowjob: result.run.name, result: result.result, log: outcome.logLink ?? result.run.logLink };
    if (outcome.ok) this.deps.logger.info(fields, `${what(result.run)} job succeeded; cluster is vacant`);
    else this.deps.logger.warn({ ...fields, reason: outcome.reason }, `${what(result.run)} job failed; cluster is ${c.state}`);
  }

  private logFailure(cluster: Cluster, err: Error): void {
    this.deps.logger.warn({ cluster: cluster.name, kind: cluster.job?.kind, err: err.message }, 'following the job failed; will retry');
  }
}

function what(run: JobRun): string {
  return run.kind === 'create' ? 'creation' : 'cleanup';
}

function ignoreSuperseded(err: unknown): undefined {
  if (err instanceof JobSupersededError) return undefined;
  throw err;
}
