// The shell client cimaster serves at /client.sh, fetched from a real cimaster process and run under dash and
// bash against it: exit codes, CLUSTER and stdin for the command, heartbeats past the lease, the fair queue,
// INT/TERM/KILL to the wrapper, the token kept off command lines, and no process left behind. cimaster runs
// on the memory store with a short lease and a fast sweeper, so expiry is quick.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningService, startService } from './services';

const LEASE_SECONDS = 3;
const MARKER = 'SHELL_CLIENT_TEST';
const WAIT_FOR_STOP = 'while [ ! -e "$STOP" ]; do sleep 0.1; done';

interface ClientRun {
  child: ChildProcess;
  marker: string;
  /** The run's TMPDIR: empty once it ended. */
  tmp: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | NodeJS.Signals>;
}

interface ClusterDetail {
  state: string;
  holder: { build: string } | null;
  lease_expires: string | null;
  hold_expires: string | null;
  history: { state: string; build: string | null; ended: string }[];
}

let names = 0;

/** Every process carrying the run's marker in its environment: the wrapper, its helpers and the command. */
async function processesOf(marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const environ = await readFile(`/proc/${pid}/environ`).catch(() => Buffer.alloc(0));
    if (!environ.includes(`${MARKER}=${marker}\0`)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    found.push(`${pid} ${cmdline.split('\0').join(' ').trim()}`);
  }
  return found;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** No process and no temporary file of the run is left; polled briefly, as a killed helper takes a moment to go. */
async function expectNothingLeft(run: ClientRun, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const left = async () => [...(await processesOf(run.marker)), ...(await readdir(run.tmp))];
  let found = await left();
  while (found.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    found = await left();
  }
  expect(found).toEqual([]);
}

describe.each(['dash', 'bash'])('the shell client under %s', (shell) => {
  let cimaster: RunningService;
  let dir: string;
  let script: string;
  let buildCount = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shell-client-'));
    cimaster = await startService('cimaster', ['--store', 'memory', '--test-lease', `${LEASE_SECONDS}s`, '--sweep-interval', '200ms']);
    const res = await fetch(`${cimaster.url}/client.sh`);
    expect(res.status).toBe(200);
    script = join(dir, 'cimaster.sh');
    await writeFile(script, await res.text());
  }, 60_000);
  afterAll(async () => {
    await cimaster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const get = async (path: string): Promise<Response> => fetch(`${cimaster.url}${path}`);
  const cluster = async (name: string): Promise<ClusterDetail> => (await (await get(`/clusters/${name}`)).json()) as ClusterDetail;
  /** A cluster in a region of its own, so the tests never compete for one. */
  const addCluster = async (): Promise<{ name: string; region: string }> => {
    const n = ++names;
    const c = { name: `${shell}-c${n}`, region: `${shell}-r${n}` };
    expect((await get(`/addcluster?cluster=${c.name}&region=${c.region}`)).status).toBe(200);
    return c;
  };
  const nextBuild = (): string => `${shell}-${++buildCount}`;
  // A failed test may leave its runs waiting: kill whatever still carries their markers.
  const runs: string[] = [];
  afterEach(async () => {
    for (const marker of runs.splice(0)) for (const p of await processesOf(marker)) process.kill(Number(p.split(' ')[0]), 'SIGKILL');
  });

  function client(args: string[], env: Record<string, string | undefined> = {}, stdin = ''): ClientRun {
    const marker = randomUUID();
    const tmp = join(dir, marker);
    mkdirSync(tmp);
    const fullEnv = { PATH: process.env.PATH, TMPDIR: tmp, CIMASTER_URL: cimaster.url, BUILD_ID: nextBuild(), JOB_NAME: 'e2e-shell', [MARKER]: marker, ...env };
    const child = spawn(shell, [script, ...args], { env: fullEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin?.on('error', () => undefined); // EPIPE when the script exits without reading its stdin
    child.stdin?.end(stdin);
    runs.push(marker);
    const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal as NodeJS.Signals))));
    return { child, marker, tmp, stdout: () => out, stderr: () => err, exited };
  }

  async function finished(args: string[], env: Record<string, string | undefined> = {}, stdin = ''): Promise<{ code: number | string; stdout: string; stderr: string }> {
    const run = client(args, env, stdin);
    const code = await run.exited;
    await expectNothingLeft(run);
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  }

  const oneLine = (prefix: string) => expect.stringMatching(new RegExp(`^cimaster\\.sh: ${prefix}[^\\n]*\\n$`));
  const testing = (name: string) => until(`${name} testing`, async () => ((await cluster(name)).state === 'testing' ? true : undefined));
  const stopFile = (): string => join(dir, `stop-${randomUUID()}`);

  it('acquire prints the cluster; release, heartbeat, hold and unhold; exit codes 0, 2, 3, 4 and 5 with one line each', async () => {
    const c = await addCluster();
    const build = nextBuild();
    const as = { BUILD_ID: build };
    expect(await finished(['acquire', '--region', c.region, '--wait', '0'], as)).toEqual({ code: 0, stdout: `${c.name}\n`, stderr: '' });
    expect(await finished(['acquire', '--region', c.region, '--wait=0'])).toEqual({ code: 3, stdout: '', stderr: oneLine(`acquire: no vacant cluster in region ${c.region}`) });
    expect(await finished(['heartbeat', c.name], as)).toMatchObject({ code: 0, stdout: expect.stringMatching(`^cluster ${c.name} lease extended until `) });
    expect(await finished(['heartbeat', c.name])).toEqual({ code: 5, stdout: '', stderr: oneLine(`heartbeat: cluster ${c.name} is not held by build`) });
    expect(await finished(['hold', c.name, '--hours', '1'], as)).toMatchObject({ code: 0, stdout: expect.stringMatching(`^cluster ${c.name} is held until `) });
    expect((await cluster(c.name)).state).toBe('held');
    // unhold sends its build too: another build's is refused, and --build names the one whose hold it is.
    expect(await finished(['unhold', c.name])).toEqual({ code: 5, stdout: '', stderr: oneLine(`unhold: cluster ${c.name} is not held by build`) });
    expect(await finished(['unhold', c.name, '--build', build])).toEqual({ code: 0, stdout: `cluster ${c.name} is released successfully\n`, stderr: '' });
    expect(await finished(['acquire', '--region', c.region], as)).toMatchObject({ code: 0, stdout: `${c.name}\n` });
    expect(await finished(['release', c.name], as)).toEqual({ code: 0, stdout: `cluster ${c.name} is finished successfully\n`, stderr: '' });
    expect((await cluster(c.name)).state).toBe('finished');

    expect(await finished(['release', 'no-such-cluster'])).toEqual({ code: 5, stdout: '', stderr: oneLine('release: cluster no-such-cluster not found') });
    expect(await finished(['release', 'Not_A_Name'])).toEqual({ code: 2, stdout: '', stderr: oneLine('release: cluster "Not_A_Name" must be a DNS-1123 label') });
    expect(await finished(['acquire', '--wait', '2h'])).toEqual({ code: 2, stdout: '', stderr: oneLine('acquire: wait must be at most 3600s') });
    expect(await finished(['release', c.name], { CIMASTER_URL: 'http://127.0.0.1:1' })).toEqual({ code: 4, stdout: '', stderr: oneLine('release: cannot reach cimaster at http://127.0.0.1:1: curl: \\(7\\)') });
    for (const [args, env, message] of [
      [[], {}, 'no command given'],
      [['fetch'], {}, "unknown command 'fetch'"],
      [['acquire', '--colour', 'red'], {}, 'acquire has no option --colour'],
      [['acquire', '--wait', 'soon'], {}, "--wait takes a duration like 90s, 10m or 1h, got 'soon'"],
      [['acquire', '--wait'], {}, '--wait needs a value'],
      [['acquire'], { BUILD_ID: undefined }, 'no build: BUILD_ID is not set'],
      [['release'], {}, 'release needs a cluster name'],
      [['hold', c.name, '--hours', 'x'], {}, "--hours takes a positive number of hours, got 'x'"],
      [['run', 'make', 'test'], {}, "run takes its command after --, got 'make' before it"],
      [['run', '--'], {}, 'run needs a command after --'],
      [['run', '--hold-on-failure', '0', '--', 'true'], {}, '--hold-on-failure takes a duration'],
      [['release', c.name], { CIMASTER_URL: undefined }, 'CIMASTER_URL is not set'],
      [['release', c.name], { CIMASTER_URL: 'cimaster:8080' }, "CIMASTER_URL must start with http:// or https://, got 'cimaster:8080'"],
      [['release', c.name], { CIMASTER_TOKEN_FILE: join(dir, 'missing') }, `CIMASTER_TOKEN_FILE=${join(dir, 'missing')} cannot be read`],
    ] as const) {
      expect([args, await finished([...args], env)]).toEqual([args, { code: 2, stdout: '', stderr: oneLine(message.replace(/[()?*+.[\]]/g, '\\$&')) }]);
    }
  }, 120_000);

  it('run exports CLUSTER and hands over stdin; exits with the command code; releases, or holds on failure', async () => {
    const c = await addCluster();
    const ok = await finished(['run', '--region', c.region, '--', 'sh', '-c', 'read -r line; echo "$CLUSTER $line"'], {}, 'hello\n');
    expect(ok).toMatchObject({ code: 0, stdout: `${c.name} hello\n` });
    expect(ok.stderr).toContain(`cimaster.sh: cluster ${c.name} is finished successfully`);
    expect((await cluster(c.name)).history[0]).toMatchObject({ state: 'testing', ended: 'finished' });

    expect(await finished(['run', '--region', c.region, '--', 'sh', '-c', 'exit 7'])).toMatchObject({ code: 7 });
    expect((await cluster(c.name)).state).toBe('finished');

    const failing = { BUILD_ID: nextBuild() };
    const held = await finished(['run', '--region', c.region, '--hold-on-failure', '90m', '--', 'sh', '-c', 'exit 9'], failing);
    expect(held).toMatchObject({ code: 9, stderr: expect.stringContaining(`command failed (exit 9): cluster ${c.name} is held until `) });
    expect(held.stderr).toContain(`give it back with: sh cimaster.sh unhold ${c.name} --build ${failing.BUILD_ID}`);
    const detail = await cluster(c.name);
    expect(detail.state).toBe('held');
    const heldFor = Date.parse(detail.hold_expires ?? '') - Date.now();
    expect(heldFor).toBeGreaterThan(80 * 60_000);
    expect(heldFor).toBeLessThanOrEqual(90 * 60_000);
    expect(await finished(['unhold', c.name], failing)).toMatchObject({ code: 0 });

    expect(await finished(['run', '--region', c.region, '--hold-on-failure', '1h', '--', 'true'])).toMatchObject({ code: 0 });
    expect((await cluster(c.name)).state).toBe('finished');
  }, 120_000);

  it('heartbeats keep the lease of a run that outlasts it', async () => {
    const c = await addCluster();
    const stop = stopFile();
    const run = client(['run', '--region', c.region, '--', 'sh', '-c', WAIT_FOR_STOP], { STOP: stop });
    await testing(c.name);
    const first = await cluster(c.name);
    // Past two whole leases from the first one: without heartbeats the sweeper would have taken it back.
    const pastTwoLeases = Date.parse(first.lease_expires ?? '') + 2 * LEASE_SECONDS * 1000;
    await until('two leases to pass', async () => (Date.now() > pastTwoLeases ? true : undefined));
    const later = await cluster(c.name);
    expect(later).toMatchObject({ state: 'testing', holder: { build: first.holder?.build } });
    expect(Date.parse(later.lease_expires ?? '')).toBeGreaterThan(pastTwoLeases - LEASE_SECONDS * 1000);
    await writeFile(stop, '');
    expect(await run.exited).toBe(0);
    expect((await cluster(c.name)).history[0]).toMatchObject({ state: 'testing', ended: 'finished' });
    await expectNothingLeft(run);
  }, 60_000);

  it.each(['SIGTERM', 'SIGINT'] as const)('%s to the wrapper during the command stops it and gives the cluster back', async (signal) => {
    const c = await addCluster();
    const run = client(['run', '--region', c.region, '--', 'sleep', '300']);
    await testing(c.name);
    await until('the command to run', async () => ((await processesOf(run.marker)).some((p) => /^\d+ sleep 300$/.test(p)) ? true : undefined));
    run.child.kill(signal);
    expect(await run.exited).toBe(143); // the command's code: it got TERM
    expect(run.stderr()).toContain(`got ${signal}: stopping the command, then giving cluster ${c.name} back`);
    expect((await cluster(c.name)).history[0]).toMatchObject({ state: 'testing', ended: 'finished' });
    await expectNothingLeft(run);
  }, 60_000);

  it('SIGKILL of the wrapper: its command is stopped, the lease expires and the sweeper returns the cluster', async () => {
    const c = await addCluster();
    const run = client(['run', '--region', c.region, '--', 'sleep', '300']);
    await testing(c.name);
    await until('the command to run', async () => ((await processesOf(run.marker)).some((p) => /^\d+ sleep 300$/.test(p)) ? true : undefined));
    run.child.kill('SIGKILL');
    expect(await run.exited).toBe('SIGKILL');
    await expectNothingLeft(run, 15_000);
    await until('the lease to expire', async () => ((await cluster(c.name)).state === 'finished' ? true : undefined));
    expect((await cluster(c.name)).history[0]).toMatchObject({ state: 'testing', ended: 'lease-expired' });
  }, 60_000);

  it('waits in the queue behind other holders, printing its position, and gets the cluster in turn', async () => {
    const c = await addCluster();
    const [stopHolder, stopFirst] = [stopFile(), stopFile()];
    const holder = client(['run', '--region', c.region, '--', 'sh', '-c', WAIT_FOR_STOP], { STOP: stopHolder });
    await testing(c.name);
    const first = client(['run', '--region', c.region, '--wait', '5m', '--', 'sh', '-c', WAIT_FOR_STOP], { STOP: stopFirst });
    await until('the first waiter to be queued', async () => (first.stderr().includes('position 1 in the queue') ? true : undefined));
    const second = client(['acquire', '--region', c.region, '--wait', '5m']);
    await until('the second waiter to be queued', async () => (second.stderr().includes('position 2 in the queue') ? true : undefined));

    await writeFile(stopHolder, '');
    expect(await holder.exited).toBe(0);
    await until('the second waiter to move up', async () => (second.stderr().includes('position 1 in the queue') ? true : undefined));
    expect(first.stderr()).toContain(`cimaster.sh: cluster ${c.name} acquired;`);
    await writeFile(stopFirst, '');
    expect(await first.exited).toBe(0);
    expect(await second.exited).toBe(0);
    expect(second.stdout()).toBe(`${c.name}\n`);
    expect(second.stderr()).toBe('cimaster.sh: waiting for a cluster: position 2 in the queue\ncimaster.sh: waiting for a cluster: position 1 in the queue\n');
    // acquire alone does not heartbeat: give the cluster back before its short lease ends.
    expect(await finished(['release', c.name], { BUILD_ID: (await cluster(c.name)).holder?.build })).toMatchObject({ code: 0 });
    for (const run of [holder, first, second]) await expectNothingLeft(run);
  }, 60_000);

  it('an interrupted wait leaves the queue and starts nothing', async () => {
    const c = await addCluster();
    const stop = stopFile();
    const holder = client(['run', '--region', c.region, '--', 'sh', '-c', WAIT_FOR_STOP], { STOP: stop });
    await testing(c.name);
    const waiter = client(['run', '--region', c.region, '--wait', '5m', '--', 'sh', '-c', 'echo started']);
    await until('the waiter to be queued', async () => (waiter.stderr().includes('position 1 in the queue') ? true : undefined));
    waiter.child.kill('SIGINT');
    expect(await waiter.exited).toBe(130);
    expect(waiter.stdout()).toBe('');
    expect(waiter.stderr()).toContain('cimaster.sh: got SIGINT while waiting for a cluster\n');
    expect(((await (await get('/queue')).json()) as { queue: unknown[] }).queue).toEqual([]);
    await expectNothingLeft(waiter);
    await writeFile(stop, '');
    expect(await holder.exited).toBe(0);
    expect((await cluster(c.name)).state).toBe('finished');
  }, 60_000);
});

describe('the shell client with tokens', () => {
  const token = `e2e-${randomUUID()}`;
  const adminToken = `admin-${randomUUID()}`;
  let cimaster: RunningService;
  let dir: string;
  let script: string;
  let tokenFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shell-client-auth-'));
    const authFile = join(dir, 'auth.yaml');
    await writeFile(authFile, `requireE2eToken: true\ntokens:\n  - {identity: e2e-pods, role: e2e, token: "${token}"}\n  - {identity: admins, role: admin, token: "${adminToken}"}\n`);
    tokenFile = join(dir, 'token');
    await writeFile(tokenFile, `${token}\n`);
    cimaster = await startService('cimaster', ['--store', 'memory', '--auth-config', authFile]);
    script = join(dir, 'cimaster.sh');
    await writeFile(script, await (await fetch(`${cimaster.url}/client.sh`)).text());
    expect((await fetch(`${cimaster.url}/addcluster?cluster=only&region=r`, { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await cimaster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string>) =>
    spawn('dash', [script, ...args], { env: { PATH: process.env.PATH, TMPDIR: dir, CIMASTER_URL: cimaster.url, JOB_NAME: 'e2e', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', resolve));

  it('sends the token from CIMASTER_TOKEN or CIMASTER_TOKEN_FILE, never on a command line', async () => {
    const refused = run(['acquire', '--wait', '0'], { BUILD_ID: '1' });
    expect(await exit(refused)).toBe(5);
    const holder = run(['acquire', '--wait', '0'], { BUILD_ID: '1', CIMASTER_TOKEN: token });
    expect(await exit(holder)).toBe(0);
    // A waiting acquire keeps its curl running: look at every command line while it waits.
    const waiter = run(['acquire', '--wait', '5m'], { BUILD_ID: '2', CIMASTER_TOKEN_FILE: tokenFile });
    let stderr = '';
    waiter.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await until('the waiter to be queued', async () => (stderr.includes('position 1 in the queue') ? true : undefined));
    const commandLines = await Promise.all((await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
    expect(commandLines.some((c) => c.includes('getvacant'))).toBe(true);
    expect(commandLines.filter((c) => c.includes(token))).toEqual([]);
    const [waiterDir] = (await readdir(dir)).filter((f) => f.startsWith('cimaster-sh.'));
    const files = await readdir(join(dir, waiterDir));
    expect(files).toContain('vacant.head');
    for (const f of files) expect(await readFile(join(dir, waiterDir, f), 'utf8')).not.toContain(token);
    const released = run(['release', 'only'], { BUILD_ID: '1', CIMASTER_TOKEN: token });
    expect(await exit(released)).toBe(0);
    expect(await exit(waiter)).toBe(0);
  }, 60_000);
});

describe('the shell client without a token, auth on and requireE2eToken false', () => {
  const adminToken = `admin-${randomUUID()}`;
  let cimaster: RunningService;
  let dir: string;
  let script: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shell-client-anon-'));
    const authFile = join(dir, 'auth.yaml');
    await writeFile(authFile, `requireE2eToken: false\ntokens:\n  - {identity: admins, role: admin, token: "${adminToken}"}\n`);
    cimaster = await startService('cimaster', ['--store', 'memory', '--auth-config', authFile]);
    script = join(dir, 'cimaster.sh');
    await writeFile(script, await (await fetch(`${cimaster.url}/client.sh`)).text());
    expect((await fetch(`${cimaster.url}/addcluster?cluster=solo&region=r`, { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await cimaster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const finished = (args: string[], build: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('dash', [script, ...args], { env: { PATH: process.env.PATH, TMPDIR: dir, CIMASTER_URL: cimaster.url, BUILD_ID: build, JOB_NAME: 'e2e' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  const holder = async () => ((await (await fetch(`${cimaster.url}/clusters/solo`)).json()) as { state: string; holder: { build: string; user?: string } | null }).holder;

  it('acts for its build: run holds on failure as the build, unhold gives back only that build\'s hold, release ends only its lease', async () => {
    const held = await finished(['run', '--hold-on-failure', '1h', '--', 'sh', '-c', 'exit 3'], 'b1');
    expect(held).toMatchObject({ code: 3, stderr: expect.stringContaining('command failed (exit 3): cluster solo is held until ') });
    expect(await holder()).toEqual({ build: 'b1', job: 'e2e', since: expect.any(String) });
    expect(await finished(['unhold', 'solo'], 'b2')).toMatchObject({ code: 5, stderr: expect.stringContaining('cluster solo is not held by build b2') });
    expect(await finished(['unhold', 'solo', '--build', 'b1'], 'b2')).toMatchObject({ code: 0, stdout: 'cluster solo is released successfully\n' });
    expect(await finished(['acquire', '--wait', '0'], 'b3')).toMatchObject({ code: 0, stdout: 'solo\n' });
    expect(await finished(['release', 'solo'], 'b4')).toMatchObject({ code: 5, stderr: expect.stringContaining('cluster solo is not held by build b4') });
    expect(await finished(['hold', 'solo'], 'b4')).toMatchObject({ code: 5, stderr: expect.stringContaining('cluster solo is not held by build b4') });
    expect(await finished(['release', 'solo'], 'b3')).toMatchObject({ code: 0, stdout: 'cluster solo is finished successfully\n' });
  }, 60_000);
});

describe('the served script', () => {
  let cimaster: RunningService;
  let text: string;

  beforeAll(async () => {
    cimaster = await startService('cimaster', ['--store', 'memory']);
    text = await (await fetch(`${cimaster.url}/client.sh`)).text();
  }, 60_000);
  afterAll(() => cimaster?.stop());

  it('passes shellcheck as POSIX sh', () => {
    const check = spawnSync('shellcheck', ['--shell=sh', '--severity=style', '-'], { input: text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it.each(['dash', 'bash'])('parses under %s and prints its usage', (shell) => {
    expect(spawnSync(shell, ['-n', '-s'], { input: text, encoding: 'utf8' }).status).toBe(0);
    const help = spawnSync(shell, ['-s', 'help'], { input: text, encoding: 'utf8' });
    expect([help.status, help.stderr]).toEqual([0, '']);
    for (const word of ['acquire', 'release', 'heartbeat', 'hold', 'unhold', 'run', '--hold-on-failure', 'CIMASTER_URL', 'CIMASTER_TOKEN_FILE', 'BUILD_ID', 'JOB_NAME']) {
      expect(help.stdout).toContain(word);
    }
  });
});
