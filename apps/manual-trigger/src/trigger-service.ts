import { createHash } from 'node:crypto';
import type { LoadedProwConfig } from '@ci-stack/prow-config';
import type { ProwJob } from '@ci-stack/prowjob-api';
import { DomainError, type Clock } from '@ci-stack/core';
import { IDEMPOTENCY_LABEL, buildProwJob } from './build-prowjob';
import { DryRunError, EnvNotAllowedError, ProwJobNotFoundError } from './errors';
import type { TriggerMetrics } from './metrics';
import type { TriggerRequest } from '@ci-stack/manual-trigger-api';
import type { ProwJobApi } from './prowjob-api';
import { ProwJobViews, type TriggerResponse } from './views';

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

/** Looks a job up, builds its ProwJob the way Prow does, creates it and waits for plank's BuildID. */
export class TriggerService {
  readonly views: ProwJobViews;

  constructor(private readonly deps: TriggerServiceDeps) {
    this.views = new ProwJobViews({ config: deps.config, deckUrl: deps.deckUrl, namespace: deps.prowJobs?.namespace });
  }

  async trigger(req: TriggerRequest, caller: Caller): Promise<TriggerResponse> {
    const disallowed = Object.keys(req.env).filter((name) => !this.deps.allowedEnv.includes(name));
    if (disallowed.length) throw new EnvNotAllowedError(disallowed, [...this.deps.allowedEnv]);
    const effective = { ...req, user: req.user ?? (caller.identity !== 'anonymous' ? caller.identity : undefined) };
    const idempotency = idempotencyOf(caller);
    const loaded = this.deps.config();
    const prowJob = buildProwJob(effective, {
      index: loaded.index,
      requireScheduling: loaded.config.scheduler?.enabled === true,
      githubUrl: this.deps.githubUrl,
      identity: caller.identity,
      endpoint: caller.endpoint,
      requestId: caller.requestId,
      now: this.deps.clock.now(),
      ...idempotency,
    });
    return this.submit(prowJob, idempotency.idempotencyHash, 'ProwJob created successfully', req.dryRun);
  }

  /**
   * Creates a built ProwJob (named after the caller's Idempotency-Key, see {@link idempotencyOf}) unless that key
   * already created one, waits for plank's BuildID and answers like a trigger. In dry-run mode, or for a dry-run
   * request, only answers.
   */
  async submit(prowJob: ProwJob, hash: string | undefined, message: string, dryRun = false): Promise<TriggerResponse> {
    const api = this.deps.prowJobs;
    if (!api || dryRun) {
      return { ...this.views.reply(prowJob, 'Dry run: ProwJob built but not created'), dry_run: true, prowjob: prowJob };
    }
    if (hash) {
      const replay = await this.findReplay(api, hash);
      if (replay) return { ...this.views.reply(replay, REPLAYED), idempotent_replay: true };
    }
    const created = await this.create(api, prowJob, hash);
    if (created.replay) return { ...this.views.reply(created.prowJob, REPLAYED), idempotent_replay: true };
    this.deps.metrics.created.inc({ type: prowJob.spec.type });
    const started = process.hrtime.bigint();
    const waited = await api.waitForBuildId(created.prowJob, this.deps.buildIdTimeoutMs).catch(() => ({ prowJob: created.prowJob, assigned: false }));
    this.deps.metrics.buildIdWait.observe({ outcome: waited.assigned ? 'assigned' : 'timeout' }, Number(process.hrtime.bigint() - started) / 1e9);
    return this.views.reply(waited.prowJob, message);
  }

  /** The ProwJob by name; 404 when there is none, 503 in dry-run mode. */
  async get(name: string): Promise<ProwJob> {
    return getProwJob(this.deps.prowJobs, name);
  }

  private async findReplay(api: ProwJobApi, hash: string): Promise<ProwJob | undefined> {
    const existing = (await api.list({ labelSelector: `${IDEMPOTENCY_LABEL}=${hash}` })).items;
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

/** The ProwJob by name through the API, with our errors: 404 PROWJOB_NOT_FOUND, 503 DRY_RUN. */
export async function getProwJob(api: ProwJobApi | undefined, name: string): Promise<ProwJob> {
  if (!api) throw new DryRunError('Looking up ProwJobs');
  return api.get(name).catch((err: unknown) => {
    if (err instanceof DomainError && err.kind === 'not-found') throw new ProwJobNotFoundError(name);
    throw err;
  });
}

/** With an Idempotency-Key: its per-identity hash (a label) and the ProwJob name derived from it. */
export function idempotencyOf(caller: Caller): { idempotencyHash?: string; name?: string } {
  if (!caller.idempotencyKey) return {};
  const hash = idempotencyHash(caller.identity, caller.idempotencyKey);
  return { idempotencyHash: hash, name: nameFromHash(hash) };
}

/** Per-identity key hash, short enough for a label value. */
export function idempotencyHash(identity: string, key: string): string {
  return createHash('sha256').update(`${identity}\u0000${key}`).digest('hex').slice(0, 40);
}

/** A UUID-shaped ProwJob name derived from the hash, so racing replicas collide on create. */
function nameFromHash(hash: string): string {
  return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-${hash.slice(12, 16)}-${hash.slice(16, 20)}-${hash.slice(20, 32)}`;
}
