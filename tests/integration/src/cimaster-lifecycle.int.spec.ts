// cimaster's cluster lifecycle for real: cimaster on the configmap store, manual-trigger, the real kube-apiserver
// and the real Prow plank. The fake kubelet ends the pods plank creates, as the scenario wants. Last, two replicas
// replenish a pool of their own and the leader is killed with SIGKILL while its creations run.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { applyObjects, createNamespace, serviceAccountKubeconfig, sharedKubeEnv, waitUntil } from '@ci-stack/kube-env';
import { rbacOf, renderChart } from './chart-objects';
import { type PodEnd, podJob, startFakeKubelet } from './fake-kubelet';
import { type RunningService, leaderOf, metric, startService } from './services';

const CREATE = 'sddz-e2e-k8s-1.32';
const CLEANUP = 'sddz-e2e-cluster-cleanup';

interface ClusterView {
  name: string;
  region: string;
  state: string;
  labels: Record<string, string>;
  job: { kind: string; name: string | null } | null;
  problem: { reason: string; log_link: string | null } | null;
  history: Array<{ state: string; ended: string; prowjob: string | null }>;
}

describe('the cluster lifecycle (cimaster + manual-trigger + kube-apiserver + plank)', () => {
  const env = sharedKubeEnv();
  let manualTrigger: RunningService;
  let cimaster: RunningService;
  let dir: string;
  let mtConfig: string;
  let kubelet: { stop(): Promise<void> };
  /** What the kubelet does with the next pod of a job for a cluster: `job/cluster` → ends, in order. */
  const script = new Map<string, PodEnd[]>();
  /** Pods of pool-target clusters end only after this long, so that creations overlap. */
  const POOL_POD_MS = 1_500;
  /** Pods of the two replicas' pool end only once this is set. */
  let haPodsMayEnd = false;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifecycle-int-'));
    await writeFile(join(dir, 'inventory.yaml'), 'clusters: []\n');
    // The chart's RBAC for a pool ConfigMap of its own, so this suite leaves the other suites' pool alone.
    const chart = await renderChart('ci', { prow: { namespace: 'prow' }, cimaster: { configMap: { name: 'lifecycle' } } });
    await applyObjects(env.kubeConfig, [...rbacOf(chart, 'cimaster'), ...rbacOf(chart, 'manual-trigger')], false);
    const cmConfig = await serviceAccountKubeconfig(env.kubeConfig, join(dir, 'kubeconfig-cimaster'), 'ci', 'rel-ci-stack-cimaster');
    mtConfig = await serviceAccountKubeconfig(env.kubeConfig, join(dir, 'kubeconfig-mt'), 'ci', 'rel-ci-stack-manual-trigger');
    manualTrigger = await startService('manual-trigger', ['--config-path', env.prow.configPath, '--job-config-path', env.prow.jobConfigPath, '--kubeconfig', mtConfig, '--allowed-env', 'CLUSTER_NAME,CLUSTER_REGION,CLUSTER_LABELS']);
    cimaster = await startService('cimaster', [
      ...['--store', 'configmap', '--configmap-namespace', 'ci', '--configmap-name', 'lifecycle', '--kubeconfig', cmConfig, '--manual-trigger-url', manualTrigger.url],
      ...['--cleanup-job', CLEANUP, '--cleanup-attempts', '3', '--inventory', join(dir, 'inventory.yaml'), '--job-poll-interval', '200ms'],
    ]);
    kubelet = startFakeKubelet(env.kubeConfig, 'test-pods', (pod) => {
      const { job, cluster, ageMs } = podJob(pod);
      if (!cluster) return undefined; // not ours
      if (cluster.startsWith('lc-pool-')) return ageMs >= POOL_POD_MS ? 'Succeeded' : undefined;
      if (cluster.startsWith('lc-ha-')) return haPodsMayEnd ? 'Succeeded' : undefined;
      return script.get(`${job}/${cluster}`)?.shift();
    });
  }, 180_000);
  afterAll(async () => {
    await kubelet?.stop();
    await cimaster?.stop();
    await manualTrigger?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const get = (path: string) => fetch(`${cimaster.url}${path}`, { headers: { accept: 'application/json' } });
  const cluster = async (name: string): Promise<ClusterView> => (await (await get(`/clusters/${name}`)).json()) as ClusterView;
  const clusters = async (): Promise<ClusterView[]> => ((await (await get('/clusters')).json()) as { clusters: ClusterView[] }).clusters;
  const until = (what: string, check: () => Promise<boolean>) => waitUntil(what, check, { timeoutMs: 90_000 });
  type ProwJobEnv = Array<{ name: string; value: string }>;
  const prowJobs = async (job: string) => {
    const list = (await env.kubeConfig.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: 'prow.k8s.io', version: 'v1', namespace: 'prow', plural: 'prowjobs', labelSelector: `prow.k8s.io/job=${job}` })) as {
      items: Array<{ metadata: { name: string }; spec: { pod_spec: { containers: Array<{ env?: ProwJobEnv }> } } }>;
    };
    return list.items.map((pj) => ({ name: pj.metadata.name, env: pj.spec.pod_spec.containers[0].env ?? [] }));
  };
  const clusterOf = (env: ProwJobEnv): string | undefined => env.find((e) => e.name === 'CLUSTER_NAME')?.value;
  const prowJobsFor = async (job: string, name: string) => (await prowJobs(job)).filter((pj) => clusterOf(pj.env) === name);

  it('createcluster → provisioning (with its ProwJob) → finished when the creation job succeeds', async () => {
    script.set(`${CREATE}/lc-ok`, ['Succeeded']);
    const res = await get('/createcluster?cluster=lc-ok&region=us-west&labels=k8s=1.32&user=john');
    const body = (await res.json()) as { message: string; cluster: ClusterView };
    expect([res.status, body.cluster.state, body.cluster.job?.kind]).toEqual([200, 'provisioning', 'create']);
    const prowJob = body.cluster.job?.name as string;
    expect(body.message).toMatch(new RegExp(`^cluster lc-ok is provisioning: creation job ${prowJob} triggered\\nstatus: https://prow.example.com/prowjob\\?prowjob=${prowJob}`));
    const [pj] = await prowJobsFor(CREATE, 'lc-ok');
    expect(pj.env).toEqual(expect.arrayContaining([{ name: 'CLUSTER_REGION', value: 'us-west' }, { name: 'CLUSTER_LABELS', value: 'k8s=1.32' }]));
    await until('lc-ok finished', async () => (await cluster('lc-ok')).state === 'finished');
    expect((await cluster('lc-ok')).history[0]).toMatchObject({ state: 'provisioning', ended: 'provisioned', prowjob: prowJob });
    expect(await (await fetch(`${cimaster.url}/getvacant?build=1&job=e2e&labels=k8s=1.32`)).text()).toBe('lc-ok');
  }, 120_000);

  it('a failed creation → failed, with the log link', async () => {
    script.set(`${CREATE}/lc-bad`, ['Failed']);
    expect((await get('/createcluster?cluster=lc-bad&region=us-west')).status).toBe(200);
    await until('lc-bad failed', async () => (await cluster('lc-bad')).state === 'failed');
    const c = await cluster('lc-bad');
    expect(c.problem?.reason).toMatch(/^creation job [0-9a-f-]+ ended in failure/);
    expect(c.problem?.log_link).toMatch(/^https:\/\/prow\.example\.com\/log\?job=sddz-e2e-k8s-1\.32&id=\d+$/);
  }, 120_000);

  it('cleanup between builds: finishtest → cleaning → finished when the cleanup job succeeds', async () => {
    script.set(`${CLEANUP}/lc-clean`, ['Succeeded']);
    expect((await get('/addcluster?cluster=lc-clean&region=us-east')).status).toBe(200);
    expect(await (await fetch(`${cimaster.url}/getvacant?build=2&job=e2e&region=us-east`)).text()).toBe('lc-clean');
    expect(await (await fetch(`${cimaster.url}/finishtest?cluster=lc-clean&build=2`)).text()).toBe('cluster lc-clean is finished successfully');
    expect((await cluster('lc-clean')).state).toBe('cleaning');
    await until('lc-clean vacant', async () => (await cluster('lc-clean')).state === 'finished');
    expect(await prowJobsFor(CLEANUP, 'lc-clean')).toHaveLength(1);
  }, 120_000);

  it('a cleanup failing three times → quarantined; never handed out', async () => {
    script.set(`${CLEANUP}/lc-dirty`, ['Failed', 'Failed', 'Failed']);
    expect((await get('/addcluster?cluster=lc-dirty&region=us-south')).status).toBe(200);
    expect(await (await fetch(`${cimaster.url}/getvacant?build=3&job=e2e&region=us-south`)).text()).toBe('lc-dirty');
    await fetch(`${cimaster.url}/finishtest?cluster=lc-dirty&build=3`);
    await until('lc-dirty quarantined', async () => (await cluster('lc-dirty')).state === 'quarantined');
    expect((await cluster('lc-dirty')).problem?.reason).toMatch(/^cleanup failed 3 times; last: cleanup job [0-9a-f-]+ ended in failure/);
    expect(await prowJobsFor(CLEANUP, 'lc-dirty')).toHaveLength(3);
    expect((await fetch(`${cimaster.url}/getvacant?build=4&job=e2e&region=us-south`)).status).toBe(503);
  }, 180_000);

  it('a cleanup job manual-trigger refuses (unknown, or env it does not allow) quarantines at first use, without a loop', async () => {
    // A manual-trigger that allows no env, as with the chart's lifecycle off.
    const strict = await startService('manual-trigger', ['--config-path', env.prow.configPath, '--job-config-path', env.prow.jobConfigPath, '--kubeconfig', mtConfig]);
    const services = [strict];
    const withCleanup = async (job: string, mt: RunningService) => {
      const started = await startService('cimaster', ['--store', 'memory', '--manual-trigger-url', mt.url, '--cleanup-job', job, '--job-poll-interval', '200ms']);
      services.push(started);
      return started;
    };
    const cases = [
      { cm: await withCleanup('no-such-cleanup', manualTrigger), reason: 'manual-trigger refused to run the cleanup job (HTTP 404): Job no-such-cleanup not found in config for tess/tessops' },
      { cm: await withCleanup(CLEANUP, strict), reason: 'manual-trigger refused to run the cleanup job (HTTP 400): env CLUSTER_NAME, CLUSTER_REGION, CLUSTER_LABELS may not be overridden; allowed: none (the operator allows none)' },
    ];
    try {
      for (const { cm, reason } of cases) {
        const text = async (path: string) => (await fetch(`${cm.url}${path}`)).text();
        const view = async () => (await (await fetch(`${cm.url}/clusters/lc-refused`, { headers: { accept: 'application/json' } })).json()) as ClusterView;
        await text('/addcluster?cluster=lc-refused&region=r');
        expect(await text('/getvacant?build=1&job=e2e')).toBe('lc-refused');
        expect(await text('/finishtest?cluster=lc-refused&build=1')).toBe('cluster lc-refused is finished successfully');
        await until('lc-refused quarantined', async () => (await view()).state === 'quarantined');
        // Five more rounds: nothing tries again.
        await new Promise((r) => setTimeout(r, 1_000));
        expect([(await view()).state, (await view()).problem?.reason]).toEqual(['quarantined', reason]);
        expect(await metric(cm, 'cimaster_job_trigger_failures_total{kind="cleanup",reason="refused"}')).toBe(1);
        expect(await metric(cm, 'cimaster_cleanups_total{outcome="quarantined"}')).toBe(1);
      }
      expect(await prowJobsFor(CLEANUP, 'lc-refused')).toEqual([]);
    } finally {
      for (const s of services) await s.stop();
    }
  }, 120_000);

  it('a pool target minVacant 3, maxProvisioning 2 from empty converges to 3 vacant, never more than 2 creations at once', async () => {
    await writeFile(join(dir, 'inventory.yaml'), 'clusters: []\npools:\n  - {region: pool-r, minVacant: 3, maxSize: 5, maxProvisioning: 2, namePrefix: lc-pool-}\n');
    let most = 0;
    await until('3 vacant in pool-r', async () => {
      const mine = (await clusters()).filter((c) => c.region === 'pool-r');
      most = Math.max(most, mine.filter((c) => c.state === 'provisioning').length);
      return mine.filter((c) => c.state === 'finished').length >= 3;
    });
    const mine = (await clusters()).filter((c) => c.region === 'pool-r');
    expect(most).toBe(2);
    expect(mine.map((c) => c.state)).toEqual(['finished', 'finished', 'finished']);
    for (const c of mine) expect(await prowJobsFor(CREATE, c.name)).toHaveLength(1); // no cluster created twice
  }, 180_000);

  it('SIGKILL of the leader during replenishment: the other replica takes over, the pool converges, no cluster is created twice', async () => {
    // Two replicas on a pool, a Lease and the chart's RBAC of their own, the same inventory mounted in both.
    const ns = 'lifecycle-ha';
    await createNamespace(env.kubeConfig, ns);
    const chart = await renderChart(ns, { prow: { namespace: 'prow' } });
    await applyObjects(env.kubeConfig, rbacOf(chart, 'cimaster'), false);
    const kubeconfig = await serviceAccountKubeconfig(env.kubeConfig, join(dir, 'kubeconfig-cimaster-ha'), ns, 'rel-ci-stack-cimaster');
    const inventory = join(dir, 'inventory-ha.yaml');
    await writeFile(inventory, 'clusters: []\n');
    const args = [
      ...['--store', 'configmap', '--configmap-namespace', ns, '--configmap-name', 'clusters', '--kubeconfig', kubeconfig, '--manual-trigger-url', manualTrigger.url],
      ...['--inventory', inventory, '--job-poll-interval', '200ms', '--leader-lease-duration', '3s', '--leader-renew-interval', '500ms'],
      // A creation the dead leader stored but may not have triggered is triggered by the next after 5 s + 5 s.
      ...['--create-cluster-timeout', '5s'],
    ];
    const replicas: [RunningService, RunningService] = [await startService('cimaster', args), await startService('cimaster', args)];
    let watching = true;
    try {
      const { lead, follow } = await leaderOf(replicas);
      const poolOf = async (): Promise<ClusterView[]> => {
        const res = await fetch(`${follow.url}/clusters`, { headers: { accept: 'application/json' } });
        return ((await res.json()) as { clusters: ClusterView[] }).clusters.filter((c) => c.region === 'ha-r');
      };
      // The survivor watches the pool throughout: never more than maxProvisioning creations at once.
      let most = 0;
      const watcher = (async () => {
        while (watching) {
          const provisioning = (await poolOf().catch(() => [])).filter((c) => c.state === 'provisioning').length;
          most = Math.max(most, provisioning);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();

      await writeFile(inventory, 'clusters: []\npools:\n  - {region: ha-r, minVacant: 3, maxSize: 5, maxProvisioning: 2, namePrefix: lc-ha-}\n');
      // Kill the leader as soon as its two creations are stored, while their jobs are being triggered or run.
      await until('two creations in flight', async () => (await poolOf()).filter((c) => c.state === 'provisioning').length === 2);
      lead.process.child.kill('SIGKILL');
      await until('the survivor leads', async () => (await metric(follow, 'cimaster_leader_status')) === 1);

      haPodsMayEnd = true;
      await until('3 vacant in ha-r', async () => (await poolOf()).filter((c) => c.state === 'finished').length >= 3);
      watching = false;
      await watcher;
      const pool = await poolOf();
      expect(pool.map((c) => c.state)).toEqual(['finished', 'finished', 'finished']);
      expect(most).toBe(2);
      // Exactly one creation ProwJob for each cluster of the pool, and none for a name the pool does not have.
      const created = new Map<string, number>();
      for (const pj of await prowJobs(CREATE)) {
        const name = clusterOf(pj.env);
        if (name?.startsWith('lc-ha-')) created.set(name, (created.get(name) ?? 0) + 1);
      }
      expect(Object.fromEntries(created)).toEqual(Object.fromEntries(pool.map((c) => [c.name, 1])));
    } finally {
      watching = false;
      for (const r of replicas) await r.stop();
    }
  }, 240_000);

  describe('with --job-poll-interval 10m, outcomes arrive through the ProwJob event streams', () => {
    let evented: RunningService;
    beforeAll(async () => {
      // A cimaster of its own (file store), whose timed rounds are 10 minutes apart: only the event streams can
      // bring an outcome within the 90 s the waits below allow.
      evented = await startService('cimaster', [
        ...['--store', 'file', '--state-file', join(dir, 'events-pool.json'), '--manual-trigger-url', manualTrigger.url],
        ...['--cleanup-job', CLEANUP, '--job-poll-interval', '10m', '--follow-events=true'],
      ]);
    }, 60_000);
    afterAll(async () => {
      await evented?.stop();
    });

    const call = (path: string) => fetch(`${evented.url}${path}`, { headers: { accept: 'application/json' } });
    const state = async (name: string): Promise<string> => ((await (await call(`/clusters/${name}`)).json()) as ClusterView).state;
    const streams = async (): Promise<number> => Number(/^cimaster_followed_job_streams (\d+)$/m.exec(await (await fetch(evented.metricsUrl)).text())?.[1]);

    it('createcluster → finished, then finishtest → cleaning → finished, each as its ProwJob ends', async () => {
      expect((await call('/createcluster?cluster=lc-ev&region=us-ev')).status).toBe(200);
      await until('a stream for the creation job', async () => (await streams()) === 1);
      expect(await state('lc-ev')).toBe('provisioning');
      script.set(`${CREATE}/lc-ev`, ['Succeeded']); // the kubelet ends the pod only now
      await until('lc-ev finished', async () => (await state('lc-ev')) === 'finished');
      await until('no stream left', async () => (await streams()) === 0);

      expect(await (await fetch(`${evented.url}/getvacant?build=9&job=e2e&region=us-ev`)).text()).toBe('lc-ev');
      expect(await (await fetch(`${evented.url}/finishtest?cluster=lc-ev&build=9`)).text()).toBe('cluster lc-ev is finished successfully');
      await until('a stream for the cleanup job', async () => (await streams()) === 1);
      expect(await state('lc-ev')).toBe('cleaning');
      script.set(`${CLEANUP}/lc-ev`, ['Succeeded']);
      await until('lc-ev vacant again', async () => (await state('lc-ev')) === 'finished');
      expect(await prowJobsFor(CLEANUP, 'lc-ev')).toHaveLength(1);
    }, 240_000);
  });
});
