// cimaster as it ships (the bundle in dist/, built by the global setup), several processes on one store: no
// cluster in two hands, background loops on the leader only (which another replica takes over when it is killed),
// a process killed with SIGKILL under load loses nothing, and the inventory restores a pool Redis has lost.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type RedisServer, startRedisServer } from '@ci-stack/pool-store/testing';
import { ROOT, type RunningService, leaderOf, metric, startService } from './services';

type Proc = RunningService;

const startCimaster = (args: string[]): Promise<Proc> => startService('cimaster', args);

const get = async (p: Proc, path: string) => {
  const res = await fetch(`${p.url}${path}`);
  return { status: res.status, text: await res.text() };
};

interface View {
  name: string;
  region: string;
  labels: Record<string, string>;
  state: string;
  holder: { build: string } | null;
}
const clusters = async (p: Proc): Promise<View[]> => JSON.parse((await get(p, '/clusters')).text).clusters as View[];

/** Polls until `check` holds; the test's own timeout bounds it. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 100));
}

describe('two cimaster processes on one Redis', () => {
  let redis: RedisServer;
  let procs: Proc[] = [];
  beforeAll(async () => {
    redis = await startRedisServer({ password: 'p4ssw0rd-for-tests' });
    const args = ['--store', 'redis', '--redis-url', `redis://:p4ssw0rd-for-tests@127.0.0.1:${redis.port}/0`, '--redis-prefix', 'test:'];
    procs = [await startCimaster(args), await startCimaster(args)];
  }, 60_000);
  afterAll(async () => {
    for (const p of procs) await p.stop();
    await redis?.stop();
  });

  it('hands out 50 distinct clusters to 200 concurrent getvacant, 150 no-capacity answers, 20 rounds', async () => {
    for (let round = 0; round < 20; round++) {
      for (const c of await clusters(procs[0])) {
        await get(procs[0], `/finishtest?cluster=${c.name}`);
        await get(procs[0], `/deletecluster?cluster=${c.name}`);
      }
      for (let i = 0; i < 50; i++) await get(procs[i % 2], `/addcluster?cluster=r${round}-${i}&region=west`);
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => get(procs[i % 2], `/getvacant?build=b${round}-${i}&job=e2e`).then((a) => ({ ...a, build: `b${round}-${i}` }))));
      const granted = answers.filter((a) => a.status === 200);
      expect([granted.length, new Set(granted.map((a) => a.text)).size, answers.filter((a) => a.status === 503).length]).toEqual([50, 50, 150]);
      const holder = new Map(granted.map((a) => [a.text, a.build]));
      expect((await clusters(procs[1])).filter((c) => c.state !== 'testing' || c.holder?.build !== holder.get(c.name))).toEqual([]);
    }
  }, 120_000);
});

describe('background loops on the leader only (Redis)', () => {
  it('one replica sweeps; when it is killed with SIGKILL the other takes over; waiters still wake after FLUSHALL', async () => {
    const redis = await startRedisServer();
    const args = ['--store', 'redis', '--redis-url', redis.url, '--test-lease', '1s', '--sweep-interval', '200ms', '--leader-lease-duration', '3s', '--leader-renew-interval', '500ms'];
    const procs = [await startCimaster(args), await startCimaster(args)];
    try {
      const { lead, follow } = await leaderOf([procs[0], procs[1]]);
      await get(follow, '/addcluster?cluster=c1&region=r');
      expect((await get(follow, '/getvacant?build=1&job=e2e')).text).toBe('c1');
      await eventually(async () => (await clusters(follow))[0].state === 'finished'); // the lease expired
      expect(await metric(lead, 'cimaster_expirations_total{kind="lease"}')).toBe(1);
      expect(await metric(follow, 'cimaster_expirations_total{kind="lease"}')).toBe(0);

      lead.process.child.kill('SIGKILL');
      expect((await get(follow, '/getvacant?build=2&job=e2e')).text).toBe('c1');
      await eventually(async () => (await clusters(follow))[0].state === 'finished');
      expect(await metric(follow, 'cimaster_leader_status')).toBe(1);
      expect(await metric(follow, 'cimaster_expirations_total{kind="lease"}')).toBe(1);

      // The store loses its data; a waiter on the survivor still gets the cluster added afterwards.
      const admin = await startCimaster(args);
      procs.push(admin);
      await redis.flushAll();
      const waiting = get(follow, '/getvacant?build=3&job=e2e&wait=60s');
      await eventually(async () => JSON.parse((await get(follow, '/queue')).text).queue.length === 1);
      await get(admin, '/addcluster?cluster=c2&region=r');
      expect(await waiting).toEqual({ status: 200, text: 'c2' });
    } finally {
      for (const p of procs) await p.stop();
      await redis.stop();
    }
  }, 60_000);
});

describe('a process killed with SIGKILL under load', () => {
  it.each(['file', 'redis'])('%s store: restarted, it has every completed change and no cluster in two hands', async (store) => {
    const dir = await mkdtemp(join(tmpdir(), 'cimaster-kill-'));
    const redis = store === 'redis' ? await startRedisServer() : undefined;
    const args = store === 'file' ? ['--store', 'file', '--state-file', join(dir, 'pool.json')] : ['--store', 'redis', '--redis-url', redis?.url ?? ''];
    try {
      let proc = await startCimaster(args);
      for (let i = 0; i < 20; i++) await get(proc, `/addcluster?cluster=k${i}&region=r`);
      const acknowledged = new Map<string, string>();
      let interrupted = 0;
      let kept = 0;
      // getvacant and finishtest churn, so writes are in flight when the process dies.
      const load = Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          for (let n = 0; ; n++) {
            const build = `k-${i}-${n}`;
            const a = await get(proc, `/getvacant?build=${build}&job=e2e`).catch(() => undefined);
            if (!a) return void interrupted++;
            if (a.status !== 200) continue;
            acknowledged.set(a.text, build);
            if (n % 3 === 2) return void kept++; // keep some clusters, so allocations stand when the process dies
            // From here the cluster may or may not come back, if the process dies before answering.
            acknowledged.delete(a.text);
            const done = await get(proc, `/finishtest?cluster=${a.text}&build=${build}`).catch(() => undefined);
            if (!done) return void interrupted++;
          }
        }),
      );
      // Kill once some allocations stand, whatever the machine's speed, while the other clients still churn.
      await eventually(async () => kept >= 3);
      proc.process.child.kill('SIGKILL');
      await load;
      expect(interrupted).toBeGreaterThan(0);
      proc = await startCimaster(args);
      const after = await clusters(proc);
      expect(after).toHaveLength(20);
      // Every allocation a client was told of and kept is still held by it; no build holds two clusters.
      expect(acknowledged.size).toBeGreaterThan(0);
      for (const [name, build] of acknowledged) expect(after.find((c) => c.name === name)?.holder?.build).toBe(build);
      const holders = after.filter((c) => c.state === 'testing').map((c) => c.holder?.build);
      expect(new Set(holders).size).toBe(holders.length);
      if (store === 'file') expect(JSON.parse(await readFile(join(dir, 'pool.json'), 'utf8'))).toMatchObject({ version: 1 }); // whole, never half-written
      await proc.stop();
    } finally {
      await redis?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the inventory after the Redis store loses its data', () => {
  it('FLUSHALL: the listed clusters come back on their own, vacant, with their region and labels; API-added ones are gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cimaster-inventory-'));
    const redis = await startRedisServer();
    const inventory = join(dir, 'inventory.yaml');
    await writeFile(inventory, 'clusters:\n  - {name: inv-west, region: us-west, labels: {k8s: "1.32"}}\n  - {name: inv-east, region: us-east}\n');
    const args = ['--store', 'redis', '--redis-url', redis.url, '--inventory', inventory, '--job-poll-interval', '200ms', '--leader-lease-duration', '3s', '--leader-renew-interval', '500ms'];
    const procs = [await startCimaster(args), await startCimaster(args)];
    const pool = async (p: Proc) => (await clusters(p)).map((c) => ({ name: c.name, region: c.region, labels: c.labels, state: c.state })).sort((a, b) => a.name.localeCompare(b.name));
    const declared = [
      { name: 'inv-east', region: 'us-east', labels: {}, state: 'finished' },
      { name: 'inv-west', region: 'us-west', labels: { k8s: '1.32' }, state: 'finished' },
    ];
    try {
      await eventually(async () => (await pool(procs[1])).length === 2);
      expect(await pool(procs[1])).toEqual(declared);
      expect((await get(procs[0], '/addcluster?cluster=api-1&region=us-west')).status).toBe(200);
      expect((await get(procs[1], '/getvacant?build=1&job=e2e&labels=k8s=1.32')).text).toBe('inv-west');

      await redis.flushAll();
      // Nobody writes from here: only reads, until the leader's inventory sync has put the listed clusters back.
      await eventually(async () => JSON.stringify(await pool(procs[0])) === JSON.stringify(declared));
      expect(await pool(procs[1])).toEqual(declared);
      expect((await get(procs[1], '/getvacant?build=2&job=e2e&labels=k8s=1.32')).text).toBe('inv-west');
    } finally {
      for (const p of procs) await p.stop();
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a bad inventory at start-up', () => {
  /** The shipped bundle's exit code and stderr. */
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = execFile(process.execPath, [resolve(ROOT, 'dist/apps/cimaster/main.js'), ...args], { env: { PATH: process.env.PATH } }, (_, __, stderr) => done({ code: child.exitCode, stderr }));
    });

  it.each([
    [
      'a name listed twice and minVacant > maxSize',
      'clusters:\n  - {name: c1, region: r}\n  - {name: c1, region: r}\npools:\n  - {region: r, minVacant: 5, maxSize: 2, maxProvisioning: 1, namePrefix: p-}\n',
      (f: string) => `${f}: pools[0]: minVacant (5) must not exceed maxSize (2); clusters[1].name: c1 is listed twice`,
    ],
    ['not valid YAML', 'clusters: [\n', (f: string) => `${f}: not valid YAML: deficient indentation (2:1)`],
    ['no such file', undefined, (f: string) => `${f}: cannot read it: ENOENT: no such file or directory, open '${f}'`],
  ])('%s: cimaster exits 2 with one line naming the file and every problem, no stack', async (_, text, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'cimaster-bad-inventory-'));
    try {
      const file = join(dir, 'inventory.yaml');
      if (text !== undefined) await writeFile(file, text);
      expect(await run(['--store', 'memory', '--inventory', file])).toEqual({ code: 2, stderr: `cimaster: ${message(file)}\n` });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('cimaster as shipped, when Redis stops answering or the process stops', () => {
  let redis: RedisServer;
  beforeEach(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    redis.thaw();
    await redis.stop();
  });
  const args = () => ['--store', 'redis', '--redis-url', redis.url, '--redis-timeout', '500ms', '--log-level', 'info'];

  it('started against a frozen Redis: listens (/healthz 200, /readyz 503), logs each attempt at warn, serves once Redis answers', async () => {
    await redis.freeze();
    const proc = await startService('cimaster', args(), { readyPath: '/healthz' });
    try {
      expect((await get(proc, '/readyz')).status).toBe(503);
      const warned = () => proc.process.output().split('\n').filter((l) => l.includes('waiting for the store'));
      await eventually(async () => warned().length >= 2);
      expect(JSON.parse(warned()[0])).toMatchObject({ level: 'warn', store: `Redis at redis://127.0.0.1:${redis.port}/0`, attempt: 1, retryInMs: 500 });
      redis.thaw();
      await eventually(async () => (await get(proc, '/readyz')).status === 200);
      expect((await get(proc, '/addcluster?cluster=c1&region=r')).status).toBe(200);
      await eventually(async () => proc.process.output().includes('store reachable: serving'));
    } finally {
      await proc.stop();
    }
  }, 60_000);

  it('SIGTERM: a waiting getvacant is answered 503 SHUTTING_DOWN with Retry-After, and its ticket is gone from Redis', async () => {
    const proc = await startCimaster(args());
    const other = await startCimaster(args());
    try {
      await get(proc, '/addcluster?cluster=c1&region=r');
      expect((await get(proc, '/getvacant?build=holder&job=e2e')).text).toBe('c1');
      const waiting = fetch(`${proc.url}/getvacant?build=w1&job=e2e&wait=60`, { headers: { accept: 'application/json' } });
      const waitingElsewhere = fetch(`${other.url}/getvacant?build=w2&job=e2e&wait=60`).then((r) => r.text());
      await eventually(async () => (JSON.parse((await get(other, '/queue')).text) as { queue: unknown[] }).queue.length === 2);
      const exited = new Promise((done) => proc.process.child.once('exit', done));
      proc.process.child.kill('SIGTERM');
      const answer = await waiting;
      expect([answer.status, answer.headers.get('retry-after'), ((await answer.json()) as { code: string }).code]).toEqual([503, '1', 'SHUTTING_DOWN']);
      await exited;
      expect((JSON.parse((await get(other, '/queue')).text) as { queue: Array<{ build: string }> }).queue.map((t) => t.build)).toEqual(['w2']);
      expect((await get(other, '/finishtest?cluster=c1&build=holder')).status).toBe(200);
      expect(await waitingElsewhere).toBe('c1');
    } finally {
      await proc.stop();
      await other.stop();
    }
  }, 60_000);
});
