// The chart rendered by the real helm and applied to the real API server (server-side apply).
import type { KubernetesObject } from '@kubernetes/client-node';
import { applyObjects, createNamespace, sharedKubeEnv } from '@ci-stack/kube-env';
import { renderChart } from './chart-objects';

// The Prometheus Operator's CRDs are not installed in the test API server.
const needsOperator = (o: KubernetesObject) => o.apiVersion?.startsWith('monitoring.coreos.com/') ?? false;

describe('the chart on the real API server', () => {
  const env = sharedKubeEnv();

  it('applies every object of the default install', async () => {
    await createNamespace(env.kubeConfig, 'helm-default');
    const objects = await renderChart('helm-default');
    const applied = await applyObjects(env.kubeConfig, objects, false);
    expect(applied.map((o) => `${o.kind}/${o.metadata?.name}`).sort()).toEqual(objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort());
    expect(applied.every((o) => o.metadata?.uid)).toBe(true);
  });

  it('accepts every object of a non-default install (server-side dry run)', async () => {
    await createNamespace(env.kubeConfig, 'helm-custom');
    const objects = await renderChart('helm-custom', {
      prow: { namespace: 'prow', inline: { enabled: true } },
      manualTrigger: { replicas: 3, auth: { enabled: true, tokens: 'tokens: []' }, allowedEnv: ['KUBE_VERSION'], antiAffinity: 'hard', tolerations: [{ key: 'ci', operator: 'Exists' }] },
      cimaster: { store: 'redis', redis: { builtIn: { enabled: true, password: 'pw' } }, auth: { enabled: true, tokens: 'tokens: []' }, antiAffinity: 'none', createCluster: { tokenSecret: 'cimaster-to-manual-trigger' } },
      metrics: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } },
    });
    const accepted = await applyObjects(env.kubeConfig, objects.filter((o) => !needsOperator(o)), true);
    expect(accepted.length).toBe(objects.filter((o) => !needsOperator(o)).length);
    expect(accepted.map((o) => o.kind)).toEqual(expect.arrayContaining(['Deployment', 'Secret', 'ConfigMap', 'Service', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'ServiceAccount']));
  });
});
