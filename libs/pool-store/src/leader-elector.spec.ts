import { FakeClock } from '@ci-stack/core/testing';
import { LeaderElector, type ElectionLog, type LeaderLock } from './leader-elector';

const LEASE = 15_000;
const RENEW = 2_000;

/** A lock with an expiry on the test's clock, with failure knobs per replica (a network partition). */
class FakeLock implements LeaderLock {
  holder?: string;
  expiresAt = 0;
  readonly unreachable = new Set<string>();
  releases: string[] = [];

  constructor(private readonly clock: FakeClock) {}

  async tryAcquire(identity: string): Promise<boolean> {
    if (this.unreachable.has(identity)) throw new Error(`connection refused (${identity})`);
    const now = this.clock.now().getTime();
    if (this.holder && this.holder !== identity && now < this.expiresAt) return false;
    this.holder = identity;
    this.expiresAt = now + LEASE;
    return true;
  }

  async release(identity: string): Promise<void> {
    if (this.unreachable.has(identity)) throw new Error('connection refused');
    this.releases.push(identity);
    if (this.holder === identity) this.holder = undefined;
  }
}

/** Keeps what the elector reports, as pino would write it. */
function recordingLog(): ElectionLog & { lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, info: (fields, msg) => lines.push({ ...fields, msg }), warn: (fields, msg) => lines.push({ ...fields, msg }) };
}

/** Every transition an elector reports. */
function transitionsOf(e: LeaderElector): boolean[] {
  const seen: boolean[] = [];
  e.onChange((leading) => seen.push(leading));
  return seen;
}

describe('LeaderElector', () => {
  let clock: FakeClock;
  let lock: FakeLock;
  const electors: LeaderElector[] = [];
  const elector = (identity: string, logger: ElectionLog = recordingLog()) => {
    const e = new LeaderElector({ lock, identity, clock, leaseDurationMs: LEASE, renewIntervalMs: RENEW, logger });
    electors.push(e);
    return e;
  };

  beforeEach(() => {
    clock = new FakeClock();
    lock = new FakeLock(clock);
  });
  afterEach(async () => {
    for (const e of electors.splice(0)) await e.close();
  });

  it('leads once it holds the lock, tells of the transition once, and logs it; the others wait', async () => {
    const log = recordingLog();
    const a = elector('a', log);
    const b = elector('b');
    const [changesA, changesB] = [transitionsOf(a), transitionsOf(b)];
    await a.tick();
    await b.tick();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    clock.advance(RENEW);
    await a.tick(); // a renewal is no transition
    await b.tick();
    expect([changesA, changesB]).toEqual([[true], []]);
    expect(log.lines).toContainEqual(expect.objectContaining({ identity: 'a', leading: true, msg: 'became the leader: running the background loops' }));
  });

  it('lets another replica take over once a dead leader’s lock expires, not before', async () => {
    const a = elector('a');
    const b = elector('b');
    const changesB = transitionsOf(b);
    await a.tick();
    // a dies: it never ticks again and releases nothing.
    for (let t = 0; t < LEASE - RENEW; t += RENEW) {
      clock.advance(RENEW);
      await b.tick();
      expect(b.isLeader()).toBe(false);
    }
    clock.advance(2 * RENEW);
    await b.tick();
    expect([b.isLeader(), changesB]).toEqual([true, [true]]);
  });

  it('steps down when it cannot renew for two thirds of the lease, before anyone may take over', async () => {
    const log = recordingLog();
    const a = elector('a', log);
    const changes = transitionsOf(a);
    await a.tick();
    lock.unreachable.add('a');
    clock.advance(RENEW);
    await a.tick();
    expect(a.isLeader()).toBe(true); // one failed renewal is not enough
    clock.advance((LEASE * 2) / 3 - RENEW);
    expect([a.isLeader(), changes]).toEqual([false, [true, false]]);
    expect(lock.expiresAt).toBeGreaterThan(clock.now().getTime()); // the lock had not lapsed yet: no overlap
    expect(log.lines.filter((l) => l.msg === 'leader election: cannot reach the lock; will retry')).toHaveLength(1);
    expect(log.lines).toContainEqual(expect.objectContaining({ leading: false, reason: 'could not renew the lock in time' }));
  });

  it('steps down at once when it finds another holder', async () => {
    const a = elector('a');
    await a.tick();
    lock.holder = 'b'; // e.g. an operator moved the lease by hand
    clock.advance(RENEW);
    await a.tick();
    expect(a.isLeader()).toBe(false);
  });

  it('releases the lock on close so the next replica leads at its next attempt', async () => {
    const a = elector('a');
    const b = elector('b');
    const changesA = transitionsOf(a);
    await a.tick();
    await a.close();
    expect([a.isLeader(), changesA, lock.releases]).toEqual([false, [true, false], ['a']]);
    await b.tick();
    expect(b.isLeader()).toBe(true);
  });

  it('never has two leaders at a time through deaths, partitions and recoveries', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const replicas = ['a', 'b', 'c'].map((id) => ({ id, elector: elector(id), alive: true }));
    let leaderships = 0;
    for (const r of replicas) r.elector.onChange((leading) => void (leading && leaderships++));
    for (let step = 0; step < 3000; step++) {
      clock.advance(Math.floor(random() * 1500));
      const r = replicas[Math.floor(random() * replicas.length)];
      const roll = random();
      if (roll < 0.02) r.alive = false; // SIGKILL: silent from now on
      else if (roll < 0.05) r.alive = true; // a restart under the same name
      else if (roll < 0.1) lock.unreachable.add(r.id);
      else if (roll < 0.2) lock.unreachable.delete(r.id);
      else if (r.alive) await r.elector.tick();
      const leaders = replicas.filter((x) => x.alive && x.elector.isLeader());
      expect(leaders.length).toBeLessThanOrEqual(1);
    }
    expect(leaderships).toBeGreaterThan(5); // the lead really moved around
  });
});
