// cimaster's cluster lifecycle for real: cimaster on the configmap store, manual-trigger, the real kube-apiserver
// and the real Prow plank. The fake kubelet ends the pods plank creates, as the scenario wants.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { applyObjects, serviceAccountKubeconfig, sharedKubeEnv, waitUntil } from '@ci-stack/kube-env';
import { rbacOf, renderChart } from './chart-objects';
import { type PodEnd, podJob, startFakeKubelet } from './fake-kubelet';
import { type RunningService, startService } from './services';

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
  let kubelet: { stop(): Promise<void> };
  /** What the kubelet does with the next pod of a job for a cluster: `job/cluster` → ends, in order. */
  const script = new Map<string, PodEnd[]>();
  /** Pods of pool-target clusters end only after this long, so that creations overlap. */
  const POOL_POD_MS = 1_500;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifecycle-int-'));
    await writeFile(join(dir, 'inventory.yaml'), 'clusters: []\n');
    // The chart's RBAC for a pool ConfigMap of its own, so this suite leaves the other suites' pool alone.
    const chart = await renderChart('ci', { prow: { namespace: 'prow' }, cimaster: { configMap: { name: 'lifecycle' } } });
    await applyObjects(env.kubeConfig, [...rbacOf(chart, 'cimaster'), ...rbacOf(chart, 'manual-trigger')], false);
    const cmConfig = await serviceAccountKubeconfig(env.kubeConfig, join(dir, 'kubeconfig-cimaster'), 'ci', 'rel-ci-stack-cimaster');
    const mtConfig = await serviceAccountKubeconfig(env.kubeConfig, join(dir, 'kubeconfig-mt'), 'ci', 'rel-ci-stack-manual-trigger');
    manualTrigger = await startService('manual-trigger', ['--config-path', env.prow.configPath, '--job-config-path', env.prow.jobConfigPath, '--kubeconfig', mtConfig, '--allowed-env', 'CLUSTER_NAME,CLUSTER_REGION,CLUSTER_LABELS']);
    cimaster = await startService('cimaster', [
      ...['--store', 'configmap', '--configmap-namespace', 'ci', '--configmap-name', 'lifecycle', '--kubeconfig', cmConfig, '--manual-trigger-url', manualTrigger.url],
      ...['--cleanup-job', CLEANUP, '--cleanup-attempts', '3', '--inventory', join(dir, 'inventory.yaml'), '--job-poll-interval', '200ms'],
    ]);
    kubelet = startFakeKubelet(env.kubeConfig, 'test-pods', (pod) => {
      const { job, cluster, ageMs } = podJob(pod);
      if (!cluster) return undefined; // not ours
      if (cluster.startsWith('lc-pool-')) return ageMs >= POOL_POD_MS ? 'Succeeded' : undefined;
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
  const prowJobsFor = async (job: string, name: string) => {
    const list = (await env.kubeConfig.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: 'prow.k8s.io', version: 'v1', namespace: 'prow', plural: 'prowjobs', labelSelector: `prow.k8s.io/job=${job}` })) as {
      items: Array<{ metadata: { name: string }; spec: { pod_spec: { containers: Array<{ env?: Array<{ name: string; value: string }> }> } } }>;
    };
    return list.items.filter((pj) => pj.spec.pod_spec.containers[0].env?.some((e) => e.name === 'CLUSTER_NAME' && e.value === name));
  };

  it('createcluster → provisioning (with its ProwJob) → finished when the creation job succeeds', async () => {
    script.set(`${CREATE}/lc-ok`, ['Succeeded']);
    const res = await get('/createcluster?cluster=lc-ok&region=us-west&labels=k8s=1.32&user=john');
    const body = (await res.json()) as { message: string; cluster: ClusterView };
    expect([res.status, body.cluster.state, body.cluster.job?.kind]).toEqual([200, 'provisioning', 'create']);
    const prowJob = body.cluster.job?.name as string;
    expect(body.message).toMatch(new RegExp(`^cluster lc-ok is provisioning: creation job ${prowJob} triggered\\nstatus: https://prow.example.com/prowjob\\?prowjob=${prowJob}`));
    const [pj] = await prowJobsFor(CREATE, 'lc-ok');
    expect(pj.spec.pod_spec.containers[0].env).toEqual(expect.arrayContaining([{ name: 'CLUSTER_REGION', value: 'us-west' }, { name: 'CLUSTER_LABELS', value: 'k8s=1.32' }]));
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
