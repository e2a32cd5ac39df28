import { FakeClock, capturingLogger } from '@ci-stack/service-kit/testing';
import { LeaderElector, type LeaderLock } from './leader-elector';

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

/** A loop that records whether it runs. */
function recordingLoop(): { start: () => { stop(): Promise<void> }; running: number; starts: number } {
  const loop = {
    running: 0,
    starts: 0,
    start: () => {
      loop.running++;
      loop.starts++;
      return { stop: async () => void loop.running-- };
    },
  };
  return loop;
}

describe('LeaderElector', () => {
  let clock: FakeClock;
  let lock: FakeLock;
  const electors: LeaderElector[] = [];
  const elector = (identity: string, logger = capturingLogger().logger) => {
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

  it('leads once it holds the lock and runs its loops only then; the others wait', async () => {
    const log = capturingLogger();
    const a = elector('a', log.logger);
    const b = elector('b');
    const loopA = recordingLoop();
    const loopB = recordingLoop();
    a.runWhileLeader(loopA.start);
    b.runWhileLeader(loopB.start);
    const changes: boolean[] = [];
    a.onChange((leading) => changes.push(leading));
    await a.tick();
    await b.tick();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    expect([loopA.running, loopB.running]).toEqual([1, 0]);
    clock.advance(RENEW);
    await a.tick(); // a renewal starts nothing new
    expect([loopA.starts, changes]).toEqual([1, [true]]);
    expect(log.lines).toContainEqual(expect.objectContaining({ identity: 'a', leading: true, msg: 'became the leader: running the background loops' }));
  });

  it('starts a loop registered while already leading', async () => {
    const a = elector('a');
    await a.tick();
    const loop = recordingLoop();
    a.runWhileLeader(loop.start);
    expect(loop.running).toBe(1);
  });

  it('lets another replica take over once a dead leader’s lock expires, not before', async () => {
    const a = elector('a');
    const b = elector('b');
    const loopB = recordingLoop();
    b.runWhileLeader(loopB.start);
    await a.tick();
    // a dies: it never ticks again and releases nothing.
    for (let t = 0; t < LEASE - RENEW; t += RENEW) {
      clock.advance(RENEW);
      await b.tick();
      expect(b.isLeader()).toBe(false);
    }
    clock.advance(2 * RENEW);
    await b.tick();
    expect([b.isLeader(), loopB.running]).toEqual([true, 1]);
  });

  it('steps down and stops its loops when it cannot renew for two thirds of the lease, before anyone may take over', async () => {
    const log = capturingLogger();
    const a = elector('a', log.logger);
    const loop = recordingLoop();
    a.runWhileLeader(loop.start);
    await a.tick();
    lock.unreachable.add('a');
    clock.advance(RENEW);
    await a.tick();
    expect(a.isLeader()).toBe(true); // one failed renewal is not enough
    clock.advance((LEASE * 2) / 3 - RENEW);
    expect(a.isLeader()).toBe(false);
    await a.close();
    expect(loop.running).toBe(0);
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
    const loopA = recordingLoop();
    a.runWhileLeader(loopA.start);
    await a.tick();
    await a.close();
    expect([a.isLeader(), loopA.running, lock.releases]).toEqual([false, 0, ['a']]);
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
