import type { Router } from 'express';
import { NoCapacityError, ShuttingDownError, assertLabels, type ClusterPool } from '@ci-stack/pool';
import { DomainError, ValidationError } from '@ci-stack/core';
import { callRouter, type Auth } from './calls';
import type { PoolMetrics } from './metrics';
import { clusterView, reply } from './views';

export interface GetVacantDeps {
  pool: ClusterPool;
  metrics: PoolMetrics;
  auth?: Auth;
  maxWaitMs: number;
}

/** Kinds of refusal that are the request's fault: counted as `invalid`, not as `error`. */
const REFUSED_KINDS: ReadonlySet<string> = new Set(['invalid', 'unauthenticated', 'forbidden']);

/** Seconds a client waits before asking again: for capacity, and (sooner, at another replica) after a shutdown. */
const RETRY_AFTER_NO_CAPACITY = '30';
const RETRY_AFTER_SHUTDOWN = '1';

function outcomeOf(err: unknown): string {
  if (err instanceof NoCapacityError) return 'no_capacity';
  if (err instanceof ShuttingDownError) return 'shutting_down';
  return err instanceof DomainError && REFUSED_KINDS.has(err.kind) ? 'invalid' : 'error';
}

/**
 * `/getvacant`: a free cluster now, or within `wait` in the fair queue; every answer is counted by outcome. A wait
 * this replica ends on shutdown answers 503 `SHUTTING_DOWN` with `Retry-After` (see `ClusterPool.stopWaiting`).
 */
export function getVacantRoutes(deps: GetVacantDeps): Router {
  const { pool, metrics } = deps;
  return callRouter(deps.auth, {
    getvacant: {
      role: 'e2e',
      onError: (err) => metrics.getVacant.inc({ outcome: outcomeOf(err) }),
      handle: async (req, res, p) => {
        const waitMs = p.wait ?? 0;
        if (waitMs > deps.maxWaitMs) throw new ValidationError(`wait must be at most ${deps.maxWaitMs / 1000}s`);
        const gone = new AbortController();
        // Only a client that left before its answer cancels the wait (an abort costs an exception object).
        res.on('close', () => {
          if (!res.writableFinished) gone.abort();
        });
        try {
          const labels = p.labels === undefined ? undefined : assertLabels('labels', p.labels, { selector: true });
          const got = await pool.getVacant({ build: p.build, job: p.job, region: p.region, labels, waitMs, signal: gone.signal });
          metrics.getVacant.inc({ outcome: 'allocated' });
          if (got.queued) metrics.waitSeconds.observe({ outcome: 'allocated' }, got.waitedMs / 1000);
          req.log.info({ cluster: got.cluster.name, build: p.build, job: p.job, waitedMs: got.waitedMs }, 'cluster allocated');
          reply(req, res, 200, got.cluster.name, { cluster: clusterView(got.cluster), waited_seconds: got.waitedMs / 1000 });
        } catch (err) {
          if (err instanceof NoCapacityError) {
            if (waitMs) metrics.waitSeconds.observe({ outcome: 'timeout' }, waitMs / 1000);
            res.setHeader('Retry-After', RETRY_AFTER_NO_CAPACITY);
          }
          if (err instanceof ShuttingDownError) res.setHeader('Retry-After', RETRY_AFTER_SHUTDOWN);
          throw err;
        }
      },
    },
  });
}
