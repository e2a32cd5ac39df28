import { ClusterPool, transitions, type PoolState } from '@ci-stack/pool';
import { FakeClock } from '@ci-stack/core/testing';
import { BatchingPoolStore, type VersionedBackend } from './batching-store';
import { CONFIGMAP_MAX_BYTES } from './configmap-backend';
import { MemoryBackend } from './memory-backend';

/** The memory backend with the ConfigMap's size limit, to exercise the size policy quickly. */
class LimitedBackend extends MemoryBackend implements VersionedBackend {
  readonly maxBytes = CONFIGMAP_MAX_BYTES;
  lastBytes = 0;
  override async save(text: string, version: string | null): Promise<'ok' | 'conflict'> {
    this.lastBytes = Buffer.byteLength(text);
    return super.save(text, version);
  }
}

function bigPool(clusters: number, historyPerCluster: number, now: Date): transitions.Command<void> {
  return (state: PoolState) => {
    for (let i = 0; i < clusters; i++) {
      const t = now.toISOString();
      const name = `cluster-${String(i).padStart(5, '0')}`;
      state.clusters.set(name, {
        name,
        region: `region-${i % 7}`,
        state: 'finished',
        since: t,
        addedAt: t,
        freedAt: t,
        history: Array.from({ length: historyPerCluster }, (_, h) => ({ state: 'testing' as const, build: `build-${1_000_000 + h}`, job: 'e2e-k8s-conformance', from: t, to: t, ended: 'finished' as const })),
      });
    }
  };
}

it('keeps 5,000 clusters with capped history under the ConfigMap limit, trimming history first', async () => {
  const clock = new FakeClock();
  const backend = new LimitedBackend();
  const store = new BatchingPoolStore(backend, { clock });
  await store.apply(bigPool(5000, 20, clock.now()));
  expect(backend.lastBytes).toBeLessThanOrEqual(CONFIGMAP_MAX_BYTES);
  const state = await store.read();
  expect(state.clusters.size).toBe(5000);
  const pool = new ClusterPool({ store, clock, leaseMs: 1000, holdMs: 1000, maxHoldMs: 1000 });
  expect((await pool.getVacant({ build: 'x', job: 'y' })).cluster.state).toBe('testing');
});

it('refuses clearly when even the bare pool would not fit, and keeps what was stored', async () => {
  const clock = new FakeClock();
  const store = new BatchingPoolStore(new LimitedBackend(), { clock });
  await store.apply(bigPool(5000, 0, clock.now()));
  const before = (await store.read()).clusters.size;
  await expect(store.apply(bigPool(9000, 0, clock.now()))).rejects.toMatchObject({ code: 'POOL_TOO_LARGE', message: expect.stringMatching(/delete clusters before adding more/) });
  expect((await store.read()).clusters.size).toBe(before);
});
