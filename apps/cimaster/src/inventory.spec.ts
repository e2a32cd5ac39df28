import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ClusterPool, actors } from '@ci-stack/pool';
import { BatchingPoolStore, MemoryBackend } from '@ci-stack/pool-store';
import { FileInvalidError } from '@ci-stack/service-kit';
import { silentLogger } from '@ci-stack/service-kit/testing';
import { FakeClock } from '@ci-stack/core/testing';
import { createApp } from './app';
import type { TriggerAnswer } from './create-cluster';
import { InventoryFile, parseInventory, type Inventory } from './inventory';
import { JobFollower } from './job-follower';
import { runLoop } from './loop';
import { createMetrics } from './metrics';
import { Reconciler } from './reconciler';
import { FakeProwJobs } from './testing/fake-prow-jobs';

const HOUR = 3_600_000;
const GOOD = `
clusters:
  - {name: c1, region: us-west, labels: {k8s: "1.32"}}
  - {name: c2, region: eu}
pools:
  - {region: us-west, labels: {k8s: "1.32"}, minVacant: 2, maxSize: 10, maxProvisioning: 2, namePrefix: usw-k8s132-}
`;

describe('the inventory file', () => {
  it('parses clusters and pool targets', () => {
    const inv = parseInventory(GOOD, 'inv.yaml');
    expect(inv.clusters.map((c) => [c.name, c.region, c.labels?.get('k8s')])).toEqual([
      ['c1', 'us-west', '1.32'],
      ['c2', 'eu', undefined],
    ]);
    expect(inv.pools).toEqual([{ region: 'us-west', labels: new Map([['k8s', '1.32']]), minVacant: 2, maxSize: 10, maxProvisioning: 2, namePrefix: 'usw-k8s132-' }]);
    expect(parseInventory('clusters: []', 'x')).toEqual({ clusters: [], pools: [] });
  });

  it.each([
    ['', 'inv.yaml: expected a map with clusters and pools (write "clusters: []" for an empty inventory)'],
    ['clusters: [', 'inv.yaml: not valid YAML: '],
    ['clusters:\n  - {name: c1, region: r}\n  - {name: c1, region: r}', 'clusters[1].name: c1 is listed twice'],
    ['clusters:\n  - {name: C1, region: r, colour: red}', 'clusters[0].colour: unknown field; allowed: name, region, labels; clusters[0].name "C1" must be a DNS-1123 label'],
    ['clusters:\n  - {name: c1, region: r, labels: {k8s: 1.30}}', 'clusters[0].labels.k8s: must be a string (quote it: k8s: "1.3")'],
    ['clusters:\n  - {name: c1, region: r, labels: {region: eu}}', 'clusters[0].labels: region is not a label here; set the region with region='],
    ['pools:\n  - {region: r, minVacant: 5, maxSize: 2, maxProvisioning: 1, namePrefix: p-}', 'pools[0]: minVacant (5) must not exceed maxSize (2)'],
    ['pools:\n  - {region: r, minVacant: 1, maxSize: 2, maxProvisioning: 0, namePrefix: P}', 'pools[0].maxProvisioning: required, a whole number of at least 1; pools[0].namePrefix: required, lowercase letters'],
    [
      'pools:\n  - {region: r, minVacant: 1, maxSize: 2, maxProvisioning: 1, namePrefix: a-}\n  - {region: r, minVacant: 1, maxSize: 2, maxProvisioning: 1, namePrefix: a-}',
      'pools[1].namePrefix: a- is used by another pool; pools[1]: another pool has the same region and labels (both would count the same clusters)',
    ],
  ])('refuses %j', (text, message) => {
    expect(() => parseInventory(text, 'inv.yaml')).toThrow(message);
    expect(() => parseInventory(text, 'inv.yaml')).toThrow(FileInvalidError); // a start-up message, not a stack
  });

  it('reloads on change; a bad file keeps the last good one, shown in /readyz and a metric', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inventory-'));
    try {
      const path = join(dir, 'inventory.yaml');
      await writeFile(path, GOOD);
      let errors = 0;
      const file = new InventoryFile(path, () => errors++);
      await file.start();
      await writeFile(path, 'clusters:\n  - {name: c1, region: us-west}\n  - {name: c1, region: us-west}\n');
      await file.reload();
      expect(file.current().clusters).toHaveLength(2);
      expect(errors).toBeGreaterThanOrEqual(1); // the watch may have seen the write too
      const clock = new FakeClock();
      const store = new BatchingPoolStore(new MemoryBackend(), { clock });
      const metrics = createMetrics(() => store.read(), { inventoryError: () => file.lastError });
      const app = createApp({
        pool: new ClusterPool({ store, clock, leaseMs: HOUR, holdMs: HOUR, maxHoldMs: HOUR }),
        metrics,
        logger: silentLogger(),
        maxWaitMs: HOUR,
        ready: async () => undefined,
        createCluster: async () => ({ success: true, message: '' }) as unknown as TriggerAnswer,
        advisories: () => ({ inventory: file.lastError ? { ok: false, message: `keeping the last good inventory: ${file.lastError}` } : { ok: true } }),
      });
      const ready = await request(app).get('/readyz').expect(200);
      expect(ready.body.checks.inventory).toEqual({ ok: false, message: `keeping the last good inventory: ${path}: clusters[1].name: c1 is listed twice` });
      expect(await metrics.registry.getSingleMetricAsString('cimaster_inventory_invalid_files')).toContain('cimaster_inventory_invalid_files 1');
      await writeFile(path, 'clusters: []\n');
      await file.reload();
      expect(file.current().clusters).toEqual([]);
      expect((await request(app).get('/readyz').expect(200)).body.checks.inventory).toEqual({ ok: true });
      file.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('keeping the pool in step with the inventory and its targets', () => {
  function setup(inventory: Inventory) {
    const clock = new FakeClock(new Date('2026-06-01T00:00:00Z'));
    const backend = new MemoryBackend();
    const store = new BatchingPoolStore(backend, { clock });
    const pool = new ClusterPool({ store, clock, leaseMs: HOUR, holdMs: HOUR, maxHoldMs: HOUR });
    const jobs = new FakeProwJobs();
    const config = { createJob: 'create-cluster', branch: 'master', provisionTimeoutMs: 2 * HOUR, cleanupTimeoutMs: HOUR, triggerGraceMs: 35_000 };
    const follower = new JobFollower({ pool, jobs, clock, logger: silentLogger(), config });
    let n = 0;
    const source = { inventory };
    const reconciler = new Reconciler({ pool, follower, clock, logger: silentLogger(), inventory: { current: () => source.inventory }, replenish: { suffix: () => String(++n).padStart(5, '0') } });
    const states = async () => Object.fromEntries([...(await pool.snapshot()).clusters.values()].map((c) => [c.name, c.state]));
    return { pool, jobs, clock, reconciler, source, states, backend };
  }

  it('adds listed clusters, leaves API ones alone, removes a dropped one only once vacant', async () => {
    const s = setup(parseInventory(GOOD.split('pools:')[0], 'x'));
    await s.pool.add('api-added', 'r');
    await s.reconciler.round();
    expect(await s.states()).toEqual({ 'api-added': 'finished', c1: 'finished', c2: 'finished' });
    await s.pool.getVacant({ build: '1', job: 'j', region: 'eu' });
    s.source.inventory = parseInventory('clusters: []', 'x');
    await s.reconciler.round();
    expect(await s.states()).toEqual({ 'api-added': 'finished', c2: 'testing' });
    await s.pool.finish('c2', { actor: actors.open });
    await s.reconciler.round();
    expect(await s.states()).toEqual({ 'api-added': 'finished' });
  });

  it('a target minVacant 3, maxProvisioning 2 from empty converges to 3 vacant, never more than 2 creations at once', async () => {
    const s = setup(parseInventory('pools:\n  - {region: us-west, minVacant: 3, maxSize: 5, maxProvisioning: 2, namePrefix: usw-}', 'x'));
    let most = 0;
    for (let round = 0; round < 6; round++) {
      await s.reconciler.round();
      const running = s.jobs.running();
      most = Math.max(most, running.length, Object.values(await s.states()).filter((x) => x === 'provisioning').length);
      // One creation fails along the way; it stays failed (and counts) until someone retries or deletes it.
      for (const name of running) s.jobs.end(name, name === 'pj-3' ? 'failure' : 'success');
      s.clock.advance(5 * 60_000);
    }
    expect(most).toBe(2);
    const states = Object.values(await s.states());
    expect(states.filter((x) => x === 'finished')).toHaveLength(3);
    expect(states.filter((x) => x === 'failed')).toHaveLength(1);
    expect(s.jobs.triggered.every((t) => t.env?.CLUSTER_REGION === 'us-west' && /^usw-\d{5}$/.test(t.env.CLUSTER_NAME))).toBe(true);
  });

  it('after the store lost its data, the next round brings the pool back without anyone acting', async () => {
    const s = setup(parseInventory(GOOD, 'x'));
    for (let i = 0; i < 3; i++) {
      await s.reconciler.round();
      for (const name of s.jobs.running()) s.jobs.end(name, 'success');
    }
    expect(Object.keys(await s.states()).sort()).toEqual(['c1', 'c2', 'usw-k8s132-00001']);
    await s.backend.save('', (await s.backend.load()).version); // FLUSHALL, in effect
    expect(await s.states()).toEqual({});
    await s.reconciler.round();
    for (const name of s.jobs.running()) s.jobs.end(name, 'success');
    await s.reconciler.round();
    const back = await s.states();
    expect([back.c1, back.c2]).toEqual(['finished', 'finished']);
    expect(Object.values(back).filter((x) => x === 'finished')).toHaveLength(3); // c1 counts towards the target's 2 vacant
  });
});

describe('the background loop', () => {
  it('runs rounds only while this replica leads', async () => {
    let leader = false;
    let rounds = 0;
    let firstRound: () => void = () => undefined;
    const ranOnce = new Promise<void>((r) => (firstRound = r));
    const loop = runLoop({
      name: 'test',
      intervalMs: 5,
      leadership: { isLeader: () => leader },
      logger: silentLogger(),
      round: async () => {
        rounds++;
        firstRound();
      },
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(rounds).toBe(0);
    leader = true;
    await ranOnce;
    await loop.stop();
    expect(rounds).toBeGreaterThan(0);
    const after = rounds;
    await new Promise((r) => setTimeout(r, 20));
    expect(rounds).toBe(after);
  });
});
