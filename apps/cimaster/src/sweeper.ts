import type { ClusterPool } from '@ci-stack/pool';
import type { Logger } from '@ci-stack/service-kit';
import type { Leadership } from './leadership';
import { runLoop, type Loop } from './loop';
import type { PoolMetrics } from './metrics';

/** Runs the pool's expiry sweep every interval on the leader (each expiry is a guarded write all the same). */
export function startSweeper(opts: { pool: ClusterPool; intervalMs: number; metrics: PoolMetrics; logger: Logger; leadership: Leadership }): Loop {
  return runLoop({
    name: 'sweep',
    intervalMs: opts.intervalMs,
    leadership: opts.leadership,
    logger: opts.logger,
    round: async () => {
      const { expired, droppedTickets } = await opts.pool.sweep();
      for (const e of expired) {
        opts.metrics.expirations.inc({ kind: e.kind });
        opts.logger.info({ cluster: e.cluster, kind: e.kind, build: e.build, job: e.job, user: e.user }, `${e.kind} expired; cluster returned to the pool`);
      }
      if (droppedTickets) opts.logger.info({ droppedTickets }, 'dropped abandoned queue tickets');
    },
  });
}
