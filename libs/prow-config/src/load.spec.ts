import { mkdtemp, mkdir, readFile, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { newProwJob, periodicSpec, postsubmitSpec, presubmitSpec, type ProwJob } from '@ci-stack/prowjob-api';
import { inspectProwConfig, loadProwConfig } from './load';
import { ConfigLoadError, formatProblem } from './problems';
import { generateProwConfig } from './testing';

const EXAMPLES = resolve(__dirname, '../../../examples/prow');
const GOLDEN = join(__dirname, '__golden__');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prow-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
}

async function problemsOf(jobs: string, config = 'pod_namespace: pods\n'): Promise<string[]> {
  await write({ 'config.yaml': config, 'jobs/a.yaml': jobs });
  const report = await inspectProwConfig({ configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'jobs') });
  return report.problems.map((p) => formatProblem({ ...p, file: p.file?.replace(dir + '/', '') }));
}

const container = 'spec: {containers: [{image: busybox, command: [x]}]}';
/** Decoration defaults Prow accepts: every utility image and a GCS configuration. */
const UTILITIES = '{utility_images: {clonerefs: c, initupload: i, entrypoint: e, sidecar: s}, gcs_configuration: {bucket: b, path_strategy: explicit}}';
const DECORATING = `pod_namespace: pods\nplank:\n  default_decoration_config_entries:\n  - config: ${UTILITIES}\n`;

describe('validation: every problem reported with file, line and job', () => {
  it.each([
    ['invalid name', `periodics:\n- name: "bad name!"\n  interval: 1h\n  ${container}\n`, ['jobs/a.yaml: job bad name!: periodic: name "bad name!" must match ^[A-Za-z0-9-._]+$']],
    ['reserved label', `periodics:\n- name: p\n  interval: 1h\n  labels: {created-by-prow: "x"}\n  ${container}\n`, ['jobs/a.yaml:2: job p: periodic: label created-by-prow is reserved for Prow']],
    ['bad regex', `presubmits:\n  o/r:\n  - name: j\n    branches: ["(unclosed"]\n    ${container}\n`, ['jobs/a.yaml:3: job j: presubmit for o/r: could not compile positive branch regex: error parsing regexp: missing closing ): `(unclosed`']],
    ['what RE2 refuses, in every regex field', [
      'presubmits:\n  o/r:',
      `  - name: a\n    branches: ["main(?=x)"]\n    ${container}`,
      `  - name: b\n    skip_branches: ["(a)\\\\1"]\n    ${container}`,
      `  - name: c\n    trigger: "(?<!x)/test c"\n    rerun_command: "/test c"\n    ${container}`,
      `  - name: d\n    run_if_changed: "a**"\n    ${container}`,
      `  - name: e\n    skip_if_only_changed: "x{1001}"\n    ${container}`,
      'postsubmits:\n  o/r:',
      `  - name: f\n    branches: ["[[:word:]]"]\n    run_if_changed: "(?!x)"\n    ${container}`,
    ].join('\n') + '\n', [
      'jobs/a.yaml:3: job a: presubmit for o/r: could not compile positive branch regex: error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
      'jobs/a.yaml:6: job b: presubmit for o/r: could not compile negative branch regex: error parsing regexp: invalid escape sequence: `\\1`',
      'jobs/a.yaml:9: job c: presubmit for o/r: could not compile trigger regex: error parsing regexp: invalid named capture: `(?<!x)/test c`',
      'jobs/a.yaml:13: job d: presubmit for o/r: could not compile run_if_changed regex: error parsing regexp: invalid nested repetition operator: `**`',
      'jobs/a.yaml:16: job e: presubmit for o/r: could not compile skip_if_only_changed regex: error parsing regexp: invalid repeat count: `{1001}`',
      'jobs/a.yaml:21: job f: postsubmit for o/r: could not compile run_if_changed regex: error parsing regexp: invalid or unsupported Perl syntax: `(?!`',
    ]],
    ['branches compiled joined, as Prow does', `presubmits:\n  o/r:\n  - name: j\n    branches: ["(a", "b)"]\n    ${container}\n  - name: k\n    branches: ["a", "*b"]\n    ${container}\n`, [
      'jobs/a.yaml:6: job k: presubmit for o/r: could not compile positive branch regex: error parsing regexp: missing argument to repetition operator: `*`',
    ]],
    ['wrong types', `presubmits:\n  o/r:\n  - name: j\n    branches: main\n    max_concurrency: -1\n    decorate: "yes"\n    spec: 3\n`, [
      'jobs/a.yaml:3: job j: presubmit for o/r: branches must be a list, got string',
      'jobs/a.yaml:3: job j: presubmit for o/r: decorate must be true or false, got string',
      'jobs/a.yaml:3: job j: presubmit for o/r: spec must be a mapping, got number',
      'jobs/a.yaml:3: job j: presubmit for o/r: max_concurrency must not be negative, got -1',
    ]],
    ['periodic schedule', `periodics:\n- name: p\n  ${container}\n- name: q\n  cron: "* * * * *"\n  interval: 1h\n  ${container}\n`, [
      'jobs/a.yaml:2: job p: periodic: a periodic needs exactly one of cron, interval or minimum_interval, has none',
      'jobs/a.yaml:4: job q: periodic: a periodic needs exactly one of cron, interval or minimum_interval, has cron, interval',
    ]],
    ['no containers', `postsubmits:\n  o/r:\n  - name: j\n    spec: {containers: []}\n`, ['jobs/a.yaml:3: job j: postsubmit for o/r: spec.containers must list at least one container']],
    ['duplicate presubmits with overlapping branches', `presubmits:\n  o/r:\n  - name: j\n    branches: [main]\n    ${container}\n  - name: j\n    ${container}\n`, ['jobs/a.yaml: job j: duplicated presubmit job j for o/r (branches overlap)']],
    ['duplicate periodics', `periodics:\n- name: p\n  interval: 1h\n  ${container}\n- name: p\n  interval: 2h\n  ${container}\n`, [expect.stringMatching(/^jobs\/a.yaml: job p: duplicated periodic job p/)]],
    ['unknown agent', `periodics:\n- name: p\n  interval: 1h\n  agent: lambda\n`, ['jobs/a.yaml:2: job p: periodic: agent must be one of kubernetes, jenkins, tekton-pipeline, got "lambda"']],
    ['malformed YAML', `presubmits:\n  o/r: [\n`, [expect.stringMatching(/^jobs\/a.yaml:3: invalid YAML: /)]],
    ['pod spec rules, all at once', `presubmits:\n  o/r:\n  - name: j\n    spec:\n      initContainers: [{name: i, image: busybox}]\n      containers:\n      - image: busybox\n        env: [{name: PULL_NUMBER, value: "1"}, {name: X, value: a}, {name: X, value: b}]\n        volumeMounts: [{name: ghost, mountPath: /tools}]\n      volumes: [{name: logs, emptyDir: {}}]\n`, [
      'jobs/a.yaml: job j: presubmit: pod spec may not use init containers',
      'jobs/a.yaml: job j: presubmit: env PULL_NUMBER is reserved',
      'jobs/a.yaml: job j: presubmit: env var named "X" is defined more than once',
      'jobs/a.yaml: job j: presubmit: volume logs is a reserved for decoration',
      'jobs/a.yaml: job j: presubmit: volumeMount named "ghost" is undefined',
      'jobs/a.yaml: job j: presubmit: mount ghost at /tools conflicts with decoration mount',
    ]],
    ['volumes of decoration secrets are reserved', `presubmits:\n  o/r:\n  - name: j\n    decorate: true\n    decoration_config: {ssh_key_secrets: [ssh-key], timeout: 1h}\n    spec:\n      containers: [{image: a, command: [x], env: [{name: PULL_TITLE, value: t}]}]\n      volumes: [{name: ssh-key, emptyDir: {}}]\n`, [
      'jobs/a.yaml: job j: presubmit: env PULL_TITLE is reserved',
      'jobs/a.yaml: job j: presubmit: volume ssh-key is a reserved for decoration',
    ], DECORATING],
    ['decoration needs utility images and a command', `periodics:\n- name: p\n  interval: 1h\n  decorate: true\n  spec: {containers: [{image: a}]}\n- name: q\n  interval: 1h\n  decorate: true\n  spec: {containers: [{image: a}]}\n`, [
      'jobs/a.yaml: job p: periodic: invalid decoration config: utility image config is not specified',
      'jobs/a.yaml: job q: periodic: invalid decoration config: utility image config is not specified',
    ]],
    ['decorated containers need a command', `periodics:\n- name: p\n  interval: 1h\n  decorate: true\n  spec: {containers: [{image: a}]}\n`, ['jobs/a.yaml: job p: periodic: decorated job containers must specify command and/or args'], DECORATING],
    ['duplicated preset label pairs', `presets:\n- labels: {p: "x"}\n  env: [{name: A, value: "1"}]\n- labels: {p: "x"}\n  env: [{name: B, value: "1"}]\n`, ["duplicated preset 'label:value' pair : p:x"]],
    ['several containers need decoration', `periodics:\n- name: p\n  interval: 1h\n  spec: {containers: [{image: a}, {image: b}]}\n`, ['jobs/a.yaml: job p: periodic: pod utility decoration must be enabled to use multiple containers: 2']],
    ['bad decoration duration', `postsubmits:\n  o/r:\n  - name: j\n    decorate: true\n    decoration_config: {timeout: 2days}\n    ${container}\n`, ['jobs/a.yaml:3: job j: postsubmit for o/r: decoration_config.timeout must be a duration in Go\'s form (like 90s or 1h30m), got "2days"']],
    ['not org/repo', `presubmits:\n  just-a-repo:\n  - name: j\n    ${container}\n`, ['jobs/a.yaml: presubmits key "just-a-repo" must be org/repo or a Gerrit repository https://HOST/PATH']],
  ])('%s', async (...[, jobs, expected, config]: [string, string, unknown[], string?]) => {
    expect(await problemsOf(jobs, config)).toEqual(expected);
  });

  it('allows one name twice in a repo when the branches do not overlap', async () => {
    expect(await problemsOf(`presubmits:\n  o/r:\n  - name: j\n    branches: [main]\n    ${container}\n  - name: j\n    branches: [dev]\n    ${container}\n`)).toEqual([]);
  });

  it('reports problems from several files at once and throws them from loadProwConfig', async () => {
    await write({ 'config.yaml': 'plank: 3\n', 'jobs/a.yaml': 'periodics: 5\n', 'jobs/sub/b.yaml': 'presets: {}\n' });
    const err = await loadProwConfig({ configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'jobs') }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigLoadError);
    expect((err as ConfigLoadError).problems.map((p) => p.message)).toEqual(['plank must be a mapping, got number', 'periodics must be a list, got number', 'presets must be a list, got mapping']);
  });

  it('reports unreadable files and duplicate base names', async () => {
    await write({ 'config.yaml': '', 'jobs/x/a.yaml': 'periodics: []\n', 'jobs/y/a.yaml': 'periodics: []\n', 'jobs/z/b.yaml': '' });
    await chmod(join(dir, 'jobs/z/b.yaml'), 0o000);
    const report = await inspectProwConfig({ configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'jobs') });
    const messages = report.problems.map((p) => p.message);
    expect(messages).toContain(`duplicated config file name a.yaml (also ${join(dir, 'jobs/x/a.yaml')}); file names must be unique`);
    if (process.getuid?.() !== 0) expect(messages).toContain('cannot read file: EACCES');
  });
});

describe('loading', () => {
  it("reads integers as Prow's YAML reader does: a leading zero is octal", async () => {
    await write({
      'config.yaml': 'pod_namespace: pods\n',
      'jobs/a.yaml': 'periodics:\n- name: p\n  interval: 1h\n  spec:\n    containers: [{image: x}]\n    volumes: [{name: s, secret: {secretName: s, defaultMode: 0400}}]\n',
    });
    const loaded = await loadProwConfig({ configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'jobs') });
    expect((loaded.index.periodic('p')!.spec as { volumes: Array<{ secret: { defaultMode: number } }> }).volumes[0].secret.defaultMode).toBe(0o400);
  });

  it('loads RE2-only syntax in every regex field and matches branches as Go does', async () => {
    await write({
      'config.yaml': 'pod_namespace: pods\n',
      'jobs/a.yaml': [
        'presubmits:\n  o/r:',
        `  - {name: lint, trigger: "((?m)^/test( | .* )lint,?($|\\\\s.*))|((?m)^/test( | .* )unit,?($|\\\\s.*))", rerun_command: "/test lint", branches: ["(?i)^MAIN\\\\z", "\\\\Arelease-[[:digit:]]+\\\\.\\\\pN+$"], run_if_changed: "(?s)^.*\\\\.go\\\\z", ${container}}`,
        'postsubmits:\n  o/r:',
        `  - {name: post, skip_branches: ["(?P<v>^dev)"], skip_if_only_changed: "^(?:docs|[[:alpha:]]+\\\\.md)$", ${container}}`,
      ].join('\n') + '\n',
    });
    const loaded = await loadProwConfig({ configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'jobs') });
    expect(loaded.index.presubmit('o/r', 'lint', 'Main')).toBeDefined();
    expect(loaded.index.presubmit('o/r', 'lint', 'release-1.2')).toBeDefined();
    expect(loaded.index.presubmit('o/r', 'lint', 'RELEASE-1.2')).toBeDefined(); // (?i) runs on past the join
    expect(loaded.index.presubmit('o/r', 'lint', 'release-1.x')).toBeUndefined();
    expect(loaded.index.presubmit('o/r', 'lint', 'main-old')).toBeUndefined();
    expect(loaded.index.postsubmit('o/r', 'post', 'dev-1')).toBeUndefined();
    expect(loaded.index.postsubmit('o/r', 'post', 'my-dev')).toBeDefined();
  });

  it('matches a branch filter in linear time: no branch name backtracks', async () => {
    await write({ 'config.yaml': '', 'jobs/a.yaml': `postsubmits:\n  o/r:\n  - {name: p, branches: ["^(\\\\d+[smh]?)+$", "^(a|a)*$"], ${container}}\n` });
    const loaded = await loadProwConfig({ configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'jobs') });
    // Both patterns take a backtracking engine ~2^40 steps on these names; RE2 answers at once.
    expect(loaded.index.postsubmit('o/r', 'p', `${'1'.repeat(40)}x`)).toBeUndefined();
    expect(loaded.index.postsubmit('o/r', 'p', `${'a'.repeat(40)}b`)).toBeUndefined();
    expect(loaded.index.postsubmit('o/r', 'p', '12s3m')).toBeDefined();
  });

  it('loads Gerrit repositories keyed by URL, split into org and repo as Prow\'s Gerrit adapter names them', async () => {
    const gerrit = 'https://linux-review.googlesource.com/linux/kernel/git/torvalds/linux';
    await write({
      'config.yaml': 'pod_namespace: pods\n',
      'jobs/a.yaml': `presubmits:\n  "${gerrit}":\n  - name: pre\n    ${container}\npostsubmits:\n  "${gerrit}":\n  - name: post\n    branches: [master]\n    ${container}\n  o/r:\n  - name: gh\n    ${container}\n`,
    });
    const loaded = await loadProwConfig({ configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'jobs') });
    expect(loaded.index.postsubmit(gerrit, 'post', 'master')).toMatchObject({ name: 'post' });
    expect(loaded.index.presubmit(gerrit, 'pre')).toMatchObject({ name: 'pre' });
    const org = 'https://linux-review.googlesource.com';
    const repo = 'linux/kernel/git/torvalds/linux';
    expect(loaded.index.list({ org }).map((j) => [j.type, j.name, j.org, j.repo])).toEqual([
      ['postsubmit', 'post', org, repo],
      ['presubmit', 'pre', org, repo],
    ]);
    expect(loaded.index.list({ repo: 'r' }).map((j) => j.name)).toEqual(['gh']);
  });

  it('follows the ..data symlink layout of a mounted ConfigMap, reading each key once', async () => {
    await write({ 'config.yaml': '', 'cm/..2026_11_24/jobs.yaml': `periodics:\n- name: p\n  interval: 1h\n  ${container}\n` });
    await symlink('..2026_11_24', join(dir, 'cm/..data'));
    await symlink('..data/jobs.yaml', join(dir, 'cm/jobs.yaml'));
    const loaded = await loadProwConfig({ configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'cm') });
    expect(loaded.index.counts()).toEqual({ presubmits: 0, postsubmits: 0, periodics: 1 });
    expect(loaded.files).toEqual([join(dir, 'config.yaml'), join(dir, 'cm/jobs.yaml')]);
  });

  it('applies Prow defaults, presets and decoration defaults, keeping unknown pod spec fields', async () => {
    const loaded = await loadProwConfig({ configPath: join(EXAMPLES, 'config.yaml'), jobConfigPath: join(EXAMPLES, 'jobs') });
    const unit = loaded.index.presubmit('tess/tessops', 'pull-tessops-unit', 'master')!;
    expect(unit).toMatchObject({ agent: 'kubernetes', cluster: 'default', namespace: 'test-pods', context: 'pull-tessops-unit', rerun_command: '/test pull-tessops-unit' });
    expect(unit.decoration_config).toMatchObject({ timeout: '4h0m0s', grace_period: '15s', resources: { clonerefs: { requests: { cpu: '100m' } } } });
    expect(unit.spec?.containers?.[0].env).toEqual([{ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/etc/service-account/service-account.json' }]);
    expect(unit.spec).toMatchObject({ securityContext: { runAsUser: 1000 }, tolerations: [{ key: 'dedicated' }], nodeSelector: { 'kubernetes.io/arch': 'amd64' } });
    const lint = loaded.index.presubmit('tess/tessops', 'pull-tessops-lint')!;
    expect(lint.decoration_config).toBeUndefined();
    expect(lint.cluster).toBe('build-cluster-2');
    expect(loaded.index.presubmit('tess/tessops', 'sddz-e2e-k8s-1.32', 'feature-x')).toBeUndefined();
    expect(loaded.config).toMatchObject({ prowjob_namespace: 'prow', pod_namespace: 'test-pods' });
  });

  it('honours the older default_decoration_configs map, most specific last', async () => {
    await write({
      'config.yaml': `plank:\n  default_decoration_configs:\n    "o/r": {timeout: 3h}\n    "*": {timeout: 1h, grace_period: 5s, ${UTILITIES.slice(1, -1)}}\n    o: {grace_period: 9s}\n`,
      'jobs/a.yaml': `postsubmits:\n  o/r:\n  - name: j\n    decorate: true\n    ${container}\n  o/other:\n  - name: k\n    decorate: true\n    ${container}\n`,
    });
    const loaded = await loadProwConfig({ configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'jobs') });
    expect(loaded.index.postsubmit('o/r', 'j')!.decoration_config).toMatchObject({ timeout: '3h0m0s', grace_period: '9s', utility_images: { clonerefs: 'c' } });
    expect(loaded.index.postsubmit('o/other', 'k')!.decoration_config).toMatchObject({ timeout: '1h0m0s', grace_period: '9s' });
  });

  it('reports a preset that would duplicate an env var', async () => {
    expect(
      await problemsOf(
        `presets:\n- labels: {p: "x"}\n  env: [{name: A, value: "1"}]\nperiodics:\n- name: p\n  interval: 1h\n  labels: {p: "x"}\n  spec: {containers: [{image: i, env: [{name: A, value: "2"}]}]}\n`,
      ),
    ).toEqual(['jobs/a.yaml: job p: env var duplicated in pod spec: A']);
  });

  it('loads a generated 4,000-job config without problems, and every job builds', async () => {
    const paths = await generateProwConfig({ dir, jobs: 4000, seed: 7 });
    const loaded = await loadProwConfig(paths);
    const counts = loaded.index.counts();
    expect(counts.presubmits + counts.postsubmits + counts.periodics).toBe(4000);
    for (const job of loaded.index.list()) {
      const orgRepo = `${job.org}/${job.repo}`;
      const refs = { org: job.org!, repo: job.repo!, base_ref: 'master', base_sha: 'abc' };
      const spec =
        job.type === 'presubmit'
          ? presubmitSpec(loaded.index.presubmits(orgRepo, job.name)[0], { ...refs, pulls: [{ number: 1, author: 'a', sha: 'b' }] })
          : job.type === 'postsubmit'
            ? postsubmitSpec(loaded.index.postsubmits(orgRepo, job.name)[0], refs)
            : periodicSpec(loaded.index.periodic(job.name)!);
      expect(newProwJob(spec).spec.job).toBe(job.name);
    }
  }, 60_000);
});

describe('golden ProwJobs', () => {
  const now = new Date('2026-03-28T10:00:00Z');
  const refs = { org: 'tess', repo: 'tessops', base_ref: 'master', base_sha: '0123abcd' };
  const cases: Array<[string, (l: Awaited<ReturnType<typeof loadProwConfig>>) => ProwJob]> = [
    ['presubmit-with-pr', (l) => { const j = l.index.presubmit('tess/tessops', 'sddz-e2e-k8s-1.32', 'master')!; return newProwJob(presubmitSpec(j, { ...refs, pulls: [{ number: 123, author: 'fesu', sha: 'beef' }] }), j.labels, j.annotations, { now, name: 'golden' }); }],
    ['presubmit-presets-path-alias', (l) => { const j = l.index.presubmit('tess/tessops', 'pull-tessops-unit', 'master')!; return newProwJob(presubmitSpec(j, { ...refs, pulls: [{ number: 7, author: 'a', sha: 'c' }] }), j.labels, j.annotations, { now, name: 'golden' }); }],
    ['presubmit-undecorated-other-cluster', (l) => { const j = l.index.presubmit('tess/tessops', 'pull-tessops-lint')!; return newProwJob(presubmitSpec(j, { ...refs, pulls: [{ number: 8, author: 'a', sha: 'c' }] }), j.labels, j.annotations, { now, name: 'golden' }); }],
    ['postsubmit-clone-uri-volumes', (l) => { const j = l.index.postsubmit('tess/tessops', 'post-tessops-build-image', 'master')!; return newProwJob(postsubmitSpec(j, refs), j.labels, j.annotations, { now, name: 'golden' }); }],
    ['periodic-extra-refs-decorated', (l) => { const j = l.index.periodic('periodic-tessops-e2e-nightly')!; return newProwJob(periodicSpec(j), j.labels, j.annotations, { now, name: 'golden' }); }],
    ['periodic-long-name-truncated', (l) => { const j = { ...l.index.periodic('periodic-cluster-pool-audit')!, name: `periodic-${'very-long-name-'.repeat(5)}-end` }; return newProwJob(periodicSpec(j), j.labels, j.annotations, { now, name: 'golden' }); }],
  ];

  it.each(cases)('%s', async (name, build) => {
    const loaded = await loadProwConfig({ configPath: join(EXAMPLES, 'config.yaml'), jobConfigPath: join(EXAMPLES, 'jobs') });
    const actual = JSON.stringify(build(loaded), null, 2) + '\n';
    const file = join(GOLDEN, `${name}.json`);
    if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, actual);
    expect(actual).toBe(await readFile(file, 'utf8'));
  });
});

describe('loading without keeping the jobs (check-config)', () => {
  it('finds the same problems and counts as a load that keeps them', async () => {
    const paths = await generateProwConfig({ dir, jobs: 300, seed: 3 });
    await writeFile(join(dir, 'jobs', 'broken.yaml'), 'presets:\n- labels: {preset-service-account: "true"}\n  env: [{name: X, value: y}]\nperiodics:\n- name: bad name\n  interval: 1h\n- name: pull-repo0-job-0\n  interval: 1h\n');
    const kept = await inspectProwConfig(paths, { now: () => new Date(0) });
    const brief = await inspectProwConfig(paths, { keepJobs: false });
    expect(brief.problems).toEqual(kept.problems);
    expect(brief.problems.length).toBeGreaterThan(0);
    expect(brief.counts).toEqual(kept.counts);
    expect(brief.loaded).toBeUndefined();
  });
});

describe('YAML anchors', () => {
  it('gives each job its own pod spec when an alias shares one, so presets apply once per job', async () => {
    await write({
      'config.yaml': 'pod_namespace: pods\npresets:\n- labels: {p: "x"}\n  env: [{name: FROM_PRESET, value: v}]\n',
      'jobs/a.yaml': 'periodics:\n- name: a\n  interval: 1h\n  labels: {p: "x"}\n  spec: &spec {containers: [{image: i, env: [{name: OWN, value: o}]}]}\n- name: b\n  interval: 1h\n  labels: {p: "x"}\n  spec: *spec\n',
    });
    const loaded = await loadProwConfig({ configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'jobs') });
    for (const name of ['a', 'b']) expect(loaded.index.periodic(name)!.spec!.containers![0].env!.map((e) => e.name)).toEqual(['OWN', 'FROM_PRESET']);
  });
});
