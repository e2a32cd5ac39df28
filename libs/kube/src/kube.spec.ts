import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { KubeAlreadyExistsError, KubeConflictError, KubeForbiddenError, KubeNotFoundError, KubeUnauthorizedError, KubeUnavailableError, kubeCall, toKubeError } from './errors';
import { loadKubeConfig } from './kubeconfig';
import { startFakeKubeApi } from './testing';

describe('loadKubeConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kc-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const kubeconfig = (server: string) => `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: ${server}}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: default\n  context: {cluster: c, user: u}\n- name: other\n  context: {cluster: c, user: u, namespace: x}\ncurrent-context: default\n`;

  it('prefers the explicit file, then in-cluster, then KUBECONFIG', async () => {
    await writeFile(join(dir, 'a'), kubeconfig('https://a.example:6443'));
    await writeFile(join(dir, 'b'), kubeconfig('https://b.example:6443'));
    await writeFile(join(dir, 'token'), 'sa-token');
    await writeFile(join(dir, 'ca.crt'), '');
    const explicit = loadKubeConfig({ kubeconfig: join(dir, 'a'), env: { KUBECONFIG: join(dir, 'b') } });
    expect([explicit.origin, explicit.kubeConfig.getCurrentCluster()?.server]).toEqual(['kubeconfig-flag', 'https://a.example:6443']);
    const inCluster = loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: join(dir, 'b') }, serviceAccountDir: dir });
    expect([inCluster.origin, inCluster.kubeConfig.getCurrentCluster()?.server]).toEqual(['in-cluster', 'https://10.0.0.1:443']);
    const fromEnv = loadKubeConfig({ env: { KUBECONFIG: join(dir, 'b') }, context: 'other' });
    expect([fromEnv.origin, fromEnv.kubeConfig.getCurrentCluster()?.server, fromEnv.kubeConfig.getCurrentContext()]).toEqual(['KUBECONFIG', 'https://b.example:6443', 'other']);
  });
});

describe('toKubeError with the real client against the fake API server', () => {
  it('maps 404, AlreadyExists, Conflict and network failures; exactly one of two racing updates wins', async () => {
    const api = await startFakeKubeApi();
    try {
      const core = api.kubeConfig().makeApiClient(CoreV1Api);
      const read = () => core.readNamespacedConfigMap({ name: 'pool', namespace: 'ci' });
      await expect(kubeCall('read', 2000, read)).rejects.toBeInstanceOf(KubeNotFoundError);
      const created = await core.createNamespacedConfigMap({ namespace: 'ci', body: { metadata: { name: 'pool' }, data: { a: '1' } } });
      await expect(kubeCall('create', 2000, () => core.createNamespacedConfigMap({ namespace: 'ci', body: { metadata: { name: 'pool' } } }))).rejects.toBeInstanceOf(KubeAlreadyExistsError);
      const update = (v: string) => core.replaceNamespacedConfigMap({ name: 'pool', namespace: 'ci', body: { metadata: { name: 'pool', resourceVersion: created.metadata?.resourceVersion }, data: { a: v } } });
      const results = await Promise.allSettled([update('x'), update('y')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(toKubeError(rejected.reason)).toBeInstanceOf(KubeConflictError);
      api.setDown(true);
      await expect(kubeCall('read', 2000, read)).rejects.toBeInstanceOf(KubeUnavailableError);
    } finally {
      await api.close();
    }
  });

  it("maps 403 and 401 to this service's misconfiguration, naming the permission to grant", async () => {
    const api = await startFakeKubeApi();
    try {
      const core = api.kubeConfig().makeApiClient(CoreV1Api);
      const create = () => core.createNamespacedConfigMap({ namespace: 'ci', body: { metadata: { name: 'pool' } } });
      api.forbid('configmaps', ['create']);
      const refused = await kubeCall({ verb: 'create', resource: 'configmaps', namespace: 'ci' }, 2000, create).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(KubeForbiddenError);
      expect(refused).toMatchObject({ kind: 'misconfigured', code: 'KUBE_FORBIDDEN', status: 403 });
      expect((refused as Error).message).toMatch(
        /^Kubernetes API refused to create configmaps in namespace ci: grant this service's account verb "create" on resource "configmaps" \(core apiGroup\) in namespace ci\. API server said: configmaps is forbidden: /,
      );
      await expect(kubeCall('create pool configmap', 2000, create)).rejects.toMatchObject({ code: 'KUBE_FORBIDDEN', message: expect.stringMatching(/^Kubernetes API refused the request: configmaps is forbidden: .*cannot create resource "configmaps" in the namespace "ci"$/) });
      api.failNext({ verb: 'get' }, 401, 'Unauthorized');
      const unauthorized = kubeCall('read', 2000, () => core.readNamespacedConfigMap({ name: 'pool', namespace: 'ci' }));
      await expect(unauthorized).rejects.toBeInstanceOf(KubeUnauthorizedError);
      await expect(unauthorized).rejects.toMatchObject({ kind: 'misconfigured', code: 'KUBE_UNAUTHORIZED' });
    } finally {
      await api.close();
    }
  });

  it('names the API group of a custom resource in what to grant', () => {
    const err = toKubeError({ code: 403, body: '{"reason":"Forbidden","message":"denied"}' }, { verb: 'create', resource: 'prowjobs', group: 'prow.k8s.io', namespace: 'prow' });
    expect(err.message).toBe(
      'Kubernetes API refused to create prowjobs.prow.k8s.io in namespace prow: grant this service\'s account verb "create" on resource "prowjobs" (apiGroup prow.k8s.io) in namespace prow. API server said: denied',
    );
  });

  it('turns a slow answer into a timeout', async () => {
    const api = await startFakeKubeApi();
    try {
      api.setLatency(500);
      const core = api.kubeConfig().makeApiClient(CoreV1Api);
      await expect(kubeCall('read', 100, () => core.readNamespacedConfigMap({ name: 'x', namespace: 'ci' }))).rejects.toMatchObject({ code: 'KUBE_TIMEOUT' });
    } finally {
      await api.close();
    }
  });
});
