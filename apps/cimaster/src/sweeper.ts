import type { ClusterPool } from '@ci-stack/pool';
import type { Logger } from '@ci-stack/service-kit';
import type { PoolMetrics } from './metrics';

/** Runs the pool's expiry sweep every interval; safe with several replicas (each expiry is a guarded write). */
export function startSweeper(opts: { pool: ClusterPool; intervalMs: number; metrics: PoolMetrics; logger: Logger }): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const tick = (): void => {
    if (running) return;
    running = opts.pool
      .sweep()
      .then(({ expired, droppedTickets }) => {
        for (const e of expired) {
          opts.metrics.expirations.inc({ kind: e.kind });
          opts.logger.info({ cluster: e.cluster, kind: e.kind, build: e.build, job: e.job, user: e.user }, `${e.kind} expired; cluster returned to the pool`);
        }
        if (droppedTickets) opts.logger.info({ droppedTickets }, 'dropped abandoned queue tickets');
      })
      .catch((err: Error) => opts.logger.warn({ err: err.message }, 'sweep failed; will retry'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
