import { FakeClock } from '@ci-stack/core/testing';
import { actors } from './acting';
import { ClusterPool, type PoolChanges } from './cluster-pool';
import { NoCapacityError, ShuttingDownError } from './errors';
import { emptyPool, type PoolState } from './model';
import type { PoolStore } from './store';
import * as transitions from './transitions';
import type { Command } from './transitions';

/** A store on one in-memory state that tells its subscribers after every command, like the real stores do. */
class NotifyingStore implements PoolStore, PoolChanges {
  state: PoolState = emptyPool();
  readonly listeners = new Set<() => void>();
  applied = 0;

  constructor(private readonly clock: FakeClock) {}

  async apply<T>(command: Command<T>): Promise<T> {
    this.applied++;
    const result = command(this.state, this.clock.now());
    for (const l of [...this.listeners]) l();
    return result;
  }

  async read(): Promise<PoolState> {
    return structuredClone(this.state);
  }

  async close(): Promise<void> {
    return undefined;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A sleep that only ends when aborted (or when the test says so), so a waiter can only be woken by a change. */
function controlledSleep(): { sleep: (ms: number, signal?: AbortSignal) => Promise<void>; sleeps: number[]; endAll(): void } {
  const ends = new Set<() => void>();
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        sleeps.push(ms);
        const end = (): void => {
          ends.delete(end);
          resolve();
        };
        ends.add(end);
        signal?.addEventListener('abort', end, { once: true });
      }),
    endAll: () => [...ends].forEach((end) => end()),
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('a waiting getvacant', () => {
  let clock: FakeClock;
  let store: NotifyingStore;
  let timer: ReturnType<typeof controlledSleep>;
  const pool = (changes?: PoolChanges) => new ClusterPool({ store, clock, leaseMs: 60_000, holdMs: 60_000, maxHoldMs: 60_000, changes, sleep: timer.sleep });

  beforeEach(() => {
    clock = new FakeClock();
    store = new NotifyingStore(clock);
    timer = controlledSleep();
  });

  it('gets the cluster another build frees as soon as the store reports the change, without a poll', async () => {
    const p = pool(store);
    await p.add('c1', 'r');
    await p.getVacant({ build: 'holder', job: 'e2e' });
    const waiting = p.getVacant({ build: 'waiter', job: 'e2e', waitMs: 600_000 });
    await settle();
    expect(store.state.queue.map((t) => t.build)).toEqual(['waiter']);
    await p.finish('c1', { actor: actors.open, build: 'holder' });
    const got = await waiting;
    expect(got).toMatchObject({ queued: true, cluster: { name: 'c1', holder: { build: 'waiter' } } });
    expect(store.state.queue).toEqual([]);
    expect(store.listeners.size).toBe(0);
  });

  it('sleeps at most the slow fallback interval when it has change notifications', async () => {
    const p = new ClusterPool({ store, clock, leaseMs: 60_000, holdMs: 60_000, maxHoldMs: 60_000, changes: store, pollMs: 5000, sleep: timer.sleep });
    await p.add('c1', 'r');
    await p.getVacant({ build: 'holder', job: 'e2e' });
    const waiting = p.getVacant({ build: 'waiter', job: 'e2e', waitMs: 600_000 }).catch((e: unknown) => e);
    await settle();
    expect(timer.sleeps).toHaveLength(1);
    expect(timer.sleeps[0]).toBeGreaterThanOrEqual(2500);
    expect(timer.sleeps[0]).toBeLessThanOrEqual(7500);
    clock.advance(600_000);
    timer.endAll();
    expect(await waiting).toBeInstanceOf(NoCapacityError);
  });

  it('still finds a freed cluster by polling when nothing reports changes', async () => {
    const p = pool();
    await p.add('c1', 'r');
    await p.getVacant({ build: 'holder', job: 'e2e' });
    const waiting = p.getVacant({ build: 'waiter', job: 'e2e', waitMs: 600_000 });
    await settle();
    await p.finish('c1', { actor: actors.open, build: 'holder' });
    await settle();
    expect(store.state.clusters.get('c1')?.state).toBe('finished'); // nobody woke the waiter
    timer.endAll();
    expect((await waiting).cluster.holder?.build).toBe('waiter');
  });

  it('does not miss a change that lands while it is looking', async () => {
    const p = pool(store);
    await p.add('c1', 'r');
    await p.getVacant({ build: 'holder', job: 'e2e' });
    // The release lands while the waiter's first look is in flight: after it read the pool, before it sleeps.
    const apply = store.apply.bind(store);
    let released = false;
    store.apply = async <T>(command: Command<T>): Promise<T> => {
      try {
        return await apply(command);
      } catch (err) {
        if (!released && err instanceof NoCapacityError && store.state.queue.length > 0) {
          released = true;
          await apply(transitions.finishTest('c1', { actor: actors.open, build: 'holder' }));
        }
        throw err;
      }
    };
    const got = await p.getVacant({ build: 'waiter', job: 'e2e', waitMs: 600_000 });
    expect(released).toBe(true);
    expect(got.cluster.holder?.build).toBe('waiter');
    expect(timer.sleeps).toEqual([]);
  });

  it('leaves the queue and stops listening when its client goes away', async () => {
    const p = pool(store);
    await p.add('c1', 'r');
    await p.getVacant({ build: 'holder', job: 'e2e' });
    const gone = new AbortController();
    const waiting = p.getVacant({ build: 'waiter', job: 'e2e', waitMs: 600_000, signal: gone.signal }).catch((e: unknown) => e);
    await settle();
    expect(store.listeners.size).toBe(1);
    gone.abort();
    expect(await waiting).toMatchObject({ code: 'NO_VACANT_CLUSTER', message: 'request cancelled while waiting for a vacant cluster' });
    expect(store.state.queue).toEqual([]);
    expect(store.listeners.size).toBe(0);
  });

  it('refreshes its ticket while the pool stays quiet, so the sweeper does not drop it', async () => {
    const p = new ClusterPool({ store, clock, leaseMs: 60_000, holdMs: 60_000, maxHoldMs: 60_000, changes: store, pollMs: 60_000, staleTicketMs: 30_000, sleep: timer.sleep });
    await p.add('c1', 'r');
    await p.getVacant({ build: 'holder', job: 'e2e' });
    const waiting = p.getVacant({ build: 'waiter', job: 'e2e', waitMs: 600_000 });
    await settle();
    expect(timer.sleeps[0]).toBeLessThanOrEqual(10_000); // a third of the stale age, not the 60 s poll
    const seenAt = store.state.queue[0].seenAt;
    clock.advance(10_000);
    timer.endAll();
    await settle();
    await settle();
    expect(store.state.queue[0].seenAt > seenAt).toBe(true);
    await p.finish('c1', { actor: actors.open, build: 'holder' });
    expect((await waiting).cluster.name).toBe('c1');
  });
});

describe('stopping the waits of a replica that shuts down', () => {
  let clock: FakeClock;
  let store: NotifyingStore;
  let timer: ReturnType<typeof controlledSleep>;
  const pool = () => new ClusterPool({ store, clock, leaseMs: 60_000, holdMs: 60_000, maxHoldMs: 60_000, changes: store, sleep: timer.sleep });

  beforeEach(() => {
    clock = new FakeClock();
    store = new NotifyingStore(clock);
    timer = controlledSleep();
  });

  it('answers every waiter SHUTTING_DOWN once one write removed all of their tickets; another replica keeps its own', async () => {
    const p = pool();
    const other = pool();
    await p.add('c1', 'r');
    await p.getVacant({ build: 'holder', job: 'e2e' });
    const mine = ['w1', 'w2', 'w3'].map((build) => p.getVacant({ build, job: 'e2e', waitMs: 600_000 }).catch((e: unknown) => e));
    const theirs = other.getVacant({ build: 'w4', job: 'e2e', waitMs: 600_000 }).catch((e: unknown) => e);
    await settle();
    expect(store.state.queue.map((t) => t.build)).toEqual(['w1', 'w2', 'w3', 'w4']);
    const writes: number[] = [];
    const answered: unknown[] = [];
    const apply = store.apply.bind(store);
    store.apply = async <T>(command: Command<T>): Promise<T> => {
      const result = await apply(command);
      writes.push(store.state.queue.length);
      return result;
    };
    for (const w of mine) void w.then((e) => answered.push([e, store.state.queue.length]));

    expect(await p.stopWaiting()).toBe(3);
    expect(writes).toEqual([1]); // one write, leaving only the other replica's waiter
    for (const w of mine) expect(await w).toBeInstanceOf(ShuttingDownError);
    expect(answered).toEqual([0, 1, 2].map(() => [expect.objectContaining({ code: 'SHUTTING_DOWN', kind: 'unavailable' }), 1]));
    expect(store.state.queue.map((t) => t.build)).toEqual(['w4']);
    // A new wait on the stopped replica is not queued at all; the other replica's waiter still gets its cluster.
    expect(await p.getVacant({ build: 'w5', job: 'e2e', waitMs: 600_000 }).catch((e: unknown) => e)).toBeInstanceOf(ShuttingDownError);
    expect(await p.stopWaiting()).toBe(3);
    await other.finish('c1', { actor: actors.open, build: 'holder' });
    expect(await theirs).toMatchObject({ cluster: { name: 'c1', holder: { build: 'w4' } } });
  });

  it('lets each waiter finish the store call it has in flight: a cluster that call got is kept, the other tickets go after', async () => {
    const p = pool();
    await p.add('c1', 'r');
    await p.getVacant({ build: 'holder', job: 'e2e' });
    const lucky = p.getVacant({ build: 'lucky', job: 'e2e', waitMs: 600_000 });
    const late = p.getVacant({ build: 'late', job: 'e2e', waitMs: 600_000 }).catch((e: unknown) => e);
    await settle();
    // Hold every store call at a gate, free c1 behind the store's back and wake both waiters: both look, held.
    const apply = store.apply.bind(store);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let held = 0;
    store.apply = async <T>(command: Command<T>): Promise<T> => {
      held++;
      await gate;
      return apply(command);
    };
    transitions.finishTest('c1', { actor: actors.open, build: 'holder' })(store.state, clock.now());
    for (const l of [...store.listeners]) l();
    await settle();
    expect(held).toBe(2);
    const stopped = p.stopWaiting();
    open();
    expect(await stopped).toBe(1);
    expect(await lucky).toMatchObject({ cluster: { name: 'c1', holder: { build: 'lucky' } } });
    expect(await late).toBeInstanceOf(ShuttingDownError);
    expect(store.state.queue).toEqual([]);
    expect(held).toBe(3); // the two looks and the one removal
  });
});
