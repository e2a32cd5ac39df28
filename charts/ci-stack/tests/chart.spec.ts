import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { CHART, type K8sObject, find, render, runHelm } from './render';

interface Container {
  name: string;
  args?: string[];
  securityContext?: Record<string, unknown>;
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  resources?: { requests?: unknown; limits?: unknown };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  serviceAccountName?: string;
  volumes?: Array<Record<string, unknown>>;
}
const podSpec = (d: K8sObject): PodSpec => (d as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;

describe('the chart with default values', () => {
  let objects: K8sObject[];
  beforeAll(async () => {
    objects = await render();
  }, 600_000);

  it('passes helm lint, default and strict', async () => {
    const lint = await runHelm(['lint', CHART, '--strict']);
    expect([lint.code, lint.stdout]).toEqual([0, expect.stringContaining('1 chart(s) linted, 0 chart(s) failed')]);
  });

  it('renders both services and nothing cluster-wide', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/rel-ci-stack-cimaster',
      'Deployment/rel-ci-stack-manual-trigger',
      'PodDisruptionBudget/rel-ci-stack-cimaster',
      'PodDisruptionBudget/rel-ci-stack-manual-trigger',
      'Role/rel-ci-stack-cimaster',
      'Role/rel-ci-stack-manual-trigger',
      'RoleBinding/rel-ci-stack-cimaster',
      'RoleBinding/rel-ci-stack-manual-trigger',
      'Service/rel-ci-stack-cimaster',
      'Service/rel-ci-stack-manual-trigger',
      'ServiceAccount/rel-ci-stack-cimaster',
      'ServiceAccount/rel-ci-stack-manual-trigger',
    ]);
  });

  it('grants manual-trigger exactly create/get/list/patch/watch on prowjobs in the ProwJob namespace', () => {
    const role = find(objects, 'Role', 'rel-ci-stack-manual-trigger');
    expect(role.metadata.namespace).toBe('ci');
    expect(role.rules).toEqual([{ apiGroups: ['prow.k8s.io'], resources: ['prowjobs'], verbs: ['create', 'get', 'list', 'patch', 'watch'] }]);
    const binding = find(objects, 'RoleBinding', 'rel-ci-stack-manual-trigger');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'rel-ci-stack-manual-trigger', namespace: 'ci' }]);
  });

  it('grants cimaster get/watch/update on its one ConfigMap, get/update on its one leader Lease, and create for the first start', () => {
    const role = find(objects, 'Role', 'rel-ci-stack-cimaster');
    expect(role.metadata.namespace).toBe('ci');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['clusters'], verbs: ['get', 'update', 'watch'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['clusters-leader'], verbs: ['get', 'update'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    ]);
  });

  it.each(['rel-ci-stack-manual-trigger', 'rel-ci-stack-cimaster'])('%s runs restricted: UID 1000, read-only root, no privilege, no capabilities, seccomp, probes, limits', (name) => {
    const spec = podSpec(find(objects, 'Deployment', name));
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.serviceAccountName).toBe(name);
    for (const c of spec.containers) {
      expect(c.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
      expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 'http' } });
      expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    }
  });

  it('mounts the existing Prow config and job config read-only and points manual-trigger at them', () => {
    const spec = podSpec(find(objects, 'Deployment', 'rel-ci-stack-manual-trigger'));
    const [c] = spec.containers;
    expect(c.args).toEqual(expect.arrayContaining(['--config-path=/etc/prow-config/config.yaml', '--job-config-path=/etc/job-config', '--namespace=ci', '--dry-run=false']));
    expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'prow-config', mountPath: '/etc/prow-config', readOnly: true }, { name: 'job-config-0', mountPath: '/etc/job-config/job-config', readOnly: true }]));
    expect(spec.volumes).toEqual(expect.arrayContaining([{ name: 'prow-config', configMap: { name: 'config' } }, { name: 'job-config-0', configMap: { name: 'job-config' } }]));
  });

  it('wires createcluster to the manual-trigger Service', () => {
    const [c] = podSpec(find(objects, 'Deployment', 'rel-ci-stack-cimaster')).containers;
    expect(c.args).toContain('--manual-trigger-url=http://rel-ci-stack-manual-trigger.ci.svc:80');
    expect(find(objects, 'Service', 'rel-ci-stack-manual-trigger').spec).toMatchObject({
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'metrics', port: 9090, targetPort: 'metrics' },
      ],
    });
  });
});

describe('non-default values', () => {
  it('redis store with the built-in Redis, auth from Secrets, inline Prow config, monitoring', async () => {
    const objects = await render({
      prow: { namespace: 'prow', inline: { enabled: true } },
      manualTrigger: { auth: { enabled: true, existingSecret: 'mt-tokens' }, allowedEnv: ['KUBE_VERSION'], antiAffinity: 'hard' },
      cimaster: { store: 'redis', redis: { builtIn: { enabled: true, password: 'pw' } }, auth: { enabled: true, tokens: 'tokens: []' }, createCluster: { tokenSecret: 'mt-client' } },
      metrics: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } },
    });
    // A value such as the Redis prefix "cimaster:" must reach the container as a string, not a YAML mapping.
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      for (const c of podSpec(d).containers) expect((c.args ?? []).filter((a) => typeof a !== 'string')).toEqual([]);
    }
    expect(find(objects, 'Role', 'rel-ci-stack-manual-trigger').metadata.namespace).toBe('prow');
    expect(objects.some((o) => o.kind === 'Role' && o.metadata.name === 'rel-ci-stack-cimaster')).toBe(false);
    const [c] = podSpec(find(objects, 'Deployment', 'rel-ci-stack-cimaster')).containers;
    expect(c.args).toEqual(expect.arrayContaining(['--redis-prefix=cimaster:', '--redis-timeout=2s', '--store=redis', '--redis-url=redis://rel-ci-stack-redis:6379/0', '--redis-password-file=/etc/cimaster-redis/password', '--manual-trigger-token-file=/etc/cimaster-mt-token/token', '--auth-config=/etc/cimaster-auth/tokens.yaml']));
    expect(find(objects, 'Secret', 'rel-ci-stack-cimaster-auth')).toMatchObject({ stringData: { 'tokens.yaml': 'tokens: []' } });
    expect(objects.some((o) => o.kind === 'Secret' && o.metadata.name === 'rel-ci-stack-manual-trigger-auth')).toBe(false);
    const mt = podSpec(find(objects, 'Deployment', 'rel-ci-stack-manual-trigger'));
    expect(mt.volumes).toEqual(expect.arrayContaining([{ name: 'auth', secret: { secretName: 'mt-tokens' } }]));
    expect(mt.containers[0].args).toEqual(expect.arrayContaining(['--allowed-env=KUBE_VERSION', '--namespace=prow']));
    expect(Object.keys(find(objects, 'ConfigMap', 'rel-ci-stack-prow-config').data as object)).toEqual(['config.yaml', 'jobs']);
    expect(objects.filter((o) => o.kind === 'ServiceMonitor')).toHaveLength(2);
    const rule = find(objects, 'PrometheusRule', 'rel-ci-stack-alerts') as unknown as { spec: { groups: Array<{ rules: Array<{ alert: string }> }> } };
    expect(rule.spec.groups[0].rules.map((r) => r.alert)).toEqual(['CimasterPoolExhausted', 'CimasterExpirationsSpiking', 'CimasterStoreWritesFailing', 'CimasterNoLeader', 'ManualTriggerCreateErrors', 'ManualTriggerConfigReloadFailing']);
    expect(podSpec(find(objects, 'Deployment', 'rel-ci-stack-redis')).containers[0].securityContext).toMatchObject({ runAsUser: 1000, readOnlyRootFilesystem: true });
  });

  it('the lifecycle: flags, the inventory ConfigMap mounted as a directory, and CLUSTER_* allowed in manual-trigger', async () => {
    const inventory = { clusters: [{ name: 'c1', region: 'us-west', labels: { k8s: '1.32' } }], pools: [{ region: 'us-west', labels: { k8s: '1.32' }, minVacant: 2, maxSize: 10, maxProvisioning: 2, namePrefix: 'usw-' }] };
    const on = await render({ cimaster: { lifecycle: { enabled: true, cleanupJob: 'clean-e2e-cluster', inventory } }, manualTrigger: { allowedEnv: ['KUBE_VERSION', 'CLUSTER_NAME'] } });
    const cm = podSpec(find(on, 'Deployment', 'rel-ci-stack-cimaster'));
    expect(cm.containers[0].args).toEqual(
      expect.arrayContaining(['--create-cluster-branch=master', '--provision-timeout=2h', '--job-poll-interval=10s', '--follow-events=true', '--max-followed-streams=50', '--cleanup-job=clean-e2e-cluster', '--cleanup-attempts=3', '--cleanup-timeout=1h', '--inventory=/etc/cimaster-inventory/inventory.yaml']),
    );
    expect(cm.containers[0].volumeMounts).toContainEqual({ name: 'inventory', mountPath: '/etc/cimaster-inventory', readOnly: true });
    const tuned = await render({ cimaster: { wait: { notify: false, pollInterval: '1s' }, leaderElection: { leaseDuration: '30s', renewInterval: '5s' } } });
    expect(podSpec(find(tuned, 'Deployment', 'rel-ci-stack-cimaster')).containers[0].args).toEqual(
      expect.arrayContaining(['--wait-notify=false', '--wait-poll-interval=1s', '--leader-lease-duration=30s', '--leader-renew-interval=5s']),
    );
    expect(cm.volumes).toContainEqual({ name: 'inventory', configMap: { name: 'rel-ci-stack-cimaster-inventory' } });
    const data = (find(on, 'ConfigMap', 'rel-ci-stack-cimaster-inventory') as unknown as { data: Record<string, string> }).data;
    expect(load(data['inventory.yaml'])).toEqual(inventory);
    expect(podSpec(find(on, 'Deployment', 'rel-ci-stack-manual-trigger')).containers[0].args).toContain('--allowed-env=KUBE_VERSION,CLUSTER_NAME,CLUSTER_REGION,CLUSTER_LABELS');

    const own = await render({ cimaster: { lifecycle: { enabled: true, inventory: { existingConfigMap: 'my-inventory', key: 'pool.yaml' } } } });
    expect(own.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
    expect(podSpec(find(own, 'Deployment', 'rel-ci-stack-cimaster')).volumes).toContainEqual({ name: 'inventory', configMap: { name: 'my-inventory' } });
    expect(podSpec(find(own, 'Deployment', 'rel-ci-stack-cimaster')).containers[0].args).not.toContainEqual(expect.stringMatching(/^--cleanup-job/));

    const off = await render({ cimaster: { lifecycle: { inventory } } });
    expect(off.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
    expect(podSpec(find(off, 'Deployment', 'rel-ci-stack-cimaster')).containers[0].args?.filter((a) => /lifecycle|cleanup|inventory|provision|job-poll|follow/.test(a))).toEqual([]);
    expect(podSpec(find(off, 'Deployment', 'rel-ci-stack-manual-trigger')).containers[0].args?.some((a) => a.startsWith('--allowed-env'))).toBe(false);
  });

  it('each service can be switched off', async () => {
    await expect(render({ manualTrigger: { enabled: false } })).rejects.toThrow('cimaster.createCluster.manualTriggerUrl is required when manualTrigger.enabled is false');
    const onlyCimaster = await render({ manualTrigger: { enabled: false }, cimaster: { createCluster: { manualTriggerUrl: 'http://mt.prow.svc' } } });
    expect(onlyCimaster.filter((o) => o.metadata.name.includes('manual-trigger'))).toEqual([]);
    const onlyTrigger = await render({ cimaster: { enabled: false } });
    expect(onlyTrigger.filter((o) => o.metadata.name.includes('cimaster'))).toEqual([]);
  });
});

describe('values.schema.json rejects bad values', () => {
  it.each([
    [{ cimaster: { store: 'file' } }, "at '/cimaster/store': value must be one of 'configmap', 'redis'"],
    [{ cimaster: { store: 'redis' } }, "at '/cimaster/redis/url': minLength: got 0, want 1"],
    [{ manualTrigger: { replicas: -1 } }, "at '/manualTrigger/replicas': minimum: got -1, want 0"],
    [{ manualTrigger: { buildIdTimeout: 'soon' } }, "at '/manualTrigger/buildIdTimeout'"],
    [{ cimaster: { antiAffinity: 'always' } }, "at '/cimaster/antiAffinity'"],
    [{ manualTrigger: { replica: 2 } }, "additional properties 'replica' not allowed"],
    [{ prow: { jobConfigMaps: ['Bad_Name'] } }, "at '/prow/jobConfigMaps/0'"],
  ])('%j', async (values, message) => {
    await expect(render(values)).rejects.toThrow(message);
  });

  it('refuses settings that would crash-loop the pods, saying what to set', async () => {
    await expect(render({ terminationGracePeriodSeconds: 5, preStopSleepSeconds: 10 })).rejects.toThrow('terminationGracePeriodSeconds (5) must be larger than preStopSleepSeconds (10)');
    await expect(render({ manualTrigger: { auth: { enabled: true, tokens: 'tokens: []' } } })).rejects.toThrow('cimaster.createCluster.tokenSecret is required when manualTrigger.auth is enabled');
    await expect(render({ manualTrigger: { service: { port: 9090 } } })).rejects.toThrow("at '/manualTrigger/service/port'");
    await expect(render({ prow: { jobConfigMaps: [] } })).rejects.toThrow("at '/prow/jobConfigMaps'");
  });

  it('leaves out a PodDisruptionBudget that could never be met', async () => {
    const objects = await render({ manualTrigger: { replicas: 1 } });
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => o.metadata.name)).toEqual(['rel-ci-stack-cimaster']);
  });

  it('refuses auth without tokens or a Secret, saying what to set', async () => {
    await expect(render({ manualTrigger: { auth: { enabled: true } }, cimaster: { createCluster: { tokenSecret: 'mt' } } })).rejects.toThrow('manualTrigger.auth.tokens is required when auth is enabled without an existingSecret');
  });
});

describe('every value is used and documented', () => {
  const leaves = (value: unknown, prefix: string[] = []): string[][] => {
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      return Object.entries(value).flatMap(([k, v]) => leaves(v, [...prefix, k]));
    }
    return [prefix];
  };
  let defaults: Record<string, unknown>;
  let paths: string[][];
  beforeAll(async () => {
    defaults = load(await readFile(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    paths = leaves(defaults);
  });

  it('documents every value in the chart README', async () => {
    const readme = await readFile(join(CHART, 'README.md'), 'utf8');
    const missing = paths.map((p) => p.join('.')).filter((p) => !readme.includes(`\`${p}\``));
    expect(missing).toEqual([]);
  });

  it('changes the rendered manifests when any value changes', async () => {
    const baseline = JSON.stringify(await render(contextFor([])));
    const unused: string[] = [];
    for (const path of paths) {
      const values = contextFor(path);
      setPath(values, path, mutate(path, getPath(defaults, path)));
      const rendered = JSON.stringify(await render(values));
      if (rendered === JSON.stringify(await render(contextFor(path)))) unused.push(path.join('.'));
    }
    expect(baseline.length).toBeGreaterThan(0);
    expect(unused).toEqual([]);
  }, 600_000);
});

/** Values a path only matters under (auth values need auth on, redis values the redis store, ...). */
function contextFor(path: string[]): Record<string, unknown> {
  const p = path.join('.');
  const ctx: Record<string, unknown> = {};
  if (p === 'manualTrigger.enabled') setPath(ctx, ['cimaster', 'createCluster', 'manualTriggerUrl'], 'http://mt.prow.svc');
  if (p.startsWith('manualTrigger.auth.')) setPath(ctx, ['cimaster', 'createCluster', 'tokenSecret'], 'mt');
  if (/^(manualTrigger|cimaster)\.auth\./.test(p)) {
    if (!p.endsWith('.enabled')) setPath(ctx, [path[0], 'auth', 'enabled'], true);
    setPath(ctx, [path[0], 'auth', 'tokens'], 'tokens: []');
  }
  if (p.startsWith('cimaster.redis.') || p === 'cimaster.store') {
    if (p !== 'cimaster.store') setPath(ctx, ['cimaster', 'store'], 'redis');
    setPath(ctx, ['cimaster', 'redis', 'builtIn', 'enabled'], true);
    setPath(ctx, ['cimaster', 'redis', 'builtIn', 'password'], 'pw');
    if (['cimaster.redis.url', 'cimaster.redis.existingSecret', 'cimaster.redis.builtIn.enabled'].includes(p)) {
      setPath(ctx, ['cimaster', 'redis', 'builtIn', 'enabled'], false);
      setPath(ctx, ['cimaster', 'redis', 'url'], 'redis://r:6379');
    }
  }
  if (p.startsWith('cimaster.lifecycle.') && p !== 'cimaster.lifecycle.enabled') setPath(ctx, ['cimaster', 'lifecycle', 'enabled'], true);
  if (p === 'cimaster.lifecycle.cleanupAttempts' || p === 'cimaster.lifecycle.cleanupTimeout') setPath(ctx, ['cimaster', 'lifecycle', 'cleanupJob'], 'clean');
  if (p === 'cimaster.lifecycle.inventory.key') setPath(ctx, ['cimaster', 'lifecycle', 'inventory', 'clusters'], [{ name: 'c1', region: 'r' }]);
  if (p === 'cimaster.createCluster.tokenKey') setPath(ctx, ['cimaster', 'createCluster', 'tokenSecret'], 'mt');
  if (p.startsWith('prow.inline.') && p !== 'prow.inline.enabled') setPath(ctx, ['prow', 'inline', 'enabled'], true);
  if (p.startsWith('metrics.serviceMonitor.') && !p.endsWith('enabled')) setPath(ctx, ['metrics', 'serviceMonitor', 'enabled'], true);
  if (p.startsWith('metrics.prometheusRule.') && !p.endsWith('enabled')) setPath(ctx, ['metrics', 'prometheusRule', 'enabled'], true);
  return ctx;
}

/** A different value of the same kind, valid for the schema. */
function mutate(path: string[], value: unknown): unknown {
  const last = path[path.length - 1];
  const enums: Record<string, unknown> = { pullPolicy: 'Always', logLevel: 'debug', store: 'redis', antiAffinity: 'hard', type: 'NodePort', namespace: 'elsewhere' };
  if (last in enums && path.join('.') !== 'cimaster.store') return enums[last];
  if (path.join('.') === 'cimaster.store') return 'redis';
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return value + 1;
  if (last === 'clusters') return [{ name: 'c1', region: 'us-west', labels: { k8s: '1.32' } }];
  if (last === 'pools') return [{ region: 'us-west', minVacant: 1, maxSize: 2, maxProvisioning: 1, namePrefix: 'usw-' }];
  if (Array.isArray(value)) return last === 'tolerations' ? [{ key: 'dedicated', operator: 'Exists' }] : last === 'imagePullSecrets' ? [{ name: 'registry' }] : last === 'allowedEnv' ? ['KUBE_VERSION'] : last === 'extraArgs' ? ['--log-level=warn'] : ['other'];
  if (value && typeof value === 'object') return { example: 'value' };
  const text = String(value ?? '');
  if (/^\d+(ms|s|m|h)$/.test(text)) return '7m';
  if (/url/i.test(last)) return /redis/i.test(path.join('.')) ? 'redis://other:6379' : 'https://other.example.com';
  if (/^\d+m$|^\d+Mi$/.test(text)) return text.replace(/^\d+/, (n) => String(Number(n) + 1));
  if (text === '') return 'other';
  return /[A-Za-z]/.test(text) && !text.includes('\n') ? `${text.replace(/[^a-z0-9-]+$/, '')}-other`.replace(/^-/, '') : `${text}\n# changed\n`;
}

function getPath(obj: Record<string, unknown>, path: string[]): unknown {
  return path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
  cur[path[path.length - 1]] = value;
}
