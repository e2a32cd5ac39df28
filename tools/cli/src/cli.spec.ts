// The shipped ci-stack bundle against the shipped cimaster and manual-trigger bundles, each a real process on a
// loopback port (manual-trigger on an in-repo fake Kubernetes API with a simulated plank).
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeKubeApi, type FakeKubeApi } from '@ci-stack/kube/testing';
import { freePort } from '@ci-stack/core/testing';

// Each test runs the CLI as several processes; on a busy machine that takes longer than Jest's default 5 s.
jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist/tools/cli/main.js');
const ADMIN_TOKEN = 'admin-token-0123456789-secret';
const E2E_TOKEN = 'e2e-token-0123456789-secret';

interface Service {
  url: string;
  child: ChildProcess;
}

async function startService(bundle: string, args: string[]): Promise<Service> {
  const port = await freePort();
  const child = spawn(process.execPath, [bundle, '--host', '127.0.0.1', '--port', String(port), '--metrics-port', String(await freePort()), '--log-level', 'fatal', ...args], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; !(await fetch(`${url}/readyz`).then((r) => r.ok, () => false)); i++) {
    if (i > 150 || child.exitCode !== null) throw new Error(`${bundle} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child };
}

async function stop(s: Service | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

let dir: string;
let kube: FakeKubeApi;
let cimaster: Service;
let manualTrigger: Service;
let baseEnv: NodeJS.ProcessEnv;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bundle as a user would (through its shebang), with only the given environment. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(CLI, args, { env: { ...baseEnv, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ci-stack-cli-'));
  // The services are built into this test's own directory: other suites rebuild dist/ while they run.
  for (const project of ['apps/cimaster', 'apps/manual-trigger']) execFileSync(process.execPath, [join(ROOT, 'tools/scripts/build-app.mjs'), project, `--outdir=${join(dir, project)}`], { stdio: 'ignore' });
  execFileSync(process.execPath, [join(ROOT, 'tools/scripts/build-app.mjs'), 'tools/cli', '--bin'], { stdio: 'ignore' });
  await writeFile(join(dir, 'auth.yaml'), `tokens:\n  - {identity: ops, role: admin, token: ${ADMIN_TOKEN}}\n  - {identity: pods, role: e2e, token: ${E2E_TOKEN}}\n`);
  await writeFile(join(dir, 'admin.token'), `${ADMIN_TOKEN}\n`);
  kube = await startFakeKubeApi();
  kube.simulatePlank({ delayMs: 20, buildId: () => '1001' });
  const examples = join(ROOT, 'examples/prow');
  manualTrigger = await startService(join(dir, 'apps/manual-trigger/main.js'), ['--config-path', `${examples}/config.yaml`, '--job-config-path', `${examples}/jobs`, '--kubeconfig', kube.kubeconfigPath, '--build-id-timeout', '2s']);
  cimaster = await startService(join(dir, 'apps/cimaster/main.js'), ['--store', 'memory', '--auth-config', join(dir, 'auth.yaml'), '--manual-trigger-url', manualTrigger.url]);
  // HOME points at an empty directory: no config file unless a test writes one.
  baseEnv = { PATH: process.env.PATH, HOME: dir, CIMASTER_URL: cimaster.url, MANUAL_TRIGGER_URL: manualTrigger.url };
}, 120_000);

afterAll(async () => {
  await stop(cimaster);
  await stop(manualTrigger);
  await kube?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const admin = { CIMASTER_TOKEN_FILE: '' } as NodeJS.ProcessEnv;
beforeAll(() => {
  admin.CIMASTER_TOKEN_FILE = join(dir, 'admin.token');
});

describe('usage', () => {
  it.each([
    [['pool', 'frob'], "error: unknown command 'frob'", 'Usage: ci-stack pool'],
    [['pool', 'ls', '--bogus'], "error: unknown option '--bogus'", 'Usage: ci-stack pool ls'],
    [['--token', 'x', 'pool', 'ls'], "error: unknown option '--token'", 'Usage: ci-stack'],
    [['pool'], 'Usage: ci-stack pool', 'ls '],
    [['pool', 'add', 'c9'], "error: required option '--region <region>' not specified", 'Usage: ci-stack pool add'],
    [['-o', 'yaml', 'pool', 'ls'], "option '-o, --output <format>' argument 'yaml' is invalid", 'Usage: ci-stack'],
  ])('%j prints the usage and exits 2', async (args, error, usage) => {
    const run = await cli(args);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain(error);
    expect(run.stderr).toContain(usage);
  });

  it('--help and --version succeed', async () => {
    expect(await cli(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: ci-stack [options] [command]') });
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('a missing URL names the three places it can come from', async () => {
    const run = await cli(['pool', 'ls'], { CIMASTER_URL: '' });
    expect(run).toMatchObject({ code: 2, stderr: `ci-stack: no cimaster URL: pass --cimaster-url, set CIMASTER_URL, or add cimaster.url to ${dir}/.config/ci-stack/config.yaml\n` });
  });
});

describe('pool', () => {
  it('adds, lists, shows, holds, releases, disables, enables and deletes clusters', async () => {
    expect(await cli(['pool', 'add', 'c1', '--region', 'us-west'], admin)).toMatchObject({ code: 0, stdout: 'cluster c1 is added successfully\n' });
    expect((await cli(['pool', 'add', 'c2', '--region', 'eu'], admin)).code).toBe(0);
    expect((await fetch(`${cimaster.url}/getvacant?build=7&job=e2e`).then((r) => r.text()))).toBe('c1');
    const ls = await cli(['pool', 'ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout.split('\n')[0]).toMatch(/^NAME\s+REGION\s+STATE\s+SINCE\s+HOLDER\s+EXPIRES\s+NOTE$/);
    expect(ls.stdout).toMatch(/^c1\s+us-west\s+testing\s+\S+\s+build 7, e2e\s+\S+\s+-$/m);
    const json = JSON.parse((await cli(['pool', 'ls', '-o', 'json', '--state', 'finished'])).stdout);
    expect(json.clusters.map((c: { name: string }) => c.name)).toEqual(['c2']);
    expect(await cli(['pool', 'hold', 'c1', '--hours', '2', '--user', 'ann'], admin)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^cluster c1 is held until /) });
    expect(await cli(['pool', 'release', 'c1'], admin)).toMatchObject({ code: 0, stdout: 'cluster c1 is released successfully\n' });
    const show = await cli(['pool', 'show', 'c1']);
    expect(show.stdout).toMatch(/^state:\s+finished$/m);
    expect(show.stdout).toMatch(/^held\s+\S+\s+\d+\s+ann, build 7, e2e\s+released$/m);
    expect(JSON.parse((await cli(['-o', 'json', 'pool', 'show', 'c1'])).stdout).history).toHaveLength(2);
    expect(await cli(['pool', 'disable', 'c2', '--reason', 'flaky nodes'], admin)).toMatchObject({ code: 0, stdout: 'cluster c2 is disabled successfully\n' });
    expect((await cli(['pool', 'ls'])).stdout).toMatch(/^c2\s+eu\s+disabled\s+.*flaky nodes$/m);
    expect((await cli(['pool', 'enable', 'c2'], admin)).code).toBe(0);
    expect(await cli(['pool', 'delete', 'c2'], admin)).toMatchObject({ code: 0, stdout: 'cluster c2 is deleted successfully\n' });
    expect(await cli(['pool', 'queue'])).toMatchObject({ code: 0, stdout: 'nobody is waiting\n' });
  });

  it('holds without a token only for the build testing on the cluster, and never as someone', async () => {
    expect((await cli(['pool', 'add', 'c4', '--region', 'ap'], admin)).code).toBe(0);
    expect((await fetch(`${cimaster.url}/getvacant?build=8&job=e2e&region=ap`).then((r) => r.text()))).toBe('c4');
    expect(await cli(['pool', 'hold', 'c4', '--user', 'ann', '--build', '8'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ci-stack: user=ann needs a token: .* \(HTTP 403 USER_NEEDS_TOKEN\)\n$/) });
    expect(await cli(['pool', 'hold', 'c4', '--build', '6'])).toMatchObject({ code: 1, stderr: expect.stringContaining('cluster c4 is not held by build 6') });
    expect(await cli(['pool', 'hold', 'c4', '--build', '8'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^cluster c4 is held until /) });
    expect(await cli(['pool', 'release', 'c4', '--build', '8'])).toMatchObject({ code: 0, stdout: 'cluster c4 is released successfully\n' });
  });

  it('refusals are one line with the code, exit 1', async () => {
    expect(await cli(['pool', 'show', 'ghost'])).toMatchObject({ code: 1, stdout: '', stderr: 'ci-stack: cluster ghost not found (HTTP 404 CLUSTER_NOT_FOUND)\n' });
    expect(await cli(['pool', 'add', 'c3', '--region', 'eu'])).toMatchObject({ code: 1, stderr: "ci-stack: this call needs a bearer token: send 'Authorization: Bearer <token>' (HTTP 401 UNAUTHENTICATED)\n" });
    expect(await cli(['pool', 'add', 'Bad_Name', '--region', 'eu'], admin)).toMatchObject({ code: 1, stderr: expect.stringContaining('must be a DNS-1123 label') });
  });

  it('create runs the creation job through manual-trigger', async () => {
    const run = await cli(['pool', 'create', '--user', 'john'], admin);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/^cluster creation job \S+ triggered\nstatus: https:\/\/prow\.example\.com\/prowjob\?prowjob=/) });
  });
});

describe('tokens', () => {
  it('are never printed, and the config command names only where they come from', async () => {
    const env = { CIMASTER_TOKEN: E2E_TOKEN, MANUAL_TRIGGER_TOKEN_FILE: join(dir, 'admin.token') };
    const runs = [await cli(['pool', 'add', 'c5', '--region', 'eu'], env), await cli(['config'], env), await cli(['-o', 'json', 'config'], env), await cli(['pool', 'ls'], env)];
    expect(runs.map((r) => r.code)).toEqual([1, 0, 0, 0]);
    for (const r of runs) expect(r.stdout + r.stderr).not.toMatch(/token-0123456789/);
    expect(runs[1].stdout).toMatch(/^cimaster token:\s+CIMASTER_TOKEN$/m);
    expect(runs[1].stdout).toMatch(new RegExp(`^manual-trigger token:\\s+MANUAL_TRIGGER_TOKEN_FILE \\(${dir}/admin.token\\)$`, 'm'));
  });

  it('come from a config file under XDG_CONFIG_HOME, which flags and variables override', async () => {
    const xdg = join(dir, 'xdg');
    await mkdir(join(xdg, 'ci-stack'), { recursive: true });
    const config = join(xdg, 'ci-stack', 'config.yaml');
    await writeFile(config, `cimaster:\n  url: ${cimaster.url}\n  token-file: ${join(dir, 'admin.token')}\noutput: json\n`);
    const fromFile = await cli(['pool', 'add', 'c6', '--region', 'eu'], { XDG_CONFIG_HOME: xdg, CIMASTER_URL: '' });
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ success: true, cluster: { name: 'c6', added_by: 'ops' } });
    const closed = await freePort();
    const overridden = await cli(['pool', 'delete', 'c6', '--cimaster-url', `http://127.0.0.1:${closed}`], { XDG_CONFIG_HOME: xdg });
    expect(overridden).toMatchObject({ code: 4, stderr: `ci-stack: cimaster at http://127.0.0.1:${closed}/deletecluster?cluster=c6 is unreachable: ECONNREFUSED\n` });
    await writeFile(config, `cimaster:\n  url: ${cimaster.url}\n  token: ${ADMIN_TOKEN}\n`);
    await chmod(config, 0o644);
    const open = await cli(['pool', 'delete', 'c6'], { XDG_CONFIG_HOME: xdg, CIMASTER_URL: '' });
    expect(open).toMatchObject({ code: 0, stderr: `ci-stack: warning: ${config} holds a token and others may read it: chmod 600 ${config}\n` });
    await writeFile(config, 'cimaster:\n  url: ftp://x\n  colour: blue\n');
    expect(await cli(['pool', 'ls'], { XDG_CONFIG_HOME: xdg, CIMASTER_URL: '' })).toMatchObject({
      code: 2,
      stderr: `ci-stack: ${config}: cimaster.url: must be an http or https URL; cimaster: Unrecognized key: "colour"\n`,
    });
  });
});

describe('jobs', () => {
  const post = ['jobs', 'trigger', 'sddz-e2e-k8s-1.32', '--org', 'tess', '--repo', 'tessops'];

  /**
   * Once the follower has read the pending ProwJob through manual-trigger, moves it to a final state as plank
   * would when its pod ends.
   */
  async function finishOnceFollowed(state: 'success' | 'failure'): Promise<void> {
    for (;;) {
      const pending = kube.list('prowjobs', 'prow').find((pj) => pj.status?.state === 'pending');
      const read = pending && kube.requests().some((r) => r.method === 'GET' && r.path.endsWith(`/prowjobs/${pending.metadata.name}`));
      if (pending && read) {
        kube.update('prowjobs', 'prow', pending.metadata.name, { status: { state, completionTime: '2026-01-01T00:00:00Z', description: `Job ${state}` } });
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('trigger prints the job and its links; -o json the answer', async () => {
    const run = await cli([...post, '--user', 'fesu']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ProwJob created successfully\nprowjob: +\S+\njob: +sddz-e2e-k8s-1\.32 \(postsubmit\)\nstate: +pending\nbuild: +1001\n/);
    const json = JSON.parse((await cli(['-o', 'json', ...post])).stdout);
    expect(json).toMatchObject({ success: true, build_id: '1001', type: 'postsubmit' });
    expect(await cli(['jobs', 'status', json.job_name])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^state:\s+pending$/m) });
  });

  it('trigger --follow streams the state until the job ends: 0 when it succeeds, 1 when it fails', async () => {
    for (const p of kube.list('prowjobs', 'prow')) kube.update('prowjobs', 'prow', p.metadata.name, { status: { state: 'aborted' } });
    const [ok] = await Promise.all([cli([...post, '--follow', '--poll-interval', '50ms']), finishOnceFollowed('success')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^\S+ {2}pending {2}build 1001 {2}log: https:\/\/prow\.example\.com\/log\?job=sddz-e2e-k8s-1\.32&id=1001$/m);
    expect(ok.stdout).toMatch(/^\S+ {2}success {2}build 1001 {2}Job success/m);
    const [failed] = await Promise.all([cli(['-o', 'json', ...post, '--follow', '--poll-interval', '50ms']), finishOnceFollowed('failure')]);
    expect(failed.code).toBe(1);
    const lines = failed.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ success: true, message: 'ProwJob created successfully' });
    expect(lines.at(-1)).toMatchObject({ state: 'failure', description: 'Job failure' });
    expect(failed.stderr).toMatch(/^ci-stack: ProwJob \S+ ended failure\n$/);
  });

  it('catalog lists the runnable jobs', async () => {
    const run = await cli(['jobs', 'catalog', '--type', 'periodic']);
    expect(run.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['periodic-cluster-pool-audit', 'periodic-tessops-e2e-nightly']);
  });

  it('refusals name the reason', async () => {
    expect(await cli(['jobs', 'trigger', 'nope', '--org', 'tess', '--repo', 'tessops'])).toMatchObject({ code: 1, stderr: 'ci-stack: Job nope not found in config for tess/tessops (HTTP 404 JOB_NOT_FOUND)\n' });
    expect(await cli(['jobs', 'status', 'Not_A_Name'])).toMatchObject({ code: 1, stderr: 'ci-stack: ProwJob name must be a Kubernetes object name (HTTP 400 INVALID_REQUEST)\n' });
  });
});

describe('answers that are not what the API describes', () => {
  let server: http.Server;
  let url: string;
  let answer: (res: http.ServerResponse) => void;
  beforeAll(async () => {
    server = http.createServer((_req, res) => answer(res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it.each([
    ['an HTML page from a proxy', 502, 'text/html', '<html><body>\n<h1>502 Bad Gateway</h1></body></html>', 'ci-stack: cimaster sent an answer its API does not describe (HTTP 502): HTTP 502 with text/html: <html><body> <h1>502 Bad Gateway</h1></body></html>\n'],
    ['JSON of another shape', 200, 'application/json', '{"clusters":[{"name":"c1"}],"queue":[]}', 'ci-stack: cimaster sent an answer its API does not describe (HTTP 200): clusters.0.region: Invalid input: expected string, received undefined\n'],
    ['cut-off JSON', 200, 'application/json', '{"clusters":[', 'ci-stack: cimaster sent an answer its API does not describe (HTTP 200): not JSON: {"clusters":[\n'],
  ])('%s is one clear line, exit 5', async (_what, status, type, body, message) => {
    answer = (res) => res.writeHead(status, { 'content-type': type }).end(body);
    expect(await cli(['pool', 'ls'], { CIMASTER_URL: url })).toEqual({ code: 5, stdout: '', stderr: message });
  });

  it('an unreachable service is exit 4', async () => {
    const closed = await freePort();
    expect(await cli(['pool', 'ls'], { CIMASTER_URL: `http://127.0.0.1:${closed}` })).toEqual({ code: 4, stdout: '', stderr: `ci-stack: cimaster at http://127.0.0.1:${closed}/clusters is unreachable: ECONNREFUSED\n` });
  });
});

describe('shell completion', () => {
  async function complete(words: string[]): Promise<string[]> {
    const script = (await cli(['completion', 'bash'])).stdout;
    await writeFile(join(dir, 'completion.bash'), script);
    const line = `source ${join(dir, 'completion.bash')}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _ci_stack; echo "\${COMPREPLY[*]}"`;
    return execFileSync('bash', ['-c', line], { encoding: 'utf8' }).trim().split(' ').filter(Boolean);
  }

  it('completes subcommands, flags and flag values in bash', async () => {
    expect(await complete(['ci-stack', ''])).toEqual(['pool', 'jobs', 'completion', 'config']);
    expect(await complete(['ci-stack', 'pool', 'd'])).toEqual(['disable', 'delete']);
    expect(await complete(['ci-stack', '-o', 'json', 'jobs', 'r'])).toEqual(['rerun']);
    expect(await complete(['ci-stack', 'pool', 'ls', '--s'])).toEqual(['--state']);
    expect(await complete(['ci-stack', 'pool', 'ls', '--state', ''])).toEqual(['finished', 'testing', 'held', 'disabled', 'provisioning', 'failed', 'cleaning', 'quarantined']);
    expect(await complete(['ci-stack', '-o', ''])).toEqual(['table', 'json']);
  });

  it('prints a zsh script through bashcompinit, and refuses other shells', async () => {
    const zsh = await cli(['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^#compdef ci-stack\n/);
    expect(zsh.stdout).toContain('bashcompinit');
    expect(zsh.stdout).toContain('complete -F _ci_stack ci-stack');
    expect((await cli(['completion', 'fish'])).code).toBe(2);
  });
});

describe('the shipped command', () => {
  it('is the package bin: one executable bundle with a shebang', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.bin['ci-stack']).toBe('dist/tools/cli/main.js');
    expect(pkg.scripts.cli).toContain('node dist/tools/cli/main.js');
    expect(readFileSync(join(ROOT, pkg.bin['ci-stack']), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(() => accessSync(join(ROOT, pkg.bin['ci-stack']), constants.X_OK)).not.toThrow();
  });
});
