import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Options for {@link generateProwConfig}. */
export interface GenerateOptions {
  dir: string;
  jobs: number;
  /** Jobs per file; test-infra averages about six. */
  jobsPerFile?: number;
  seed?: number;
}

/**
 * Writes a Prow config shaped like kubernetes/test-infra (presets, decoration defaults, many repos, presubmits,
 * postsubmits and periodics with realistic pod specs) into `dir`: `config.yaml` and `jobs/<org>/<repo>/*.yaml`.
 */
export async function generateProwConfig(opts: GenerateOptions): Promise<{ configPath: string; jobConfigPath: string }> {
  const perFile = opts.jobsPerFile ?? 6;
  let rand = opts.seed ?? 1;
  const next = (n: number): number => {
    rand = (rand * 1103515245 + 12345) % 2147483648;
    return (rand >>> 16) % n; // the high bits: the low bits of this generator cycle quickly
  };
  const jobsDir = join(opts.dir, 'jobs');
  await mkdir(jobsDir, { recursive: true });
  await writeFile(join(opts.dir, 'config.yaml'), CONFIG);
  let written = 0;
  for (let file = 0; written < opts.jobs; file++) {
    const org = `org${file % 40}`;
    const repo = `repo${file}`;
    const count = Math.min(perFile, opts.jobs - written);
    const lines: string[] = ['presubmits:', `  ${org}/${repo}:`];
    const post: string[] = ['postsubmits:', `  ${org}/${repo}:`];
    const periodic: string[] = ['periodics:'];
    for (let j = 0; j < count; j++) {
      const kind = next(10);
      const name = `${kind < 6 ? 'pull' : kind < 9 ? 'post' : 'ci'}-${repo}-job-${j}-${'x'.repeat(next(3) * 20)}`;
      const body = jobBody(name, next, kind === 9 ? org : undefined, repo);
      if (kind < 6) lines.push(...indent(body, 4));
      else if (kind < 9) post.push(...indent(body, 4));
      else periodic.push(...indent([...body, `interval: ${1 + next(24)}h`], 2));
    }
    const parts = [lines.length > 2 ? lines : [], post.length > 2 ? post : [], periodic.length > 1 ? periodic : []];
    const dir = join(jobsDir, org, repo);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${repo}-jobs.yaml`), parts.flat().join('\n') + '\n');
    written += count;
  }
  return { configPath: join(opts.dir, 'config.yaml'), jobConfigPath: jobsDir };
}

function indent(lines: string[], n: number): string[] {
  const pad = ' '.repeat(n);
  return lines.map((l, i) => (i === 0 ? `${pad}- ${l}` : `${pad}  ${l}`));
}

function jobBody(name: string, next: (n: number) => number, periodicOrg: string | undefined, repo: string): string[] {
  const lines = [`name: ${name}`, `decorate: ${next(4) !== 0}`];
  if (next(3) === 0) lines.push('branches:', '  - master', `  - release-1\\.${next(30)}`);
  if (next(5) === 0) lines.push('skip_branches:', '  - ^gh-pages$');
  if (next(4) === 0) lines.push(`max_concurrency: ${1 + next(10)}`);
  if (next(6) === 0) lines.push(`path_alias: k8s.io/${repo}`);
  if (next(7) === 0) lines.push('cluster: build-02');
  if (periodicOrg) lines.push('extra_refs:', `  - org: ${periodicOrg}`, `    repo: ${repo}`, '    base_ref: master');
  lines.push('labels:', '  preset-service-account: "true"');
  if (next(2) === 0) lines.push('  preset-dind-enabled: "true"');
  lines.push(
    'annotations:',
    `  testgrid-dashboards: sig-testing-${next(20)}, sig-release-master-informing`,
    `  testgrid-tab-name: ${name.slice(0, 40)}`,
    '  testgrid-alert-email: kubernetes-sig-testing-alerts@googlegroups.com',
    '  testgrid-num-failures-to-alert: "3"',
    '  testgrid-num-columns-recent: "20"',
    `  description: Runs the ${name} suite against the tree, on GCE with the latest CI build, and reports to testgrid.`,
  );
  lines.push(
    'spec:',
    '  containers:',
    '    - image: gcr.io/k8s-staging-test-infra/kubekins-e2e:v20240611-597c402033-master',
    '      command:',
    '        - runner.sh',
    '      args:',
    '        - ./hack/jenkins/test-dockerized.sh',
    `        - --timeout=${30 + next(90)}m`,
    '        - --check-leaked-resources',
    `        - --cluster=e2e-${repo}`,
    '        - --extract=ci/latest',
    '        - --gcp-node-image=gci',
    '        - --gcp-zone=us-west1-b',
    '        - --provider=gce',
    "        - --test_args=--ginkgo.focus=\\[Conformance\\] --ginkgo.skip=\\[Slow\\]|\\[Serial\\]|\\[Disruptive\\]|\\[Flaky\\]|\\[Feature:.+\\] --minStartupPods=8",
    '      env:',
    '        - name: KUBE_VERBOSE',
    `          value: "${next(5)}"`,
    '        - name: KUBE_GCE_ENABLE_IP_ALIASES',
    '          value: "true"',
    '        - name: E2E_GOOGLE_APPLICATION_CREDENTIALS',
    '          value: /etc/service-account/service-account.json',
    '        - name: CLOUDSDK_CORE_PRINT_UNHANDLED_TRACEBACKS',
    '          value: "1"',
    '      resources:',
    '        requests:',
    // Unquoted numbers and milli-CPUs, as real configs write them; Prow canonicalizes both.
    next(2) === 0 ? `          cpu: ${1 + next(7)}` : `          cpu: ${1 + next(7)}000m`,
    `          memory: ${2 + next(30)}Gi`,
    '        limits:',
    `          cpu: "${1 + next(7)}"`,
    `          memory: ${2 + next(30)}Gi`,
    '      securityContext:',
    '        privileged: true',
    '      volumeMounts:',
    '        - name: ssh',
    '          mountPath: /etc/ssh-key-secret',
    '  volumes:',
    '    - name: ssh',
    '      secret:',
    '        secretName: ssh-key-secret',
    '        defaultMode: 0400',
  );
  return lines;
}

const CONFIG = `prowjob_namespace: prow
pod_namespace: test-pods
plank:
  job_url_prefix_config:
    "*": https://prow.example.com/view/
  default_decoration_config_entries:
    - config:
        timeout: 2h
        grace_period: 15s
        utility_images:
          clonerefs: gcr.io/k8s-prow/clonerefs:v20240619-cfb8754e0
          initupload: gcr.io/k8s-prow/initupload:v20240619-cfb8754e0
          entrypoint: gcr.io/k8s-prow/entrypoint:v20240619-cfb8754e0
          sidecar: gcr.io/k8s-prow/sidecar:v20240619-cfb8754e0
        gcs_configuration:
          bucket: kubernetes-jenkins
          path_strategy: legacy
          default_org: kubernetes
          default_repo: kubernetes
        gcs_credentials_secret: service-account
    - repo: org1
      config:
        timeout: 3h
presets:
  - labels:
      preset-service-account: "true"
    env:
      - name: GOOGLE_APPLICATION_CREDENTIALS
        value: /etc/service-account/service-account.json
    volumes:
      - name: service
        secret:
          secretName: service-account
    volumeMounts:
      - name: service
        mountPath: /etc/service-account
        readOnly: true
  - labels:
      preset-dind-enabled: "true"
    env:
      - name: DOCKER_IN_DOCKER_ENABLED
        value: "true"
    volumes:
      - name: docker-graph
        emptyDir: {}
    volumeMounts:
      - name: docker-graph
        mountPath: /docker-graph
`;
export { writeShapeConfig, type ConfigShape } from './fidelity-shapes';
