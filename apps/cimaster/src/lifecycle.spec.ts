import request from 'supertest';
import { ClusterPool, type PoolStore } from '@ci-stack/pool';
import { BatchingPoolStore, MemoryBackend } from '@ci-stack/pool-store';
import { silentLogger } from '@ci-stack/service-kit/testing';
import { FakeClock } from '@ci-stack/core/testing';
import { createApp } from './app';
import type { TriggerAnswer } from './create-cluster';
import { JobFollower } from './job-follower';
import { recordJobOutcome, createMetrics } from './metrics';
import { Reconciler } from './reconciler';
import { FakeProwJobs } from './testing/fake-prow-jobs';

const HOUR = 3_600_000;

function setup(opts: { cleanupJob?: string; store?: PoolStore; clock?: FakeClock; jobs?: FakeProwJobs } = {}) {
  const clock = opts.clock ?? new FakeClock(new Date('2026-06-01T00:00:00Z'));
  const store = opts.store ?? new BatchingPoolStore(new MemoryBackend(), { clock });
  const pool = new ClusterPool({ store, clock, leaseMs: 4 * HOUR, holdMs: HOUR, maxHoldMs: HOUR, cleanup: opts.cleanupJob ? { maxAttempts: 3 } : undefined });
  const jobs = opts.jobs ?? new FakeProwJobs();
  const metrics = createMetrics(() => store.read());
  const follower = new JobFollower({
    pool,
    jobs,
    clock,
    logger: silentLogger(),
    config: { createJob: 'create-cluster', cleanupJob: opts.cleanupJob, branch: 'master', provisionTimeoutMs: 2 * HOUR, cleanupTimeoutMs: HOUR, triggerGraceMs: 35_000 },
    onOutcome: (r, now) => recordJobOutcome(metrics, r, now),
  });
  const reconciler = new Reconciler({ pool, follower, clock, logger: silentLogger() });
  const app = createApp({
    pool,
    metrics,
    logger: silentLogger(),
    maxWaitMs: HOUR,
    ready: async () => undefined,
    createCluster: async () => ({ success: true, message: 'ok', job_name: 'old-form' }) as unknown as TriggerAnswer,
    provision: (req) => follower.provision(req),
  });
  const cluster = async (name: string) => (await request(app).get(`/clusters/${name}`).expect(200)).body;
  return { app, pool, clock, jobs, metrics, reconciler, store, cluster };
}

describe('createcluster?cluster=: provisioning that follows through', () => {
  it('records provisioning with the ProwJob, runs the job with CLUSTER_* env, and makes the cluster vacant on success', async () => {
    const { app, jobs, reconciler, cluster, clock, metrics } = setup();
    const res = await request(app).get('/createcluster?cluster=c1&region=us-west&labels=k8s=1.32,gpu=true&user=john').expect(200);
    expect(res.text).toBe('cluster c1 is provisioning: creation job pj-1 triggered\nstatus: https://prow/prowjob?prowjob=pj-1\nlog: https://prow/log?job=create-cluster&id=1');
    expect(jobs.triggered).toEqual([
      {
        job: 'create-cluster',
        branch: 'master',
        user: 'john',
        requestId: expect.any(String),
        env: { CLUSTER_NAME: 'c1', CLUSTER_REGION: 'us-west', CLUSTER_LABELS: 'gpu=true,k8s=1.32' },
        idempotencyKey: `cimaster-create-c1-${Date.parse('2026-06-01T00:00:00Z')}-1`,
        purpose: 'create the cluster',
      },
    ]);
    expect(await cluster('c1')).toMatchObject({ state: 'provisioning', labels: { k8s: '1.32', gpu: 'true' }, job: { kind: 'create', name: 'pj-1', status_link: 'https://prow/prowjob?prowjob=pj-1' } });
    await request(app).get('/getvacant?build=1&job=e2e').expect(503);
    await reconciler.round();
    expect((await cluster('c1')).state).toBe('provisioning');
    clock.advance(20 * 60_000);
    jobs.end('pj-1', 'success');
    await reconciler.round();
    const done = await cluster('c1');
    expect(done).toMatchObject({ state: 'finished', job: null });
    expect(done.history[0]).toMatchObject({ state: 'provisioning', ended: 'provisioned', prowjob: 'pj-1', log_link: 'https://prow/log?job=create-cluster&id=1', duration_seconds: 1200 });
    await request(app).get('/getvacant?build=1&job=e2e&labels=gpu=true,region=us-west').expect(200, 'c1');
    expect(await metrics.registry.getSingleMetricAsString('cimaster_provisions_total')).toContain('cimaster_provisions_total{outcome="provisioned"} 1');
    expect(await metrics.registry.getSingleMetricAsString('cimaster_provision_duration_seconds')).toContain('cimaster_provision_duration_seconds_sum{outcome="provisioned"} 1200');
  });

  it.each([
    ['failure', 'Job failed.'],
    ['error', 'Pod got deleted unexpectedly'],
    ['aborted', 'Aborted by user'],
  ] as const)('a creation ending in %s marks the cluster failed with Prow\'s description and the log link', async (state, description) => {
    const { app, jobs, reconciler, cluster, clock, metrics } = setup();
    await request(app).get('/createcluster?cluster=c1&region=us-west').expect(200);
    clock.advance(300_000);
    jobs.end('pj-1', state, description);
    await reconciler.round();
    expect(await cluster('c1')).toMatchObject({ state: 'failed', problem: { reason: `creation job pj-1 ended in ${state}: ${description}`, prowjob: 'pj-1', log_link: 'https://prow/log?job=create-cluster&id=1' } });
    await request(app).get('/getvacant?build=1&job=e2e').expect(503);
    expect(await metrics.registry.getSingleMetricAsString('cimaster_provisions_total')).toContain('cimaster_provisions_total{outcome="failed"} 1');
    expect(await metrics.registry.getSingleMetricAsString('cimaster_provision_duration_seconds')).toContain('cimaster_provision_duration_seconds_sum{outcome="failed"} 300');
  });

  it('a failed cluster is retried with createcluster under the same name, or deleted', async () => {
    const { app, jobs, reconciler, cluster } = setup();
    await request(app).get('/createcluster?cluster=c1&region=us-west').expect(200);
    jobs.end('pj-1', 'failure', 'quota exceeded');
    await reconciler.round();
    const retried = await request(app).get('/createcluster?cluster=c1&region=us-west').expect(200);
    expect(retried.text).toMatch(/^cluster c1 is provisioning: creation job pj-2 triggered/);
    expect(jobs.triggered[1].idempotencyKey).not.toBe(jobs.triggered[0].idempotencyKey);
    expect((await cluster('c1')).history[0]).toMatchObject({ state: 'failed', ended: 'retried' });
    jobs.end('pj-2', 'failure');
    await reconciler.round();
    await request(app).get('/deletecluster?cluster=c1').expect(200, 'cluster c1 is deleted successfully');
  });

  it('no end within --provision-timeout: failed', async () => {
    const { app, reconciler, clock, cluster } = setup();
    await request(app).get('/createcluster?cluster=c1&region=us-west').expect(200);
    clock.advance(2 * HOUR);
    await reconciler.round();
    expect((await cluster('c1')).problem.reason).toBe('creation job pj-1 did not end within 2h0m0s');
  });

  it('a ProwJob that vanished fails the cluster', async () => {
    const { app, jobs, reconciler, cluster } = setup();
    await request(app).get('/createcluster?cluster=c1&region=us-west').expect(200);
    jobs.forget('pj-1');
    await reconciler.round();
    expect((await cluster('c1')).problem.reason).toBe('ProwJob pj-1 no longer exists');
  });

  it('following survives a restart: a new process on the same store finishes what the old one started', async () => {
    const clock = new FakeClock(new Date('2026-06-01T00:00:00Z'));
    const store = new BatchingPoolStore(new MemoryBackend(), { clock });
    const jobs = new FakeProwJobs();
    const first = setup({ store, clock, jobs });
    await request(first.app).get('/createcluster?cluster=c1&region=r').expect(200);
    jobs.end('pj-1', 'success');
    const second = setup({ store, clock, jobs });
    await second.reconciler.round();
    expect((await second.cluster('c1')).state).toBe('finished');
  });

  it('a run whose replica died before triggering it is triggered after the grace period, with the same key', async () => {
    const { pool, jobs, reconciler, clock, cluster } = setup();
    const c = await pool.startProvisioning({ name: 'c1', region: 'r' });
    await reconciler.round();
    expect(jobs.triggered).toEqual([]);
    clock.advance(35_000);
    await reconciler.round();
    expect(jobs.triggered.map((t) => t.idempotencyKey)).toEqual([c.job?.key]);
    expect((await cluster('c1')).job.name).toBe('pj-1');
  });

  it.each([
    ['/createcluster?cluster=c1', 400, 'createcluster with cluster=, region= or labels= needs both cluster= and region= (without any of them it only triggers the creation job)'],
    ['/createcluster?region=us-west', 400, 'createcluster with cluster=, region= or labels= needs both cluster= and region='],
    ['/createcluster?cluster=c1&region=r&labels=gpu', 400, 'labels: "gpu" is not key=value (write labels as k8s=1.32,gpu=true)'],
    ['/createcluster?cluster=c1&region=r&labels=region=eu', 400, 'labels: region is not a label here; set the region with region='],
    ['/createcluster?cluster=Bad&region=r', 400, 'cluster "Bad" must be a DNS-1123 label'],
    ['/addcluster?cluster=c9&region=r&labels=a=1,a=2', 400, 'labels: a is given twice'],
    ['/getvacant?build=1&job=j&labels=k8s=1.32=x', 400, 'labels: value "1.32=x" of k8s must be'],
    ['/createcluster?cluster=taken&region=r', 409, 'cluster taken already exists (state finished, region r)'],
  ])('%s → %i', async (path, status, message) => {
    const { app, jobs, pool } = setup();
    await pool.add('taken', 'r');
    const res = await request(app).get(path).expect(status);
    expect(res.text).toContain(message);
    expect(jobs.triggered).toEqual([]);
    expect([...(await pool.snapshot()).clusters.keys()]).toEqual(['taken']);
  });

  it('manual-trigger refusing or unreachable: the error goes to the caller and the cluster is failed with it, ready to retry', async () => {
    const { app, jobs, cluster } = setup();
    jobs.unknownJobs.add('create-cluster');
    const refused = await request(app).get('/createcluster?cluster=c1&region=r').expect(502);
    expect(refused.text).toBe('manual-trigger refused to create the cluster (HTTP 404): Job create-cluster not found in config for tess/tessops');
    expect((await cluster('c1')).problem.reason).toBe(refused.text);
    jobs.unknownJobs.clear();
    jobs.unavailable = true;
    await request(app).get('/createcluster?cluster=c1&region=r').expect(503);
    expect(await cluster('c1')).toMatchObject({ state: 'failed', problem: { reason: 'manual-trigger at http://manual-trigger/manual-trigger is unreachable: ECONNREFUSED' } });
    jobs.unavailable = false;
    await request(app).get('/createcluster?cluster=c1&region=r').expect(200);
  });

  it('the old form without cluster still only triggers the job', async () => {
    const { app, jobs, pool } = setup();
    await request(app).get('/createcluster?user=john&branch=master').expect(200, 'cluster creation job old-form triggered');
    expect(jobs.triggered).toEqual([]);
    expect((await pool.snapshot()).clusters).toEqual(new Map());
  });
});

describe('cleanup between builds', () => {
  async function used(s: ReturnType<typeof setup>, name = 'c1') {
    await request(s.app).get(`/addcluster?cluster=${name}&region=us-west&labels=k8s=1.32`).expect(200);
    await request(s.app).get('/getvacant?build=7&job=e2e').expect(200, name);
  }

  it('finishtest → cleaning; the cleanup job runs with CLUSTER_*; success → vacant', async () => {
    const s = setup({ cleanupJob: 'clean-cluster' });
    await used(s);
    await request(s.app).get('/finishtest?cluster=c1&build=7').expect(200, 'cluster c1 is finished successfully');
    expect((await s.cluster('c1')).state).toBe('cleaning');
    await request(s.app).get('/getvacant?build=8&job=e2e').expect(503);
    await s.reconciler.round();
    expect(s.jobs.triggered).toEqual([expect.objectContaining({ job: 'clean-cluster', env: { CLUSTER_NAME: 'c1', CLUSTER_REGION: 'us-west', CLUSTER_LABELS: 'k8s=1.32' }, purpose: 'run the cleanup job' })]);
    s.clock.advance(90_000);
    s.jobs.end('pj-1', 'success');
    await s.reconciler.round();
    await request(s.app).get('/getvacant?build=8&job=e2e').expect(200, 'c1');
    expect(await s.metrics.registry.getSingleMetricAsString('cimaster_finish_to_vacant_seconds')).toContain('cimaster_finish_to_vacant_seconds_sum 90');
    expect(await s.metrics.registry.getSingleMetricAsString('cimaster_cleanups_total')).toContain('cimaster_cleanups_total{outcome="cleaned"} 1');
    expect(await s.metrics.registry.getSingleMetricAsString('cimaster_cleanup_duration_seconds')).toContain('cimaster_cleanup_duration_seconds_sum{outcome="cleaned"} 90');
  });

  it('lease expiry cleans too', async () => {
    const s = setup({ cleanupJob: 'clean-cluster' });
    await used(s);
    s.clock.advance(5 * HOUR);
    await s.pool.sweep();
    expect((await s.cluster('c1')).state).toBe('cleaning');
  });

  it('three failed attempts → quarantined with the reason and log; never handed out; enablecluster or deletecluster', async () => {
    const s = setup({ cleanupJob: 'clean-cluster' });
    await used(s);
    await request(s.app).get('/finishtest?cluster=c1').expect(200);
    for (let i = 1; i <= 3; i++) {
      await s.reconciler.round();
      expect(s.jobs.running('clean-cluster')).toEqual([`pj-${i}`]);
      s.clock.advance(60_000);
      s.jobs.end(`pj-${i}`, 'failure', `namespace stuck (${i})`);
      await s.reconciler.round();
    }
    await s.reconciler.round();
    expect(s.jobs.triggered).toHaveLength(3);
    const c = await s.cluster('c1');
    expect(c).toMatchObject({ state: 'quarantined', problem: { reason: 'cleanup failed 3 times; last: cleanup job pj-3 ended in failure: namespace stuck (3)', log_link: 'https://prow/log?job=clean-cluster&id=3' } });
    await request(s.app).get('/getvacant?build=9&job=e2e').expect(503);
    expect(await s.metrics.registry.getSingleMetricAsString('cimaster_quarantined_clusters')).toContain('cimaster_quarantined_clusters 1');
    const cleanups = await s.metrics.registry.getSingleMetricAsString('cimaster_cleanups_total');
    expect(cleanups).toContain('cimaster_cleanups_total{outcome="retried"} 2');
    expect(cleanups).toContain('cimaster_cleanups_total{outcome="quarantined"} 1');
    // The whole stay in cleaning, over the three attempts; a quarantined cluster never became vacant.
    expect(await s.metrics.registry.getSingleMetricAsString('cimaster_cleanup_duration_seconds')).toContain('cimaster_cleanup_duration_seconds_sum{outcome="quarantined"} 180');
    expect(await s.metrics.registry.getSingleMetricAsString('cimaster_finish_to_vacant_seconds')).toContain('cimaster_finish_to_vacant_seconds_count 0');
    await request(s.app).get('/enablecluster?cluster=c1').expect(200, 'cluster c1 is enabled successfully');
    await request(s.app).get('/getvacant?build=9&job=e2e').expect(200, 'c1');
  });

  it('a cleanup job manual-trigger does not know quarantines at first use, without a loop', async () => {
    const s = setup({ cleanupJob: 'no-such-job' });
    s.jobs.unknownJobs.add('no-such-job');
    await used(s);
    await request(s.app).get('/finishtest?cluster=c1').expect(200);
    await s.reconciler.round();
    await s.reconciler.round();
    expect((await s.cluster('c1')).problem.reason).toBe('manual-trigger refused to run the cleanup job (HTTP 404): Job no-such-job not found in config for tess/tessops');
    expect((await s.cluster('c1')).state).toBe('quarantined');
    await request(s.app).get('/deletecluster?cluster=c1').expect(200);
  });

  it('an unreachable manual-trigger is retried next round without counting as an attempt', async () => {
    const s = setup({ cleanupJob: 'clean-cluster' });
    await used(s);
    await request(s.app).get('/finishtest?cluster=c1').expect(200);
    s.jobs.unavailable = true;
    await s.reconciler.round();
    s.jobs.unavailable = false;
    await s.reconciler.round();
    expect(await s.cluster('c1')).toMatchObject({ state: 'cleaning', job: { attempt: 1, name: 'pj-1' } });
  });

  it('without --cleanup-job, finishtest makes the cluster vacant at once', async () => {
    const s = setup();
    await used(s);
    await request(s.app).get('/finishtest?cluster=c1').expect(200);
    expect((await s.cluster('c1')).state).toBe('finished');
  });
});
