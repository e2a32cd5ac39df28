import type { ManualTriggerClient } from '@ci-stack/manual-trigger-api';
import type { ClusterPool } from '@ci-stack/pool';
import type { Logger, ReadinessCheck } from '@ci-stack/service-kit';
import type { Clock } from '@ci-stack/core';
import type { InventoryFile } from './inventory';
import { JobFollower, type ProwJobs } from './job-follower';
import { JobStreams } from './job-streams';
import type { Leadership } from './leadership';
import { runLoop, type Loop } from './loop';
import { recordJobOutcome, type PoolMetrics } from './metrics';
import type { CimasterOptions } from './options';
import { Reconciler } from './reconciler';

export interface Lifecycle {
  follower: JobFollower;
  loop: Loop;
  /** The event streams of the followed jobs (`--follow-events`); close them when this replica stops leading. */
  streams?: JobStreams;
  /** /readyz checks that leave the replica ready: the inventory in force may be an older, good one. */
  advisories(): Record<string, ReadinessCheck>;
}

export interface LifecycleDeps {
  pool: ClusterPool;
  /** Polls ProwJobs (and triggers them). */
  jobs: ProwJobs;
  /** manual-trigger's client, for the event streams of `--follow-events`. */
  streamClient?: Pick<ManualTriggerClient, 'stream' | 'baseUrl'>;
  clock: Clock;
  logger: Logger;
  metrics: PoolMetrics;
  leadership: Leadership;
  inventory?: InventoryFile;
}

/**
 * Wires the pool's background work (inventory sync, replenishing, following creation and cleanup jobs) into one
 * loop that runs on the leader every `--job-poll-interval`, and as soon as a followed job's stream says it ended.
 */
export function startLifecycle(opts: CimasterOptions, deps: LifecycleDeps): Lifecycle {
  const { pool, clock, logger, metrics } = deps;
  const streams =
    opts.followEvents && deps.streamClient
      ? new JobStreams({
          polling: deps.jobs,
          client: deps.streamClient,
          clock,
          logger,
          config: { maxStreams: opts.maxFollowedStreams, trustMs: opts.jobPollInterval },
          leadership: deps.leadership,
          onEnd: () => loop.wake(),
        })
      : undefined;
  const follower = new JobFollower({
    pool,
    jobs: streams ?? deps.jobs,
    clock,
    logger,
    config: {
      createJob: opts.createClusterJob,
      cleanupJob: opts.cleanupJob,
      branch: opts.createClusterBranch,
      provisionTimeoutMs: opts.provisionTimeout,
      cleanupTimeoutMs: opts.cleanupTimeout,
      triggerGraceMs: opts.createClusterTimeout + 5_000,
    },
    onOutcome: (result, now) => recordJobOutcome(metrics, result, now),
    onTriggerError: (kind, reason) => metrics.jobTriggerFailures.inc({ kind, reason }),
  });
  const reconciler = new Reconciler({ pool, follower, clock, logger, inventory: deps.inventory });
  const loop = runLoop({ name: 'lifecycle', intervalMs: opts.jobPollInterval, leadership: deps.leadership, logger, round: () => reconciler.round() });
  return {
    follower,
    loop,
    streams,
    advisories: (): Record<string, ReadinessCheck> => {
      const inv = deps.inventory;
      if (!inv) return {};
      return { inventory: inv.lastError ? { ok: false, message: `keeping the last good inventory: ${inv.lastError}` } : { ok: true } };
    },
  };
}
