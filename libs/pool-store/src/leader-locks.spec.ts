import { Redis } from 'ioredis';
import { startFakeKubeApi } from '@ci-stack/kube/testing';
import { FakeClock } from '@ci-stack/core/testing';
import { systemClock } from '@ci-stack/core';
import { KubeLeaseLock } from './kube-lease-lock';
import { LeaderElector } from './leader-elector';
import { RedisLeaderLock } from './redis-leader-lock';
import { type RedisServer, startRedisServer } from './testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RedisLeaderLock (real redis-server)', () => {
  let redis: RedisServer;
  let admin: Redis;
  const locks: RedisLeaderLock[] = [];
  const lock = (leaseDurationMs = 60_000) => {
    const l = new RedisLeaderLock({ url: redis.url, key: 'ci:leader', leaseDurationMs });
    locks.push(l);
    return l;
  };
  beforeAll(async () => {
    redis = await startRedisServer({ password: 'lock-pass' });
    admin = new Redis(redis.url);
  });
  afterEach(async () => {
    for (const l of locks.splice(0)) await l.close();
    await admin.flushall();
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });

  it('is held by one identity at a time, renewed by its holder, and freed only by its holder', async () => {
    const [a, b] = [lock(), lock()];
    expect(await a.tryAcquire('a')).toBe(true);
    expect(await b.tryAcquire('b')).toBe(false);
    expect(await a.tryAcquire('a')).toBe(true);
    expect(await admin.pttl('ci:leader')).toBeGreaterThan(50_000);
    await b.release('b'); // not the holder: nothing happens
    expect(await admin.get('ci:leader')).toBe('a');
    await a.release('a');
    expect(await b.tryAcquire('b')).toBe(true);
  });

  it('survives FLUSHALL: the holder takes the lost key again', async () => {
    const [a, b] = [lock(), lock()];
    await a.tryAcquire('a');
    await admin.flushall();
    expect(await a.tryAcquire('a')).toBe(true);
    expect(await b.tryAcquire('b')).toBe(false);
  });

  it('two electors, one killed: the other takes over when the lock lapses, and there is one leader at a time', async () => {
    const lease = 600;
    const make = (id: string) => new LeaderElector({ lock: new RedisLeaderLock({ url: redis.url, key: 'ci:leader', leaseDurationMs: lease }), identity: id, clock: systemClock, leaseDurationMs: lease, renewIntervalMs: 100 });
    const [a, b] = [make('a'), make('b')];
    await a.tick();
    await b.tick();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    // a is killed: it stops ticking and releases nothing. b keeps trying until the key lapses on the server.
    for (let tries = 0; !b.isLeader(); tries++) {
      expect(tries).toBeLessThan(100);
      await sleep(50);
      await b.tick();
    }
    expect(a.isLeader()).toBe(false); // a's own renew deadline passed before its key lapsed: never two leaders
    expect(await admin.get('ci:leader')).toBe('b');
    await b.close();
    expect(await admin.get('ci:leader')).toBeNull();
    await a.close(); // the killed replica's connection, for the test's sake
  });
});

describe('KubeLeaseLock (fake API server)', () => {
  it('creates the Lease, refuses a live holder, takes over a lease unchanged for its duration, counts transitions', async () => {
    const api = await startFakeKubeApi();
    const clock = new FakeClock();
    const lock = () => new KubeLeaseLock({ kubeConfig: api.kubeConfig(), namespace: 'ci', name: 'clusters-leader', leaseDurationMs: 15_000, clock });
    const [a, b] = [lock(), lock()];
    try {
      expect(await a.tryAcquire('a')).toBe(true);
      const [created] = api.list('leases', 'ci');
      expect(created.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0, renewTime: expect.stringMatching(/\.\d{6}Z$/) });
      expect(await b.tryAcquire('b')).toBe(false); // b starts its own count from what it sees now
      clock.advance(10_000);
      expect(await a.tryAcquire('a')).toBe(true); // a renews: a new version, so b's count starts again
      clock.advance(10_000);
      expect(await b.tryAcquire('b')).toBe(false);
      clock.advance(14_999);
      expect(await b.tryAcquire('b')).toBe(false);
      clock.advance(1);
      expect(await b.tryAcquire('b')).toBe(true);
      expect(api.list('leases', 'ci')[0].spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
      expect(await a.tryAcquire('a')).toBe(false);
    } finally {
      await api.close();
    }
  });

  it('lets exactly one of two racing replicas create it, and hands over at once on release', async () => {
    const api = await startFakeKubeApi();
    const clock = new FakeClock();
    const lock = () => new KubeLeaseLock({ kubeConfig: api.kubeConfig(), namespace: 'ci', name: 'clusters-leader', leaseDurationMs: 15_000, clock });
    const [a, b] = [lock(), lock()];
    try {
      const won = await Promise.all([a.tryAcquire('a'), b.tryAcquire('b')]);
      expect(won.filter(Boolean)).toHaveLength(1);
      const [winner, loser, loserId] = won[0] ? [a, b, 'b'] : [b, a, 'a'];
      await loser.release(loserId); // not the holder: nothing happens
      expect(await loser.tryAcquire(loserId)).toBe(false);
      await winner.release(won[0] ? 'a' : 'b');
      expect(api.list('leases', 'ci')[0].spec.holderIdentity).toBeUndefined();
      expect(await loser.tryAcquire(loserId)).toBe(true);
    } finally {
      await api.close();
    }
  });

  it('loses a race for a lapsed lease on the resourceVersion, not by overwriting', async () => {
    const api = await startFakeKubeApi();
    const clock = new FakeClock();
    const lock = () => new KubeLeaseLock({ kubeConfig: api.kubeConfig(), namespace: 'ci', name: 'l', leaseDurationMs: 5_000, clock });
    const [a, b, c] = [lock(), lock(), lock()];
    try {
      await a.tryAcquire('a');
      await Promise.all([b.tryAcquire('b'), c.tryAcquire('c')]);
      clock.advance(5_000);
      const won = await Promise.all([b.tryAcquire('b'), c.tryAcquire('c')]);
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(api.list('leases', 'ci')[0].spec.leaseTransitions).toBe(1);
    } finally {
      await api.close();
    }
  });
});
