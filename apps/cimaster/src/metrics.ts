import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CLUSTER_STATES, type ClusterState, type JobResult, type PoolState } from '@ci-stack/pool';

/** cimaster's metrics; names start with `cimaster_`. Gauges of current state are computed at scrape time. */
export interface PoolMetrics {
  registry: Registry;
  getVacant: Counter<'outcome'>;
  waitSeconds: Histogram<'outcome'>;
  storeWriteSeconds: Histogram<'outcome'>;
  storeConflicts: Counter;
  expirations: Counter<'kind'>;
  provisions: Counter<'outcome'>;
  provisionSeconds: Histogram<'outcome'>;
  cleanups: Counter<'outcome'>;
  cleanupSeconds: Histogram<'outcome'>;
  finishToVacantSeconds: Histogram;
  jobTriggerFailures: Counter<'kind' | 'reason'>;
  inventoryReloadErrors: Counter;
}

/** Creation jobs take minutes to an hour; cleanups seconds to many minutes. */
const JOB_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

/**
 * `inventoryError` says whether the inventory on disk is invalid; `isLeader` whether this replica runs the background
 * loops (a single process always does); `followedStreams` how many ProwJob event streams are open.
 */
export function createMetrics(snapshot: () => Promise<PoolState>, opts: { inventoryError?: () => string | undefined; isLeader?: () => boolean; followedStreams?: () => number } = {}): PoolMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cimaster_' });
  new Gauge({
    name: 'cimaster_clusters',
    help: 'Clusters in the pool by state and region; every state of a region with clusters is reported, 0 when none is in it.',
    labelNames: ['state', 'region'],
    registers: [registry],
    async collect() {
      this.reset();
      // Zeros too, so that a query or alert on a state sees 0 rather than no series (as Boskos reports its states).
      const byRegion = new Map<string, Map<ClusterState, number>>();
      for (const c of (await snapshot()).clusters.values()) {
        const counts = byRegion.get(c.region) ?? new Map(CLUSTER_STATES.map((s) => [s, 0]));
        counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
        byRegion.set(c.region, counts);
      }
      for (const [region, counts] of byRegion) for (const [state, n] of counts) this.set({ state, region }, n);
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
  new Gauge({
    name: 'cimaster_quarantined_clusters',
    help: 'Clusters quarantined after failing cleanup; an admin enables or deletes them.',
    registers: [registry],
    async collect() {
      this.set([...(await snapshot()).clusters.values()].filter((c) => c.state === 'quarantined').length);
    },
  });
  new Gauge({
    name: 'cimaster_leader_status',
    help: 'Whether this replica is the leader that runs the background loops (sweeper, job follower, replenisher, inventory sync): 1 or 0.',
    registers: [registry],
    collect() {
      this.set((opts.isLeader?.() ?? true) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'cimaster_followed_job_streams',
    help: "ProwJob event streams open to manual-trigger for the creation and cleanup jobs followed (the leader's; 0 elsewhere).",
    registers: [registry],
    collect() {
      this.set(opts.followedStreams?.() ?? 0);
    },
  });
  new Gauge({
    name: 'cimaster_inventory_invalid_files',
    help: '1 while the inventory file on disk is invalid and the last good one is in force, else 0.',
    registers: [registry],
    collect() {
      this.set(opts.inventoryError?.() ? 1 : 0);
    },
  });
  return {
    registry,
    getVacant: new Counter({ name: 'cimaster_getvacant_total', help: 'getvacant answers by outcome (allocated, no_capacity, invalid, shutting_down, error).', labelNames: ['outcome'], registers: [registry] }),
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
    provisions: new Counter({ name: 'cimaster_provisions_total', help: 'Cluster creations that ended, by outcome (provisioned, failed).', labelNames: ['outcome'], registers: [registry] }),
    provisionSeconds: new Histogram({ name: 'cimaster_provision_duration_seconds', help: 'Time from createcluster to the end of the creation job, by outcome.', labelNames: ['outcome'], buckets: JOB_BUCKETS, registers: [registry] }),
    cleanups: new Counter({ name: 'cimaster_cleanups_total', help: 'Cleanup runs that ended, by outcome (cleaned, retried, quarantined).', labelNames: ['outcome'], registers: [registry] }),
    cleanupSeconds: new Histogram({ name: 'cimaster_cleanup_duration_seconds', help: 'Time a cluster spent cleaning, by how it ended (cleaned, quarantined).', labelNames: ['outcome'], buckets: JOB_BUCKETS, registers: [registry] }),
    finishToVacantSeconds: new Histogram({ name: 'cimaster_finish_to_vacant_seconds', help: 'Time from finishtest (or lease expiry) to vacant again, through the cleanup job.', buckets: JOB_BUCKETS, registers: [registry] }),
    jobTriggerFailures: new Counter({ name: 'cimaster_job_trigger_failures_total', help: 'Creation and cleanup jobs manual-trigger did not run, by kind and reason (unavailable, refused).', labelNames: ['kind', 'reason'], registers: [registry] }),
    inventoryReloadErrors: new Counter({ name: 'cimaster_inventory_reload_errors_total', help: 'Reloads of the inventory file that found it invalid (the last good one stays in force).', registers: [registry] }),
  };
}

/** Counts and times one applied job outcome. */
export function recordJobOutcome(metrics: PoolMetrics, result: JobResult, now: Date): void {
  const seconds = (now.getTime() - Date.parse(result.stayStarted)) / 1000;
  if (result.run.kind === 'create') {
    metrics.provisions.inc({ outcome: result.result });
    metrics.provisionSeconds.observe({ outcome: result.result }, seconds);
    return;
  }
  metrics.cleanups.inc({ outcome: result.result === 'retrying' ? 'retried' : result.result });
  if (result.result === 'retrying') return;
  metrics.cleanupSeconds.observe({ outcome: result.result }, seconds);
  if (result.result === 'cleaned') metrics.finishToVacantSeconds.observe(seconds);
}

/** `cimaster_event_stream_clients`: browsers (and other clients) on this replica's GET /pool/events, read at scrape. */
export function registerEventStreamGauge(registry: Registry, clients: () => number): void {
  new Gauge({
    name: 'cimaster_event_stream_clients',
    help: 'Clients connected to GET /pool/events on this replica.',
    registers: [registry],
    collect() {
      this.set(clients());
    },
  });
}
