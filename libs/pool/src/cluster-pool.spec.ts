import { FakeClock } from '@ci-stack/core/testing';
import { actors } from './acting';
import { ClusterPool, type PoolChanges } from './cluster-pool';
import { NoCapacityError } from './errors';
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
