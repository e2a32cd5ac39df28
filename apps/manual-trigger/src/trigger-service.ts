import { createHash } from 'node:crypto';
import type { LoadedProwConfig } from '@ci-stack/prow-config';
import type { ProwJob } from '@ci-stack/prowjob-api';
import { DomainError, type Clock } from '@ci-stack/core';
import { IDEMPOTENCY_LABEL, buildProwJob } from './build-prowjob';
import { DryRunError, EnvNotAllowedError, ProwJobNotFoundError } from './errors';
import { deckBase, linksFor } from './links';
import type { TriggerMetrics } from './metrics';
import type { TriggerRequest } from '@ci-stack/manual-trigger-api';

/** The Kubernetes operations manual-trigger needs; `@ci-stack/prowjob-client` implements them. */
export interface ProwJobApi {
  readonly namespace: string;
  create(prowJob: ProwJob): Promise<ProwJob>;
  get(name: string): Promise<ProwJob>;
  list(labelSelector: string, limit?: number): Promise<ProwJob[]>;
  waitForBuildId(created: ProwJob, timeoutMs: number): Promise<{ prowJob: ProwJob; assigned: boolean }>;
  ping(): Promise<void>;
}

export interface TriggerServiceDeps {
  config: () => LoadedProwConfig;
  /** Absent in dry-run mode. */
  prowJobs?: ProwJobApi;
  clock: Clock;
  metrics: TriggerMetrics;
  buildIdTimeoutMs: number;
  deckUrl?: string;
  githubUrl: string;
  allowedEnv: readonly string[];
  idempotencyTtlMs: number;
}

/** Who asked, through which route, under which request id and idempotency key. */
export interface Caller {
  identity: string;
  endpoint: string;
  requestId: string;
  idempotencyKey?: string;
}

/** The answer: the original fields first, then what we add. */
export interface TriggerResponse {
  success: true;
  message: string;
  job_name: string;
  status_link: string | null;
  log_link: string | null;
  build_id: string | null;
  state: string;
  type: string;
  job: string;
  namespace?: string;
  url?: string;
  dry_run?: boolean;
  idempotent_replay?: boolean;
  prowjob?: ProwJob;
}

/** Looks a job up, builds its ProwJob the way Prow does, creates it and waits for plank's BuildID. */
export class TriggerService {
  constructor(private readonly deps: TriggerServiceDeps) {}

  async trigger(req: TriggerRequest, caller: Caller): Promise<TriggerResponse> {
    const disallowed = Object.keys(req.env).filter((name) => !this.deps.allowedEnv.includes(name));
    if (disallowed.length) throw new EnvNotAllowedError(disallowed, [...this.deps.allowedEnv]);
    const effective = { ...req, user: req.user ?? (caller.identity !== 'anonymous' ? caller.identity : undefined) };
    const hash = caller.idempotencyKey ? idempotencyHash(caller.identity, caller.idempotencyKey) : undefined;
    const loaded = this.deps.config();
    const prowJob = buildProwJob(effective, {
      index: loaded.index,
      requireScheduling: loaded.config.scheduler?.enabled === true,
      githubUrl: this.deps.githubUrl,
      identity: caller.identity,
      endpoint: caller.endpoint,
      requestId: caller.requestId,
      now: this.deps.clock.now(),
      name: hash ? nameFromHash(hash) : undefined,
      idempotencyHash: hash,
    });
    const api = this.deps.prowJobs;
    if (!api || req.dryRun) {
      return { ...this.describe(prowJob, 'Dry run: ProwJob built but not created'), dry_run: true, prowjob: prowJob };
    }
    if (hash) {
      const replay = await this.findReplay(api, hash);
      if (replay) return { ...this.describe(replay, REPLAYED), idempotent_replay: true };
    }
    const created = await this.create(api, prowJob, hash);
    if (created.replay) return { ...this.describe(created.prowJob, REPLAYED), idempotent_replay: true };
    this.deps.metrics.created.inc({ type: prowJob.spec.type });
    const started = process.hrtime.bigint();
    const waited = await api.waitForBuildId(created.prowJob, this.deps.buildIdTimeoutMs).catch(() => ({ prowJob: created.prowJob, assigned: false }));
    this.deps.metrics.buildIdWait.observe({ outcome: waited.assigned ? 'assigned' : 'timeout' }, Number(process.hrtime.bigint() - started) / 1e9);
    return this.describe(waited.prowJob, 'ProwJob created successfully');
  }

  /** State, build id, links and timestamps of a ProwJob. */
  async status(name: string): Promise<Record<string, unknown>> {
    const api = this.deps.prowJobs;
    if (!api) throw new DryRunError('Looking up ProwJobs');
    const prowJob = await api.get(name).catch((err: unknown) => {
      if (err instanceof DomainError && err.kind === 'not-found') throw new ProwJobNotFoundError(name);
      throw err;
    });
    const s = prowJob.status ?? {};
    return {
      ...this.describe(prowJob, `ProwJob is ${prowJob.status?.state ?? 'triggered'}`),
      description: s.description ?? null,
      start_time: s.startTime ?? null,
      pending_time: s.pendingTime ?? null,
      completion_time: s.completionTime ?? null,
      pod_name: s.pod_name ?? null,
    };
  }

  private describe(prowJob: ProwJob, message: string): TriggerResponse {
    const links = linksFor(deckBase(this.deps.deckUrl, this.deps.config().config), prowJob);
    const out: TriggerResponse = {
      success: true,
      message,
      job_name: prowJob.metadata.name,
      ...links,
      build_id: prowJob.status?.build_id ?? null,
      state: prowJob.status?.state ?? 'triggered',
      type: prowJob.spec.type,
      job: prowJob.spec.job,
    };
    if (this.deps.prowJobs) out.namespace = this.deps.prowJobs.namespace;
    if (prowJob.status?.url) out.url = prowJob.status.url;
    return out;
  }

  private async findReplay(api: ProwJobApi, hash: string): Promise<ProwJob | undefined> {
    const existing = await api.list(`${IDEMPOTENCY_LABEL}=${hash}`);
    return existing.filter((pj) => this.withinTtl(pj)).sort((a, b) => createdAt(b) - createdAt(a))[0];
  }

  private async create(api: ProwJobApi, prowJob: ProwJob, hash: string | undefined): Promise<{ prowJob: ProwJob; replay: boolean }> {
    try {
      return { prowJob: await api.create(prowJob), replay: false };
    } catch (err) {
      // Two replicas racing on one Idempotency-Key both derive the same name: the loser returns the winner's job.
      if (hash && err instanceof DomainError && err.code === 'KUBE_ALREADY_EXISTS') {
        const winner = await api.get(prowJob.metadata.name);
        if (this.withinTtl(winner)) return { prowJob: winner, replay: true };
        return { prowJob: await api.create({ ...prowJob, metadata: { ...prowJob.metadata, name: crypto.randomUUID() } }), replay: false };
      }
      this.deps.metrics.createFailures.inc({ type: prowJob.spec.type, reason: err instanceof DomainError ? err.code : 'unknown' });
      throw err;
    }
  }

  /** Whether a ProwJob created for an Idempotency-Key still stands for it. */
  private withinTtl(prowJob: ProwJob): boolean {
    return createdAt(prowJob) >= this.deps.clock.now().getTime() - this.deps.idempotencyTtlMs;
  }
}

/** When a ProwJob was created (ms): the start time Prow sets on creation, else the API server's timestamp; NaN when neither. */
function createdAt(prowJob: ProwJob): number {
  return Date.parse(prowJob.status?.startTime ?? prowJob.metadata.creationTimestamp ?? '');
}

const REPLAYED = 'ProwJob already created for this Idempotency-Key';

/** Per-identity key hash, short enough for a label value. */
export function idempotencyHash(identity: string, key: string): string {
  return createHash('sha256').update(`${identity}\u0000${key}`).digest('hex').slice(0, 40);
}

/** A UUID-shaped ProwJob name derived from the hash, so racing replicas collide on create. */
function nameFromHash(hash: string): string {
  return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-${hash.slice(12, 16)}-${hash.slice(16, 20)}-${hash.slice(20, 32)}`;
}
