import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolState } from '@ci-stack/pool';

/** cimaster's metrics; names start with `cimaster_`. Gauges of current state are computed at scrape time. */
export interface PoolMetrics {
  registry: Registry;
  getVacant: Counter<'outcome'>;
  waitSeconds: Histogram<'outcome'>;
  storeWriteSeconds: Histogram<'outcome'>;
  storeConflicts: Counter;
  expirations: Counter<'kind'>;
}

export function createMetrics(snapshot: () => Promise<PoolState>): PoolMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cimaster_' });
  new Gauge({
    name: 'cimaster_clusters',
    help: 'Clusters in the pool by state and region.',
    labelNames: ['state', 'region'],
    registers: [registry],
    async collect() {
      this.reset();
      const state = await snapshot();
      const counts = new Map<string, { state: string; region: string; n: number }>();
      for (const c of state.clusters.values()) {
        const key = `${c.state}\u0000${c.region}`;
        const entry = counts.get(key) ?? { state: c.state, region: c.region, n: 0 };
        entry.n++;
        counts.set(key, entry);
      }
      for (const { state: s, region, n } of counts.values()) this.set({ state: s, region }, n);
    },
  });
  new Gauge({
    name: 'cimaster_queue_length',
    help: 'getvacant requests waiting in the queue.',
    registers: [registry],
    async collect() {
      this.set((await snapshot()).queue.length);
    },
  });
  return {
    registry,
    getVacant: new Counter({ name: 'cimaster_getvacant_total', help: 'getvacant answers by outcome (allocated, no_capacity, invalid, error).', labelNames: ['outcome'], registers: [registry] }),
    waitSeconds: new Histogram({
      name: 'cimaster_wait_seconds',
      help: 'Time getvacant requests with wait= spent in the queue, by outcome.',
      labelNames: ['outcome'],
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers: [registry],
    }),
    storeWriteSeconds: new Histogram({
      name: 'cimaster_store_write_seconds',
      help: 'Latency of guarded pool writes, by outcome (ok, conflict, error).',
      labelNames: ['outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    storeConflicts: new Counter({ name: 'cimaster_store_conflicts_total', help: 'Pool writes retried because another replica wrote first.', registers: [registry] }),
    expirations: new Counter({ name: 'cimaster_expirations_total', help: 'Testing leases and holds that expired, by kind (lease, hold).', labelNames: ['kind'], registers: [registry] }),
  };
}
