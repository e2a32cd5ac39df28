// manual-trigger against the real API server and real plank, running with exactly the RBAC the chart grants.
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { applyObjects, serviceAccountKubeconfig, sharedKubeEnv } from '@ci-stack/kube-env';
import { rbacOf, renderChart } from './chart-objects';
import { type RunningService, startService } from './services';

const RELEASE_NS = 'ci';
const SA = 'rel-ci-stack-manual-trigger';

describe('manual-trigger end to end (real kube-apiserver, ProwJob CRD, plank)', () => {
  const env = sharedKubeEnv();
  let service: RunningService;
  let saConfig: KubeConfig;
  let kubeconfig: string;

  beforeAll(async () => {
    const chart = await renderChart(RELEASE_NS, { prow: { namespace: 'prow' } });
    await applyObjects(env.kubeConfig, rbacOf(chart, 'manual-trigger'), false);
    kubeconfig = await serviceAccountKubeconfig(env.kubeConfig, join(env.dir, 'kubeconfig-manual-trigger'), RELEASE_NS, SA);
    saConfig = new KubeConfig();
    saConfig.loadFromFile(kubeconfig);
    service = await startService('manual-trigger', ['--config-path', env.prow.configPath, '--job-config-path', env.prow.jobConfigPath, '--kubeconfig', kubeconfig, '--build-id-timeout', '30s']);
  }, 120_000);
  afterAll(() => service?.stop());

  it('creates a ProwJob the CRD accepts and answers with the BuildID plank assigned, and links', async () => {
    const objects = env.kubeConfig.makeApiClient(CustomObjectsApi);
    // Watch as admin to see when plank writes the BuildID, to measure how late the answer comes after it.
    const assignedAt = new Map<string, number>();
    const watch = await new Watch(env.kubeConfig).watch(
      '/apis/prow.k8s.io/v1/namespaces/prow/prowjobs',
      {},
      (_type, obj: { metadata: { name: string }; status?: { build_id?: string } }) => {
        if (obj.status?.build_id && !assignedAt.has(obj.metadata.name)) assignedAt.set(obj.metadata.name, Date.now());
      },
      () => undefined,
    );
    try {
      const res = await fetch(`${service.url}/manual-trigger`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32', user: 'john' }),
      });
      const answeredAt = Date.now();
      const body = (await res.json()) as Record<string, string>;
      expect([res.status, body.message]).toEqual([201, 'ProwJob created successfully']);
      expect(body).toMatchObject({ success: true, message: 'ProwJob created successfully', type: 'postsubmit', state: expect.any(String) });
      expect(body.build_id).toMatch(/^\d+$/);
      expect(body.status_link).toBe(`https://prow.example.com/prowjob?prowjob=${body.job_name}`);
      expect(body.log_link).toBe(`https://prow.example.com/log?job=sddz-e2e-k8s-1.32&id=${body.build_id}`);
      const stored = (await objects.getNamespacedCustomObject({ group: 'prow.k8s.io', version: 'v1', namespace: 'prow', plural: 'prowjobs', name: body.job_name })) as {
        metadata: { labels: Record<string, string>; annotations: Record<string, string> };
        spec: { pod_spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } };
        status: { build_id: string };
      };
      expect(stored.status.build_id).toBe(body.build_id);
      expect(stored.metadata.labels).toMatchObject({ 'created-by-prow': 'true', 'prow.k8s.io/job': 'sddz-e2e-k8s-1.32', 'prow.k8s.io/type': 'postsubmit' });
      expect(stored.metadata.annotations['manual-trigger.ci-stack.io/triggered-by']).toBe('anonymous');
      expect(stored.spec.pod_spec.containers[0].env.filter((e) => e.name === 'AUTHOR')).toEqual([{ name: 'AUTHOR', value: 'john' }]);
      const delay = answeredAt - (assignedAt.get(body.job_name) ?? answeredAt);
      process.stdout.write(`manual-trigger answered ${delay} ms after plank assigned BuildID ${body.build_id}\n`);
      expect(assignedAt.has(body.job_name)).toBe(true);

      const status = (await (await fetch(`${service.url}/prowjobs/${body.job_name}`)).json()) as Record<string, string>;
      expect(status).toMatchObject({ job_name: body.job_name, build_id: body.build_id });
    } finally {
      watch.abort();
    }
  });

  it('answers 404 with the original message for an unknown job, and keeps serving', async () => {
    const res = await fetch(`${service.url}/manual-trigger?org=tess&repo=tessops&base_ref=master&prowtype=postsubmit&prowjob=nope`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toBe('Job nope not found in config for tess/tessops');
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
  });

  it("answers 500 KUBE_FORBIDDEN naming the permission when its RBAC does not let it create ProwJobs there, and is not ready", async () => {
    // The chart's Role covers the prow namespace only.
    const outside = await startService('manual-trigger', ['--config-path', env.prow.configPath, '--job-config-path', env.prow.jobConfigPath, '--kubeconfig', kubeconfig, '--namespace', 'test-pods'], { readyPath: '/healthz' });
    try {
      const res = await fetch(`${outside.url}/manual-trigger`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32' }),
      });
      const body = (await res.json()) as { success: boolean; code: string; message: string };
      expect([res.status, body.success, body.code]).toEqual([500, false, 'KUBE_FORBIDDEN']);
      expect(body.message).toMatch(
        /^Kubernetes API refused to create prowjobs\.prow\.k8s\.io in namespace test-pods: grant this service's account verb "create" on resource "prowjobs" \(apiGroup prow\.k8s\.io\) in namespace test-pods\. API server said: .*cannot create resource "prowjobs" in API group "prow\.k8s\.io" in the namespace "test-pods"/,
      );
      const metrics = await (await fetch(outside.metricsUrl)).text();
      expect(metrics).toContain('manual_trigger_prowjob_create_failures_total{type="postsubmit",reason="KUBE_FORBIDDEN"} 1');
      const ready = await fetch(`${outside.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: { kubernetes: { message: string } } }).checks.kubernetes.message).toMatch(/^Kubernetes API refused to list prowjobs\.prow\.k8s\.io in namespace test-pods: /);
    } finally {
      await outside.stop();
    }
  });

  it("runs with the chart's Role: prowjobs yes; pods, secrets and other namespaces no (403)", async () => {
    const core = saConfig.makeApiClient(CoreV1Api);
    const objects = saConfig.makeApiClient(CustomObjectsApi);
    await expect(objects.listNamespacedCustomObject({ group: 'prow.k8s.io', version: 'v1', namespace: 'prow', plural: 'prowjobs' })).resolves.toBeDefined();
    const refused = async (call: Promise<unknown>) => expect(await call.then(() => 'allowed', (e: { code?: number }) => e.code)).toBe(403);
    await refused(core.createNamespacedPod({ namespace: 'prow', body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'x', image: 'busybox' }] } } }));
    await refused(core.listNamespacedSecret({ namespace: 'prow' }));
    await refused(core.readNamespacedSecret({ namespace: RELEASE_NS, name: 'any' }));
    await refused(objects.listNamespacedCustomObject({ group: 'prow.k8s.io', version: 'v1', namespace: 'test-pods', plural: 'prowjobs' }));
    await refused(objects.deleteNamespacedCustomObject({ group: 'prow.k8s.io', version: 'v1', namespace: 'prow', plural: 'prowjobs', name: 'x' }));
  });
});
