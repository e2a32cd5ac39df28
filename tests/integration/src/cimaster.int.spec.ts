// cimaster on the real API server: the store contract with the configmap backend, two cimaster processes
// (running with the chart's RBAC) never handing one cluster to two builds, a crash mid-flight, and
// createcluster through manual-trigger to a ProwJob in the cluster.
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { applyObjects, serviceAccountKubeconfig, sharedKubeEnv } from '@ci-stack/kube-env';
import { ConfigMapBackend } from '@ci-stack/pool-store';
import { describePoolStore } from '@ci-stack/pool-store/testing';
import { rbacOf, renderChart } from './chart-objects';
import { type RunningService, startService } from './services';

let contractMapCount = 0;
describePoolStore(
  'configmap (real kube-apiserver)',
  async () => {
    const { kubeConfig } = sharedKubeEnv();
    const name = `contract-${++contractMapCount}`;
    return {
      makeBackend: () => new ConfigMapBackend({ kubeConfig, namespace: 'ci', name }),
      multiWriter: true,
      cleanup: async () => void (await kubeConfig.makeApiClient(CoreV1Api).deleteNamespacedConfigMap({ namespace: 'ci', name }).catch(() => undefined)),
    };
  },
  { rounds: 20 },
);

interface ClusterView {
  name: string;
  state: string;
  holder: { build: string; job: string } | null;
}

describe('two cimaster processes on one ConfigMap', () => {
  const env = sharedKubeEnv();
  let kubeconfig: string;
  let manualTrigger: RunningService;
  let replicas: RunningService[] = [];
  const cimasterArgs = () => ['--store', 'configmap', '--configmap-namespace', 'ci', '--configmap-name', 'clusters', '--kubeconfig', kubeconfig, '--manual-trigger-url', manualTrigger.url];

  beforeAll(async () => {
    const chart = await renderChart('ci', { prow: { namespace: 'prow' } });
    await applyObjects(env.kubeConfig, [...rbacOf(chart, 'cimaster'), ...rbacOf(chart, 'manual-trigger')], false);
    kubeconfig = await serviceAccountKubeconfig(env.kubeConfig, join(env.dir, 'kubeconfig-cimaster'), 'ci', 'rel-ci-stack-cimaster');
    const mtConfig = await serviceAccountKubeconfig(env.kubeConfig, join(env.dir, 'kubeconfig-mt-for-cimaster'), 'ci', 'rel-ci-stack-manual-trigger');
    manualTrigger = await startService('manual-trigger', ['--config-path', env.prow.configPath, '--job-config-path', env.prow.jobConfigPath, '--kubeconfig', mtConfig]);
    replicas = [await startService('cimaster', cimasterArgs()), await startService('cimaster', cimasterArgs())];
  }, 120_000);
  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await manualTrigger?.stop();
  });

  const get = (r: RunningService, path: string) => fetch(`${r.url}${path}`);
  const snapshot = async (): Promise<ClusterView[]> => ((await (await get(replicas[1], '/clusters')).json()) as { clusters: ClusterView[] }).clusters;
  const reset = async () => {
    for (const c of await snapshot()) {
      if (c.state === 'testing') await get(replicas[0], `/finishtest?cluster=${c.name}`);
      expect((await get(replicas[0], `/deletecluster?cluster=${c.name}`)).status).toBe(200);
    }
  };

  it('never hands one cluster to two builds: 200 concurrent getvacant on 50 clusters, 20 rounds', async () => {
    for (let round = 0; round < 20; round++) {
      await reset();
      for (let i = 0; i < 50; i++) expect((await get(replicas[i % 2], `/addcluster?cluster=c${round}-${i}&region=us-west`)).status).toBe(200);
      const answers = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const res = await get(replicas[i % 2], `/getvacant?build=b${round}-${i}&job=e2e`);
          return { status: res.status, text: await res.text(), build: `b${round}-${i}` };
        }),
      );
      const granted = answers.filter((a) => a.status === 200);
      expect(granted).toHaveLength(50);
      expect(new Set(granted.map((a) => a.text)).size).toBe(50);
      expect(answers.filter((a) => a.status === 503)).toHaveLength(150);
      const holders = new Map(granted.map((a) => [a.text, a.build]));
      const stored = await snapshot();
      expect(stored.every((c) => c.state === 'testing' && c.holder?.build === holders.get(c.name))).toBe(true);
    }
  }, 600_000);

  it('keeps the pool consistent when a replica is killed with SIGKILL mid-flight, and serves after restart', async () => {
    await reset();
    for (let i = 0; i < 10; i++) await get(replicas[1], `/addcluster?cluster=k${i}&region=r`);
    const inFlight = Array.from({ length: 40 }, (_, i) => get(replicas[0], `/getvacant?build=k-${i}&job=e2e`).then((r) => r.status, () => 'reset'));
    await new Promise((r) => setTimeout(r, 15));
    replicas[0].process.child.kill('SIGKILL');
    await Promise.all(inFlight);
    const stored = await snapshot();
    const held = stored.filter((c) => c.state === 'testing');
    expect(new Set(held.map((c) => c.holder?.build)).size).toBe(held.length);
    expect(stored.filter((c) => c.state === 'finished').length + held.length).toBe(10);
    replicas[0] = await startService('cimaster', cimasterArgs());
    for (const c of held) expect((await get(replicas[0], `/finishtest?cluster=${c.name}&build=${c.holder?.build}`)).status).toBe(200);
    expect((await snapshot()).every((c) => c.state === 'finished')).toBe(true);
  }, 120_000);

  it('createcluster asks manual-trigger, which creates the ProwJob in the cluster', async () => {
    const res = await get(replicas[0], '/createcluster?user=john&branch=master');
    const text = await res.text();
    expect([res.status, text]).toEqual([200, expect.stringMatching(/^cluster creation job [0-9a-f-]{36} triggered\nstatus: https:\/\/prow.example.com\/prowjob\?prowjob=/)]);
    const name = /job ([0-9a-f-]{36})/.exec(text)?.[1] ?? '';
    const pj = (await env.kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: 'prow.k8s.io', version: 'v1', namespace: 'prow', plural: 'prowjobs', name })) as {
      spec: { job: string; type: string; refs: { base_ref: string } };
    };
    expect(pj.spec).toMatchObject({ job: 'sddz-e2e-k8s-1.32', type: 'postsubmit', refs: { base_ref: 'master' } });
  }, 60_000);
});
