// Generated Prow configs with the shapes real configs have and samples tend to miss, for comparing our ProwJobs
// with Prow's own mkpj: presets in nested job directories, decoration durations from every source, struct
// fields Go always writes, and keys in another case.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The shapes {@link writeShapeConfig} can write. */
export type ConfigShape = 'preset-order' | 'decoration-entries' | 'decoration-map' | 'zero-values' | 'key-case';

const IMAGES = `utility_images:
        clonerefs: gcr.io/k8s-prow/clonerefs:v20240619-cfb8754e0
        initupload: gcr.io/k8s-prow/initupload:v20240619-cfb8754e0
        entrypoint: gcr.io/k8s-prow/entrypoint:v20240619-cfb8754e0
        sidecar: gcr.io/k8s-prow/sidecar:v20240619-cfb8754e0
      gcs_configuration:
        bucket: ci-logs
        path_strategy: explicit
      gcs_credentials_secret: gcs-credentials`;

const HEAD = 'prowjob_namespace: prow\npod_namespace: test-pods\n';

/** One presubmit, postsubmit and periodic per file, carrying `labels`, so every preset that matches shows. */
function jobsOf(tag: string, labels: string[]): string {
  const labelLines = labels.map((l) => `      ${l}: "true"`).join('\n');
  const job = (name: string, extra = ''): string =>
    `  - name: ${name}\n${extra}    labels:\n${labelLines.replace(/^ {6}/gm, '      ')}\n    spec:\n      containers:\n      - image: alpine\n        command: [echo, ${tag}]\n`;
  return (
    `presubmits:\n  shapes/repo-${tag}:\n${job(`pull-${tag}`)}` +
    `postsubmits:\n  shapes/repo-${tag}:\n${job(`post-${tag}`)}` +
    `periodics:\n${job(`ci-${tag}`, '    interval: 24h\n').replace(/^ {2}/gm, '')}`
  );
}

function preset(label: string | undefined, env: string, volume = false): string {
  const labels = label ? `  labels:\n    ${label}: "true"\n` : '';
  const vol = volume ? `  volumes:\n  - name: ${env.toLowerCase()}\n    emptyDir: {}\n  volumeMounts:\n  - name: ${env.toLowerCase()}\n    mountPath: /${env.toLowerCase()}\n` : '';
  return `- ${labels ? labels.slice(2) : ''}${labels ? '  ' : ''}env:\n  - name: ${env}\n    value: ${env.toLowerCase()}\n${vol}`;
}

/**
 * Presets spread over files whose order differs between a sort of whole paths and Go's filepath.Walk (each
 * directory's entries sorted by name: `a/x.yaml` before `a-b/y.yaml` and `a.b/z.yaml`, `A/` before `a/`), some
 * without labels (they apply to every job), plus a `..` directory Prow skips and a file that is not YAML.
 */
function presetOrder(): Record<string, string> {
  const files: Array<[string, string | undefined, string, boolean]> = [
    ['a/x.yaml', 'preset-ax', 'AX', true],
    ['a-b/y.yaml', 'preset-ab', 'AB', false],
    ['a.b/z.yaml', 'preset-adotb', 'ADOTB', true],
    ['a.yaml', 'preset-afile', 'AFILE', false],
    ['A/upper.yaml', 'preset-upper', 'UPPER', false],
    ['a/b/deep.yaml', undefined, 'EVERY_DEEP', true],
    ['a_b/u.yaml', 'preset-underscore', 'UNDERSCORE', false],
    ['b.yml', undefined, 'EVERY_B', false],
    ['a0/d.yaml', 'preset-digit', 'DIGIT', false],
  ];
  const labels = files.map(([, label]) => label).filter((l): l is string => l !== undefined);
  const out: Record<string, string> = {
    'config.yaml': `${HEAD}presets:\n${preset('preset-main', 'MAIN')}${preset(undefined, 'EVERY_MAIN', true)}`,
    'jobs/..2026_01_01/ignored.yaml': `presets:\n${preset('preset-ignored', 'IGNORED')}`,
    'jobs/notes.txt': 'not a job config\n',
  };
  for (const [i, [path, label, env, volume]] of files.entries()) {
    out[`jobs/${path}`] = `presets:\n${preset(label, env, volume)}${jobsOf(`order${i}`, ['preset-main', ...labels])}`;
  }
  return out;
}

const DECORATED_JOBS = `presubmits:
  shapes/durations:
  - name: pull-job-durations
    decorate: true
    decoration_config:
      timeout: 90s
      grace_period: 1h30m
      pod_pending_timeout: 7m
      pod_running_timeout: 36h
      pod_unscheduled_timeout: 14m
    spec: {containers: [{image: alpine, command: [echo]}]}
  - name: pull-nanosecond-timeout
    decorate: true
    decoration_config: {timeout: 3600000000000}
    spec: {containers: [{image: alpine, command: [echo]}]}
  - name: pull-defaults-only
    decorate: true
    spec: {containers: [{image: alpine, command: [echo]}]}
postsubmits:
  shapes/other:
  - name: post-org-default
    decorate: true
    decoration_config: {grace_period: 45s}
    spec: {containers: [{image: alpine, command: [echo]}]}
  other/repo:
  - name: post-other-org
    decorate: true
    cluster: build
    spec: {containers: [{image: alpine, command: [echo]}]}
periodics:
- name: ci-durations-extra-refs
  interval: 1h
  decorate: true
  decoration_config: {pod_running_timeout: 2h30m}
  extra_refs: [{org: shapes, repo: durations, base_ref: main}]
  spec: {containers: [{image: alpine, command: [echo]}]}
- name: ci-undecorated
  interval: 1h
  spec: {containers: [{image: alpine, command: [echo]}]}
`;

/** Every duration of decoration_config written short, from the job and from default entries. */
function decorationEntries(): Record<string, string> {
  return {
    'config.yaml': `${HEAD}plank:
  default_decoration_config_entries:
  - config:
      timeout: 2h
      grace_period: 15s
      pod_pending_timeout: 14m
      pod_running_timeout: 48h
      pod_unscheduled_timeout: 5m
      resources:
        clonerefs:
          requests: {cpu: 0.1, memory: 1024Mi}
      ${IMAGES}
  - repo: shapes
    config:
      timeout: 90m
      pod_unscheduled_timeout: 1h0m
  - repo: other/repo
    cluster: build
    config:
      pod_pending_timeout: 1h30m
`,
    'jobs/durations.yaml': DECORATED_JOBS,
  };
}

/** The same through the older `default_decoration_configs` map. */
function decorationMap(): Record<string, string> {
  return {
    'config.yaml': `${HEAD}plank:
  default_decoration_configs:
    "*":
      timeout: 2h
      grace_period: 15s
      pod_unscheduled_timeout: 14m
      ${IMAGES.replace(/^ {6}/gm, '      ')}
    shapes:
      pod_pending_timeout: 90m
    shapes/durations:
      pod_running_timeout: 1h30m
`,
    'jobs/durations.yaml': DECORATED_JOBS,
  };
}

/** Fields of Kubernetes' structs that Go writes even when unset: a Quantity as "0", structs as {}. */
function zeroValues(): Record<string, string> {
  return {
    'config.yaml': HEAD,
    'jobs/zero.yaml': `periodics:
- name: ci-zero-values
  interval: 1h
  spec:
    containers:
    - name: test
      image: alpine
      command: [echo]
      env:
      - name: CPU_LIMIT
        valueFrom: {resourceFieldRef: {resource: limits.cpu}}
      - name: MEM_REQUEST
        valueFrom: {resourceFieldRef: {containerName: test, resource: requests.memory, divisor: 1Mi}}
      - name: POD_NAME
        valueFrom: {fieldRef: {fieldPath: metadata.name}}
      - name: FROM_SECRET
        valueFrom: {secretKeyRef: {name: s, key: k, optional: false}}
      envFrom:
      - configMapRef: {name: settings}
      ports:
      - containerPort: 8080
      - {name: metrics, containerPort: 9090, protocol: TCP}
      readinessProbe:
        httpGet: {path: /healthz, port: 8080}
        periodSeconds: 0
      livenessProbe:
        tcpSocket: {port: metrics}
      startupProbe:
        grpc: {port: 9000}
      lifecycle:
        preStop: {exec: {command: [sleep, "5"]}}
      securityContext:
        capabilities: {add: [NET_ADMIN]}
        readOnlyRootFilesystem: false
    volumes:
    - name: info
      downwardAPI:
        items:
        - path: cpu
          resourceFieldRef: {containerName: test, resource: limits.cpu}
        - path: labels
          fieldRef: {fieldPath: metadata.labels}
    - name: scratch
      ephemeral:
        volumeClaimTemplate:
          spec:
            accessModes: [ReadWriteOnce]
            resources: {requests: {storage: 1Gi}}
    - name: token
      projected:
        sources:
        - serviceAccountToken: {path: token}
        - configMap: {name: ca, items: [{key: ca.crt, path: ca.crt}]}
    - name: host
      hostPath: {path: /var/run}
    affinity:
      nodeAffinity:
        preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 1
          preference:
            matchExpressions: [{key: pool, operator: In, values: [fast]}]
      podAntiAffinity:
        preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 10
          podAffinityTerm: {topologyKey: kubernetes.io/hostname}
    topologySpreadConstraints:
    - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}
    dnsConfig:
      options: [{name: ndots, value: "2"}]
    hostAliases:
    - {ip: 10.0.0.1, hostnames: [registry.local]}
    tolerations:
    - {key: dedicated, operator: Exists}
`,
  };
}

/** Keys written in another case than Go's field names: Go matches them case-insensitively. */
function keyCase(): Record<string, string> {
  return {
    'config.yaml': `${HEAD}Plank:\n  Default_Decoration_Config_Entries:\n  - Config:\n      ${IMAGES}\nPresets:\n- Labels: {preset-case: "true"}\n  ENV: [{NAME: FROM_CONFIG, Value: config}]\n`,
    'jobs/case.yaml': `Presets:
- labels: {preset-case-file: "true"}
  env: [{Name: FROM_FILE, VALUE: file}]
  Volumes: [{NAME: cache, EmptyDir: {}}]
  VolumeMounts: [{Name: cache, MountPath: /cache}]
Presubmits:
  shapes/case:
  - Name: pull-key-case
    Always_Run: true
    Labels: {preset-case: "true", preset-case-file: "true"}
    Spec:
      Containers:
      - Name: test
        IMAGE: alpine
        Command: [echo]
        Env:
        - NAME: UPPER
          Value: upper
        - name: BOTH
          NAME: upper-loses
          value: lower
        Resources:
          Requests: {cpu: 100m}
        VolumeMounts:
        - Name: data
          mountpath: /data
          ReadOnly: true
      Volumes:
      - name: data
        emptyDir: {Medium: Memory}
Periodics:
- NAME: ci-key-case
  Interval: 1h
  DECORATE: true
  Decoration_Config: {Timeout: 1h, GRACE_PERIOD: 30s}
  Extra_Refs: [{ORG: shapes, Repo: case, Base_Ref: main}]
  spec:
    containers:
    - image: alpine
      command: [echo]
      env: [{NAME: LOUD, VALUE: "yes"}]
`,
  };
}

const SHAPES: Record<ConfigShape, () => Record<string, string>> = {
  'preset-order': presetOrder,
  'decoration-entries': decorationEntries,
  'decoration-map': decorationMap,
  'zero-values': zeroValues,
  'key-case': keyCase,
};

/** Writes a config of that shape into `dir`: `config.yaml` and a `jobs/` directory. */
export async function writeShapeConfig(dir: string, shape: ConfigShape): Promise<{ configPath: string; jobConfigPath: string }> {
  for (const [path, text] of Object.entries(SHAPES[shape]())) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return { configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'jobs') };
}
