import { ClusterPool, emptyPool } from '@ci-stack/pool';
import { BatchingPoolStore, MemoryBackend } from '@ci-stack/pool-store';
import { FakeClock } from '@ci-stack/core/testing';
import { createMetrics } from './metrics';

it('reports at scrape time whether this replica is the leader', async () => {
  let leading = false;
  const { registry } = createMetrics(async () => emptyPool(), { isLeader: () => leading });
  expect(await registry.getSingleMetricAsString('cimaster_leader_status')).toMatch(/^cimaster_leader_status 0$/m);
  leading = true;
  expect(await registry.getSingleMetricAsString('cimaster_leader_status')).toMatch(/^cimaster_leader_status 1$/m);
});

it('counts clusters by every state of each region that has clusters, zeros included, at scrape time', async () => {
  const clock = new FakeClock(new Date('2026-06-01T00:00:00Z'));
  const store = new BatchingPoolStore(new MemoryBackend(), { clock });
  const pool = new ClusterPool({ store, clock, leaseMs: 3_600_000, holdMs: 3_600_000, maxHoldMs: 3_600_000 });
  const { registry } = createMetrics(() => store.read());
  const samples = async (): Promise<string[]> => (await registry.getSingleMetricAsString('cimaster_clusters')).split('\n').filter((l) => !l.startsWith('#'));
  expect(await samples()).toEqual([]);

  await pool.add('w1', 'us-west');
  await pool.add('w2', 'us-west');
  await pool.add('e1', 'eu');
  await pool.getVacant({ build: '1', job: 'e2e', region: 'us-west' });
  await pool.disable('e1');
  const west = (state: string, n: number): string => `cimaster_clusters{state="${state}",region="us-west"} ${n}`;
  const eu = (state: string, n: number): string => `cimaster_clusters{state="${state}",region="eu"} ${n}`;
  expect(await samples()).toEqual(
    expect.arrayContaining([west('finished', 1), west('testing', 1), west('quarantined', 0), west('provisioning', 0), eu('disabled', 1), eu('finished', 0), eu('cleaning', 0), eu('failed', 0)]),
  );
  expect(await samples()).toHaveLength(2 * 8);

  // A region without clusters is not reported.
  await pool.enable('e1');
  await pool.delete('e1');
  expect((await samples()).filter((l) => l.includes('region="eu"'))).toEqual([]);
});
