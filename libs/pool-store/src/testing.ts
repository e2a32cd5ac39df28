import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ClusterPool, HolderMismatchError, actors, IllegalTransitionError, NoCapacityError, NotHoldOwnerError, StoreCorruptError, assertLabels, transitions, type PoolStore } from '@ci-stack/pool';
import { FakeClock, freePort } from '@ci-stack/core/testing';
import { BatchingPoolStore, type VersionedBackend } from './batching-store';

/** A call on a lease or hold with authentication off: the original rules. */
const OPEN = { actor: actors.open };

export interface RedisServer {
  url: string;
  port: number;
  password?: string;
  /** `FLUSHALL`: the server loses every key, as a Redis without persistence does on a restart. */
  flushAll(): Promise<void>;
  /**
   * SIGSTOP, resolved once the process is stopped: the server keeps accepting connections (the kernel does) but
   * answers nothing, until {@link thaw}.
   */
  freeze(): Promise<void>;
  /** SIGCONT: the server goes on with whatever reached it meanwhile. */
  thaw(): void;
  stop(): Promise<void>;
}

/** Starts Debian's redis-server on a free loopback port in a temp dir, persistence off. Fails if it is missing. */
export async function startRedisServer(opts: { password?: string } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  if (opts.password) args.push('--requirepass', opts.password);
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start in 10s:\n${output}`)), 10_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start redis-server (install Debian's redis-server package): ${err.message}`));
    });
    const check = setInterval(() => {
      if (output.includes('Ready to accept connections')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 20);
  });
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    password: opts.password,
    async flushAll() {
      const admin = new Redis(`redis://${auth}127.0.0.1:${port}`);
      try {
        await admin.flushall();
      } finally {
        admin.disconnect();
      }
    },
    async freeze() {
      child.kill('SIGSTOP');
      // The state letter after the command name in /proc/PID/stat: T once stopped.
      const stopped = async (): Promise<boolean> => / T /.test((await readFile(`/proc/${child.pid}/stat`, 'utf8')).replace(/^.*\)/, ')'));
      for (let i = 0; !(await stopped()); i++) {
        if (i > 500) throw new Error('redis-server did not stop within 5s of SIGSTOP');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    thaw: () => void child.kill('SIGCONT'),
    async stop() {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Counts change notifications; `after(n)` resolves once there have been more than `n`. */
export function changeCounter(): { readonly count: number; hit: () => void; after(n: number): Promise<void> } {
  let count = 0;
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  return {
    get count() {
      return count;
    },
    hit: () => {
      count++;
      for (const w of waiting.filter((x) => count > x.n)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    },
    after: (n) => (count > n ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n, resolve }))),
  };
}

/** The stored document, loosely typed, for corrupting it on purpose. */
type StoredDoc = { clusters: Array<Record<string, unknown>>; queue: Array<Record<string, unknown>> };

/** What the contract suite needs from a backend under test. */
export interface StoreHarness {
  /** A new backend on the same shared storage (another replica, in effect); the suite closes it. */
  makeBackend(): VersionedBackend;
  /** Whether two stores may share the backend at once (false for the single-process file store). */
  multiWriter: boolean;
  cleanup(): Promise<void>;
}

/**
 * The one contract every pool store must honour, run against each backend: persistence, every transition,
 * atomic commands, and no double allocation under concurrency from several replicas.
 */
export function describePoolStore(name: string, setup: () => Promise<StoreHarness>, opts: { rounds?: number } = {}): void {
  describe(`PoolStore contract: ${name}`, () => {
    let harness: StoreHarness;
    let clock: FakeClock;
    const stores: BatchingPoolStore[] = [];
    const backends: VersionedBackend[] = [];
    const backend = (): VersionedBackend => {
      const b = harness.makeBackend();
      backends.push(b);
      return b;
    };
    const store = (): BatchingPoolStore => {
      const s = new BatchingPoolStore(backend(), { clock });
      stores.push(s);
      return s;
    };
    const pool = (s: PoolStore = store()): ClusterPool => new ClusterPool({ store: s, clock, leaseMs: 4 * 3_600_000, holdMs: 6 * 3_600_000, maxHoldMs: 24 * 3_600_000 });
    /** The document as stored, bypassing the store: what an operator would see, or hand-edit. */
    const raw = {
      read: async (): Promise<string | null> => (await backend().load()).text,
      write: async (text: string): Promise<void> => {
        const b = backend();
        expect(await b.save(text, (await b.load()).version)).toBe('ok');
      },
    };

    beforeEach(async () => {
      clock = new FakeClock(new Date('2026-06-01T00:00:00Z'));
      harness = await setup();
    });
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
      for (const b of backends.splice(0)) await b.close();
      await harness.cleanup();
    });

    it('starts empty and persists changes for the next reader', async () => {
      const first = pool();
      expect(await first.snapshot()).toEqual({ clusters: new Map(), queue: [] });
      await first.add('cluster-01', 'us-west', 'admin');
      const again = await pool(harness.multiWriter ? store() : stores[0]).snapshot();
      expect(again.clusters.get('cluster-01')).toMatchObject({ name: 'cluster-01', region: 'us-west', state: 'finished', addedBy: 'admin' });
    });

    it('walks the whole state machine and refuses illegal transitions without changing anything', async () => {
      const p = pool();
      await p.add('c1', 'r1');
      await expect(p.add('c1', 'r1')).rejects.toMatchObject({ code: 'CLUSTER_EXISTS' });
      const got = await p.getVacant({ build: '123', job: 'e2e' });
      expect(got.cluster).toMatchObject({ name: 'c1', state: 'testing', holder: { build: '123', job: 'e2e' } });
      await expect(p.disable('c1')).rejects.toBeInstanceOf(IllegalTransitionError);
      await expect(p.finish('c1', { ...OPEN, build: '999' })).rejects.toBeInstanceOf(HolderMismatchError);
      clock.advance(60_000);
      await p.hold('c1', 2, { ...OPEN, user: 'fesu' });
      await expect(p.getVacant({ build: '124', job: 'e2e' })).rejects.toBeInstanceOf(NoCapacityError);
      await p.release('c1', OPEN);
      await p.disable('c1', 'broken');
      await p.enable('c1');
      const before = await p.snapshot();
      await expect(p.release('c1', OPEN)).rejects.toThrow('cannot release cluster c1: it is finished; release needs a cluster that is held');
      expect(await p.snapshot()).toEqual(before);
      expect(before.clusters.get('c1')?.history.map((h) => h.ended)).toEqual(['held', 'released', 'disabled', 'enabled']);
      await p.delete('c1');
      expect((await p.snapshot()).clusters).toEqual(new Map());
    });

    it('applies a failing command of a concurrent batch without touching the state', async () => {
      const s = store();
      await s.apply(transitions.addCluster('a', 'r'));
      const results = await Promise.allSettled([s.apply(transitions.addCluster('b', 'r')), s.apply(transitions.releaseCluster('a', OPEN)), s.apply(transitions.addCluster('c', 'r'))]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect([...(await s.read()).clusters.keys()].sort()).toEqual(['a', 'b', 'c']);
    });

    it('finishing twice for the same build is harmless', async () => {
      const p = pool();
      await p.add('c1', 'r');
      await p.getVacant({ build: '1', job: 'j' });
      expect((await p.finish('c1', { ...OPEN, build: '1' })).alreadyFinished).toBe(false);
      expect((await p.finish('c1', { ...OPEN, build: '1' })).alreadyFinished).toBe(true);
      await expect(p.finish('c1', { ...OPEN, build: '2' })).rejects.toBeInstanceOf(HolderMismatchError);
    });

    it('keeps a cluster named like an Object.prototype key (constructor) apart from every other, through every transition', async () => {
      const p = pool();
      await p.add('constructor', 'us', 'admin');
      await expect(p.add('constructor', 'us')).rejects.toMatchObject({ code: 'CLUSTER_EXISTS', message: 'cluster constructor already exists (state finished, region us)' });
      expect((await p.getVacant({ build: '1', job: 'e2e' })).cluster).toMatchObject({ name: 'constructor', state: 'testing' });
      expect((await p.finish('constructor', { ...OPEN, build: '1' })).alreadyFinished).toBe(false);
      await p.getVacant({ build: '2', job: 'e2e' });
      await p.hold('constructor', 1, { actor: actors.user('alice') });
      await p.release('constructor', { actor: actors.user('alice') });
      const reread = await pool(harness.multiWriter ? store() : stores[0]).snapshot();
      expect([...reread.clusters.keys()]).toEqual(['constructor']);
      expect(reread.clusters.get('constructor')?.history.map((h) => h.ended)).toEqual(['finished', 'held', 'released']);
      await p.delete('constructor');
      await expect(p.delete('constructor')).rejects.toMatchObject({ code: 'CLUSTER_NOT_FOUND' });
      expect((await p.snapshot()).clusters).toEqual(new Map());
    });

    it("refuses to end another user's hold inside the same guarded write as the release", async () => {
      const p = pool();
      await p.add('c1', 'r');
      await p.getVacant({ build: '1', job: 'e2e' });
      await p.hold('c1', 1, { actor: actors.user('alice') });
      const before = await raw.read();
      await expect(p.release('c1', { actor: actors.user('bob') })).rejects.toBeInstanceOf(NotHoldOwnerError);
      await expect(p.release('c1', { actor: actors.anonymous, build: '1' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'cluster c1 is held by alice; only they or an admin may release it' });
      expect(await raw.read()).toBe(before);
      expect((await p.release('c1', { actor: actors.user('alice') })).state).toBe('finished');
    });

    it.each([
      ['a cluster without freedAt', (doc: StoredDoc) => delete doc.clusters[0].freedAt, 'cluster c1: freedAt is missing'],
      ['a state that does not exist', (doc: StoredDoc) => (doc.clusters[0].state = 'broken'), 'cluster c1: state must be one of finished, testing, held, disabled, provisioning, failed, cleaning, quarantined, got "broken"'],
      ['a ticket without deadline', (doc: StoredDoc) => delete doc.queue[0].deadline, 'queue ticket t1: deadline is missing'],
    ])('refuses a stored pool with %s, naming it, and writes nothing over it', async (_what, corrupt, problem) => {
      const p = pool();
      await p.add('c1', 'r');
      await p.add('c2', 'r');
      await store().apply(transitions.enqueue({ id: 't1', build: 'w', job: 'e2e', deadline: '2026-06-02T00:00:00.000Z' }));
      const doc = JSON.parse((await raw.read()) as string) as StoredDoc;
      corrupt(doc);
      // Indented unlike anything the store writes, so a rewrite of the same data would show too.
      const corrupted = JSON.stringify(doc, null, 1);
      await raw.write(corrupted);
      const fresh = pool(); // for the single-process file store: a restart

      const error = expect.objectContaining({ code: 'STORE_CORRUPT', message: expect.stringContaining(problem) });
      await expect(fresh.add('c3', 'r')).rejects.toEqual(error);
      await expect(fresh.getVacant({ build: '9', job: 'e2e' })).rejects.toBeInstanceOf(StoreCorruptError);
      await expect(fresh.sweep()).rejects.toEqual(error);
      await expect(fresh.snapshot()).rejects.toEqual(error);
      expect(await raw.read()).toBe(corrupted);
    });

    it('expires a lease once even when two replicas sweep at the same time', async () => {
      const a = pool();
      const b = pool(harness.multiWriter ? store() : stores[0]);
      await a.add('c1', 'r');
      await a.getVacant({ build: '7', job: 'j' });
      clock.advance(4 * 3_600_000 + 1);
      const [x, y] = await Promise.all([a.sweep(), b.sweep()]);
      expect(x.expired.length + y.expired.length).toBe(1);
      const c1 = (await a.snapshot()).clusters.get('c1');
      expect(c1?.state).toBe('finished');
      expect(c1?.history.at(-1)).toMatchObject({ state: 'testing', build: '7', ended: 'lease-expired' });
    });

    it('tells subscribers of every change, by this replica and by another, until they unsubscribe', async () => {
      const mine = store();
      const other = harness.multiWriter ? store() : mine;
      const heard = changeCounter();
      const unsubscribe = mine.subscribe(heard.hit);
      // A feed that goes live reports in once and may replay the current state: of three writes in a row, each
      // waited for, at least one can only have been heard as a change.
      for (const [writer, name] of [[other, 'a'], [other, 'b'], [other, 'c'], [mine, 'd']] as const) {
        const seen = heard.count;
        await writer.apply(transitions.addCluster(name, 'r'));
        await heard.after(seen);
      }
      unsubscribe();
      const later = changeCounter();
      const stop = mine.subscribe(later.hit);
      const seen = heard.count;
      await other.apply(transitions.addCluster('e', 'r'));
      await later.after(0);
      expect(heard.count).toBe(seen);
      stop();
    });

    const rounds = opts.rounds ?? 3;
    it(`never hands one cluster to two builds: 200 concurrent getvacant on 50 clusters, ${rounds} rounds`, async () => {
      const replicas = harness.multiWriter ? [pool(), pool(), pool()] : [pool()];
      for (let round = 0; round < rounds; round++) {
        for (const c of (await replicas[0].snapshot()).clusters.keys()) {
          await replicas[0].finish(c, OPEN).catch(() => undefined);
          await replicas[0].delete(c);
        }
        for (let i = 0; i < 50; i++) await replicas[0].add(`c${round}-${i}`, i % 2 ? 'east' : 'west');
        const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => replicas[i % replicas.length].getVacant({ build: `b${round}-${i}`, job: 'e2e' })));
        const granted = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<ClusterPool['getVacant']>>> => r.status === 'fulfilled').map((r) => r.value.cluster);
        const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
        expect(granted).toHaveLength(50);
        expect(new Set(granted.map((c) => c.name)).size).toBe(50);
        expect(refused).toHaveLength(150);
        expect(refused.every((e) => e instanceof NoCapacityError)).toBe(true);
        const stored = await replicas[0].snapshot();
        const holders = new Map(granted.map((c) => [c.name, c.holder?.build]));
        for (const c of stored.clusters.values()) {
          expect(c.state).toBe('testing');
          expect(c.holder?.build).toBe(holders.get(c.name));
        }
      }
    }, 120_000);

    it('never hands one cluster to two builds with labels, cleaning and quarantine in the mix', async () => {
      const replicas = harness.multiWriter ? [store(), store(), store()] : [store()];
      const cleaning = (s: PoolStore): ClusterPool => new ClusterPool({ store: s, clock, leaseMs: 3_600_000, holdMs: 3_600_000, maxHoldMs: 3_600_000, cleanup: { maxAttempts: 2 } });
      const pools = replicas.map(cleaning);
      const gpu = assertLabels('labels', 'gpu=true');
      for (let i = 0; i < 40; i++) await pools[0].add(`l${i}`, i % 2 ? 'east' : 'west', undefined, i % 4 < 2 ? gpu : undefined);
      const selector = assertLabels('labels', 'gpu=true', { selector: true });
      for (let round = 0; round < 3; round++) {
        // Half of the builds ask for gpu=true; every cluster handed out must have it, and none twice.
        const results = await Promise.allSettled(
          Array.from({ length: 120 }, (_, i) => pools[i % pools.length].getVacant({ build: `r${round}-${i}`, job: 'e2e', labels: i % 2 ? selector : undefined })),
        );
        const granted = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ i, cluster: r.value.cluster }] : []));
        expect(new Set(granted.map((g) => g.cluster.name)).size).toBe(granted.length);
        expect(granted.filter((g) => g.i % 2).every((g) => g.cluster.labels?.get('gpu') === 'true')).toBe(true);
        // Builds without a selector may take any cluster, so all 40 go out, each to the build the store recorded.
        expect(granted).toHaveLength(40);
        const stored = (await pools[0].snapshot()).clusters;
        expect(granted.every((g) => stored.get(g.cluster.name)?.holder?.build === `r${round}-${g.i}`)).toBe(true);
        // Give everything back concurrently from every replica: each goes to cleaning once; then one in four
        // fails its cleanup twice (quarantined), the rest are cleaned.
        await Promise.all(granted.map((g, k) => pools[k % pools.length].finish(g.cluster.name, { ...OPEN, build: `r${round}-${g.i}` })));
        const cleaningNow = [...(await pools[0].snapshot()).clusters.values()].filter((c) => c.state === 'cleaning');
        expect(cleaningNow.map((c) => c.name).sort()).toEqual(granted.map((g) => g.cluster.name).sort());
        for (const [k, c] of cleaningNow.entries()) {
          const fails = k % 4 === 0 ? 2 : 0;
          for (let f = 0; f < fails; f++) {
            const key = (await pools[0].snapshot()).clusters.get(c.name)?.job?.key as string;
            await pools[f % pools.length].finishJob(c.name, key, { ok: false, reason: 'dirty' });
          }
          if (!fails) await pools[k % pools.length].finishJob(c.name, c.job?.key as string, { ok: true });
        }
        const after = [...(await pools[0].snapshot()).clusters.values()];
        const quarantined = after.filter((c) => c.state === 'quarantined');
        expect(quarantined).toHaveLength(cleaningNow.filter((_, k) => k % 4 === 0).length);
        // A quarantined cluster is never handed out, however many ask.
        const more = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => pools[i % pools.length].getVacant({ build: `x${round}-${i}`, job: 'e2e' })));
        const got = more.flatMap((r, i) => (r.status === 'fulfilled' ? [{ name: r.value.cluster.name, build: `x${round}-${i}` }] : []));
        expect(new Set(got.map((g) => g.name)).size).toBe(got.length);
        expect(got).toHaveLength(40 - quarantined.length);
        expect(got.filter((g) => quarantined.some((q) => q.name === g.name))).toEqual([]);
        for (const [k, g] of got.entries()) {
          const { cluster } = await pools[k % pools.length].finish(g.name, { ...OPEN, build: g.build });
          await pools[0].finishJob(g.name, cluster.job?.key as string, { ok: true });
        }
        for (const q of quarantined) await pools[round % pools.length].enable(q.name);
        expect([...(await pools[0].snapshot()).clusters.values()].every((c) => c.state === 'finished')).toBe(true);
      }
    }, 120_000);
  });
}
