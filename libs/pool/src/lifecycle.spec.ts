import { actors } from './acting';
import { decodePool, encodePool } from './codec';
import { assertLabels, formatLabels, parseLabels, satisfies } from './labels';
import * as lc from './lifecycle';
import { emptyPool, type PoolState } from './model';
import * as t from './transitions';

const HOUR = 3_600_000;
const OPEN = { actor: actors.open };
const at = (minutes: number) => new Date(Date.UTC(2026, 5, 1, 0, minutes));
const labels = (text: string) => assertLabels('labels', text);
const CLEAN = { cleanup: true };

describe('labels', () => {
  it.each([
    ['k8s=1.32,gpu=true', [], 'gpu=true,k8s=1.32'],
    ['example.com/tier=gold', [], 'example.com/tier=gold'],
    ['gpu', ['labels: "gpu" is not key=value (write labels as k8s=1.32,gpu=true)'], ''],
    ['gpu=', ['labels: value "" of gpu must be 1 to 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit'], ''],
    ['a=1,a=2', ['labels: a is given twice'], 'a=1'],
    ['region=us-west', ['labels: region is not a label here; set the region with region='], ''],
    ['-x=1', ['labels: key "-x" must be at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit'], ''],
    ['Bad_Prefix/x=1', ['labels: key "Bad_Prefix/x" has a prefix that is not a DNS subdomain'], ''],
    ['a-1.b-2.example.com/x=1', [], 'a-1.b-2.example.com/x=1'],
    ...['a..b', '.a', 'a.', 'a-.b', ''].map((prefix) => [`${prefix}/x=1`, [`labels: key "${prefix}/x" has a prefix that is not a DNS subdomain`], ''] as [string, string[], string]),
  ])('%s', (text, problems, canonical) => {
    const parsed = parseLabels('labels', text);
    expect(parsed.problems).toEqual(problems);
    expect(formatLabels(parsed.labels)).toBe(canonical);
  });

  it('lets a selector name the region, which every cluster carries as a label', () => {
    const selector = assertLabels('labels', 'region=us-west,gpu=true', { selector: true });
    expect(satisfies({ region: 'us-west', labels: labels('gpu=true,k8s=1.32') }, undefined, selector)).toBe(true);
    expect(satisfies({ region: 'eu', labels: labels('gpu=true') }, undefined, selector)).toBe(false);
    expect(satisfies({ region: 'us-west' }, undefined, selector)).toBe(false);
    expect(satisfies({ region: 'us-west' }, 'us-west', undefined)).toBe(true);
  });

  it('refuses more than 16 labels', () => {
    const many = Array.from({ length: 17 }, (_, i) => `k${i}=v`).join(',');
    expect(parseLabels('labels', many).problems).toEqual(['labels: at most 16 labels, got 17']);
  });

  it('keys like constructor or __proto__ are plain keys', () => {
    const l = labels('constructor=x,toString=y');
    expect(satisfies({ region: 'r', labels: l }, undefined, labels('constructor=x'))).toBe(true);
    expect(satisfies({ region: 'r' }, undefined, labels('constructor=x'))).toBe(false);
    const state = emptyPool();
    t.addCluster('c1', 'r', undefined, l)(state, at(0));
    expect(decodePool(encodePool(state)).clusters.get('c1')!.labels).toEqual(l);
  });
});

describe('selecting by labels', () => {
  function pool(): PoolState {
    const state = emptyPool();
    t.addCluster('plain', 'us-west')(state, at(0));
    t.addCluster('gpu-old', 'us-west', undefined, labels('gpu=true,k8s=1.31'))(state, at(1));
    t.addCluster('gpu-new', 'us-west', undefined, labels('gpu=true,k8s=1.32'))(state, at(2));
    t.addCluster('gpu-eu', 'eu', undefined, labels('gpu=true,k8s=1.32'))(state, at(3));
    return state;
  }

  it('hands out only a cluster with every label asked for, in the region if given', () => {
    const state = pool();
    const sel = (text: string) => assertLabels('labels', text, { selector: true });
    expect(t.getVacant({ build: '1', job: 'j', labels: sel('gpu=true,k8s=1.32'), region: 'eu', leaseMs: HOUR })(state, at(5)).name).toBe('gpu-eu');
    expect(t.getVacant({ build: '2', job: 'j', labels: sel('region=us-west,k8s=1.32'), leaseMs: HOUR })(state, at(5)).name).toBe('gpu-new');
    expect(() => t.getVacant({ build: '3', job: 'j', labels: sel('k8s=1.32'), leaseMs: HOUR })(state, at(5))).toThrow('no vacant cluster with labels k8s=1.32: 0 free of 2, 0 waiting');
    expect(t.getVacant({ build: '4', job: 'j', leaseMs: HOUR })(state, at(5)).name).toBe('plain');
  });

  it('a waiter blocks only the clusters its selector could use', () => {
    const state = pool();
    const sel = assertLabels('labels', 'k8s=1.32', { selector: true });
    t.enqueue({ id: 'w1', build: 'w', job: 'j', labels: sel, deadline: at(60).toISOString() })(state, at(4));
    // A newcomer without a selector may take the clusters the waiter cannot use...
    expect(t.getVacant({ build: 'n1', job: 'j', leaseMs: HOUR })(state, at(5)).name).toBe('plain');
    expect(t.getVacant({ build: 'n2', job: 'j', leaseMs: HOUR })(state, at(5)).name).toBe('gpu-old');
    // ...but not overtake it on the ones it can.
    expect(() => t.getVacant({ build: 'n3', job: 'j', leaseMs: HOUR })(state, at(5))).toThrow(/no vacant cluster: 2 free of 4, 1 waiting/);
    expect(t.getVacant({ build: 'w', job: 'j', labels: sel, leaseMs: HOUR, ticketId: 'w1' })(state, at(5)).name).toBe('gpu-new');
    expect(state.queue).toEqual([]);
  });

  it('a refreshed ticket keeps its place only for the same selector', () => {
    const state = emptyPool();
    const a = assertLabels('labels', 'gpu=true', { selector: true });
    t.enqueue({ id: '1', build: 'b', job: 'j', labels: a, deadline: at(60).toISOString() })(state, at(0));
    expect(t.enqueue({ id: '2', build: 'b', job: 'j', labels: new Map(a), deadline: at(60).toISOString() })(state, at(1)).ticket.id).toBe('1');
    expect(t.enqueue({ id: '3', build: 'b', job: 'j', deadline: at(60).toISOString() })(state, at(1)).ticket.id).toBe('3');
    expect(decodePool(encodePool(state)).queue[0].labels).toEqual(a);
  });
});

describe('provisioning', () => {
  it('records a new cluster as provisioning with its creation run, then finished on success', () => {
    const state = emptyPool();
    const c = lc.startProvisioning({ name: 'c1', region: 'us-west', labels: labels('k8s=1.32'), by: 'john' })(state, at(0));
    expect(c).toMatchObject({ state: 'provisioning', addedBy: 'john', job: { kind: 'create', attempt: 1, key: `cimaster-create-c1-${at(0).getTime()}-1` } });
    expect(() => t.getVacant({ build: '1', job: 'j', leaseMs: HOUR })(state, at(1))).toThrow(/no vacant cluster/);
    lc.recordJobStarted('c1', c.job!.key, { name: 'pj-1', logLink: 'https://prow/log?id=1' })(state, at(1));
    expect(() => lc.recordJobStarted('c1', 'other-key', { name: 'pj-2' })(state, at(1))).toThrow('cluster c1 no longer follows job run other-key');
    const done = lc.finishJob('c1', c.job!.key, { ok: true }, 3)(state, at(10));
    expect(done).toMatchObject({ result: 'provisioned', stayStarted: at(0).toISOString() });
    expect(state.clusters.get('c1')!).toMatchObject({ state: 'finished', provisionedAt: at(10).toISOString() });
    expect(state.clusters.get('c1')!.job).toBeUndefined();
    expect(state.clusters.get('c1')!.history.at(-1)).toMatchObject({ state: 'provisioning', ended: 'provisioned', prowJob: 'pj-1', logLink: 'https://prow/log?id=1' });
    expect(t.getVacant({ build: '1', job: 'j', leaseMs: HOUR })(state, at(11)).name).toBe('c1');
  });

  it('a failed creation keeps the reason and log; createcluster with the same name retries it; it can be deleted', () => {
    const state = emptyPool();
    const firstKey = lc.startProvisioning({ name: 'c1', region: 'r' })(state, at(0)).job!.key;
    expect(() => lc.startProvisioning({ name: 'c1', region: 'r' })(state, at(0))).toThrow('cluster c1 already exists (state provisioning, region r)');
    lc.finishJob('c1', firstKey, { ok: false, reason: 'creation job failed: quota', logLink: 'L' }, 3)(state, at(5));
    expect(state.clusters.get('c1')!).toMatchObject({ state: 'failed', problem: { reason: 'creation job failed: quota', logLink: 'L', at: at(5).toISOString() } });
    const retried = lc.startProvisioning({ name: 'c1', region: 'r2', labels: labels('a=b') })(state, at(6));
    expect(retried).toMatchObject({ state: 'provisioning', region: 'r2', job: { attempt: 2 } });
    expect(retried.problem).toBeUndefined();
    expect(retried.job!.key).not.toBe(firstKey);
    expect(retried.history.at(-1)).toMatchObject({ state: 'failed', ended: 'retried' });
    // A late outcome of the first run changes nothing.
    expect(() => lc.finishJob('c1', firstKey, { ok: true }, 3)(state, at(7))).toThrow(/no longer follows/);
    lc.finishJob('c1', retried.job!.key, { ok: false, reason: 'again' }, 3)(state, at(8));
    expect(t.deleteCluster('c1')(state, at(9)).name).toBe('c1');
  });
});

describe('cleaning', () => {
  function used(): PoolState {
    const state = emptyPool();
    t.addCluster('c1', 'r')(state, at(0));
    t.getVacant({ build: '7', job: 'j', leaseMs: HOUR })(state, at(1));
    return state;
  }

  it('finishtest with a cleanup job makes the cluster cleaning; success makes it vacant', () => {
    const state = used();
    const { cluster } = t.finishTest('c1', { ...OPEN, build: '7' }, CLEAN)(state, at(2));
    expect(cluster).toMatchObject({ state: 'cleaning', job: { kind: 'cleanup', attempt: 1 } });
    expect(cluster.holder).toBeUndefined();
    expect(t.finishTest('c1', { ...OPEN, build: '7' }, CLEAN)(state, at(3)).alreadyFinished).toBe(true);
    expect(t.finishTest('c1', OPEN, CLEAN)(state, at(3)).alreadyFinished).toBe(true);
    expect(() => t.finishTest('c1', { ...OPEN, build: '8' }, CLEAN)(state, at(3))).toThrow(/not held by build 8/);
    expect(() => t.getVacant({ build: '9', job: 'j', leaseMs: HOUR })(state, at(3))).toThrow(/no vacant cluster/);
    expect(lc.finishJob('c1', cluster.job!.key, { ok: true }, 3)(state, at(4)).result).toBe('cleaned');
    expect(state.clusters.get('c1')!.state).toBe('finished');
    // finishing again for the same build is still harmless once it is clean
    expect(t.finishTest('c1', { ...OPEN, build: '7' }, CLEAN)(state, at(5)).alreadyFinished).toBe(true);
  });

  it('retries a failed cleanup, then quarantines with the reason and log after the last attempt', () => {
    const state = used();
    t.finishTest('c1', { ...OPEN, build: '7' }, CLEAN)(state, at(2));
    const results: string[] = [];
    for (let i = 0; i < 3; i++) {
      const key = state.clusters.get('c1')!.job!.key;
      lc.recordJobStarted('c1', key, { name: `clean-${i}`, logLink: `log-${i}` })(state, at(3 + i));
      results.push(lc.finishJob('c1', key, { ok: false, reason: `cleanup job clean-${i} failed` }, 3)(state, at(3 + i)).result);
    }
    expect(results).toEqual(['retrying', 'retrying', 'quarantined']);
    expect(state.clusters.get('c1')!).toMatchObject({ state: 'quarantined', problem: { reason: 'cleanup failed 3 times; last: cleanup job clean-2 failed', prowJob: 'clean-2', logLink: 'log-2' } });
    expect(() => t.getVacant({ build: '9', job: 'j', leaseMs: HOUR })(state, at(9))).toThrow(/no vacant cluster/);
    expect(() => t.disableCluster('c1')(state, at(9))).toThrow(/it is quarantined/);
    t.enableCluster('c1')(state, at(10));
    expect(state.clusters.get('c1')!.state).toBe('finished');
    expect(state.clusters.get('c1')!.problem).toBeUndefined();
  });

  it('a final failure (a job manual-trigger refuses) quarantines at once', () => {
    const state = used();
    t.finishTest('c1', { ...OPEN, build: '7' }, CLEAN)(state, at(2));
    const r = lc.finishJob('c1', state.clusters.get('c1')!.job!.key, { ok: false, reason: 'manual-trigger refused the cleanup job: Job x not found', final: true }, 3)(state, at(3));
    expect(r.result).toBe('quarantined');
    expect(state.clusters.get('c1')!.problem?.reason).toBe('manual-trigger refused the cleanup job: Job x not found');
    expect(t.deleteCluster('c1')(state, at(4)).name).toBe('c1');
  });

  it('lease expiry, hold expiry and release clean too', () => {
    const state = used();
    t.addCluster('c2', 'r')(state, at(0));
    t.getVacant({ build: '8', job: 'j', leaseMs: HOUR })(state, at(1));
    t.holdCluster('c2', HOUR, OPEN)(state, at(2));
    const swept = t.sweep(60_000, CLEAN)(state, new Date(at(0).getTime() + 3 * HOUR));
    expect(swept.expired.map((e) => e.kind).sort()).toEqual(['hold', 'lease']);
    expect([state.clusters.get('c1')!.state, state.clusters.get('c2')!.state]).toEqual(['cleaning', 'cleaning']);
    t.addCluster('c3', 'r')(state, at(0));
    t.getVacant({ build: '9', job: 'j', leaseMs: HOUR })(state, at(1));
    t.holdCluster('c3', HOUR, OPEN)(state, at(2));
    expect(t.releaseCluster('c3', OPEN, CLEAN)(state, at(3)).state).toBe('cleaning');
  });
});

describe('the inventory', () => {
  const listed = [
    { name: 'c1', region: 'us-west', labels: labels('k8s=1.32') },
    { name: 'c2', region: 'us-west' },
  ];

  it('adds what is missing, leaves API clusters alone, removes its own only once idle', () => {
    const state = emptyPool();
    t.addCluster('mine', 'r', 'admin')(state, at(0));
    t.addCluster('c2', 'eu', 'admin')(state, at(0)); // added through the API first: left alone
    expect(lc.syncInventory(listed)(state, at(1))).toEqual({ add: [listed[0]], update: [], remove: [] });
    expect(state.clusters.get('c1')!).toMatchObject({ state: 'finished', managedBy: 'inventory', labels: labels('k8s=1.32') });
    expect(state.clusters.get('c2')!.region).toBe('eu');
    expect(lc.planInventory(state, listed)).toEqual({ add: [], update: [], remove: [] });

    t.getVacant({ build: '1', job: 'j', region: 'us-west', leaseMs: HOUR })(state, at(2));
    expect(lc.syncInventory([])(state, at(3)).remove).toEqual([]); // c1 is in use: never taken from a build
    t.finishTest('c1', OPEN)(state, at(4));
    expect(lc.syncInventory([])(state, at(5)).remove).toEqual(['c1']);
    expect([...state.clusters.keys()].sort()).toEqual(['c2', 'mine']);
  });

  it('updates the region and labels of its own clusters, and brings back a pool whose store lost its data', () => {
    const state = emptyPool();
    lc.syncInventory(listed)(state, at(0));
    const changed = [{ name: 'c1', region: 'eu', labels: labels('k8s=1.33') }, listed[1]];
    expect(lc.syncInventory(changed)(state, at(1)).update.map((c) => c.name)).toEqual(['c1']);
    expect(state.clusters.get('c1')!).toMatchObject({ region: 'eu', labels: labels('k8s=1.33') });
    const lost = emptyPool();
    expect(lc.syncInventory(changed)(lost, at(2)).add.map((c) => c.name)).toEqual(['c1', 'c2']);
  });
});

describe('replenishing to targets', () => {
  const target: lc.PoolTarget = { region: 'us-west', labels: labels('k8s=1.32'), minVacant: 3, maxSize: 5, maxProvisioning: 2, namePrefix: 'usw-' };
  let n = 0;
  const opts: lc.ReplenishOptions = { backoffBaseMs: 60_000, backoffMaxMs: 10 * 60_000, suffix: () => String(++n).padStart(5, '0') };
  beforeEach(() => (n = 0));

  it('creates up to minVacant, at most maxProvisioning at once, never past maxSize', () => {
    const state = emptyPool();
    const first = lc.replenish([target], opts)(state, at(0));
    expect(first.created.map((c) => [c.name, c.state, c.region, formatLabels(c.labels)])).toEqual([
      ['usw-00001', 'provisioning', 'us-west', 'k8s=1.32'],
      ['usw-00002', 'provisioning', 'us-west', 'k8s=1.32'],
    ]);
    expect(lc.replenish([target], opts)(state, at(1)).created).toEqual([]); // two creations running
    for (const c of first.created) lc.finishJob(c.name, c.job!.key, { ok: true }, 3)(state, at(2));
    expect(lc.replenish([target], opts)(state, at(3)).created.map((c) => c.name)).toEqual(['usw-00003']);
    // Vacant clusters taken by builds are replaced, but the target never grows past maxSize.
    lc.finishJob('usw-00003', state.clusters.get('usw-00003')!.job!.key, { ok: true }, 3)(state, at(4));
    for (let i = 0; i < 3; i++) t.getVacant({ build: `b${i}`, job: 'j', leaseMs: HOUR })(state, at(5));
    expect(lc.replenish([target], opts)(state, at(6)).created).toHaveLength(2);
    expect(lc.planReplenish(state, [target], at(7), opts)[0].create).toBe(0);
  });

  it('counts a matching cluster from elsewhere, and ignores clusters of other regions or labels', () => {
    const state = emptyPool();
    t.addCluster('static', 'us-west', undefined, labels('k8s=1.32,gpu=true'))(state, at(0));
    t.addCluster('other', 'us-west', undefined, labels('k8s=1.31'))(state, at(0));
    expect(lc.planReplenish(state, [target], at(1), opts)[0].create).toBe(2);
  });

  it('backs off exponentially, capped, after failed creations, and resets after a success', () => {
    const state = emptyPool();
    const fail = (minute: number) => {
      for (const c of [...state.clusters.values()]) if (c.state === 'provisioning') lc.finishJob(c.name, c.job!.key, { ok: false, reason: 'boom' }, 3)(state, at(minute));
    };
    const t1 = { ...target, maxSize: 50, maxProvisioning: 1, minVacant: 1 };
    lc.replenish([t1], opts)(state, at(0));
    fail(1);
    expect(lc.planReplenish(state, [t1], at(1), opts)[0]).toMatchObject({ create: 0, backoffUntil: at(2).toISOString() });
    expect(lc.replenish([t1], opts)(state, at(2)).created).toHaveLength(1);
    fail(2);
    expect(lc.planReplenish(state, [t1], at(3), opts)[0].backoffUntil).toBe(at(4).toISOString());
    for (const minute of [4, 8, 16]) {
      expect(lc.replenish([t1], opts)(state, at(minute)).created).toHaveLength(1);
      fail(minute);
    }
    // 5 failures: 1, 2, 4, 8, 16 minutes, capped at 10
    expect(lc.planReplenish(state, [t1], at(20), opts)[0].backoffUntil).toBe(at(26).toISOString());
    const c = lc.replenish([t1], opts)(state, at(26)).created[0];
    lc.finishJob(c.name, c.job!.key, { ok: true }, 3)(state, at(27));
    t.getVacant({ build: 'x', job: 'j', leaseMs: HOUR })(state, at(28));
    expect(lc.planReplenish(state, [t1], at(28), opts)[0]).toEqual({ target: t1, create: 1 });
  });
});

describe('the stored form of the lifecycle', () => {
  it('round-trips runs, problems and labels, and refuses a lifecycle field it cannot trust', () => {
    const state = emptyPool();
    lc.startProvisioning({ name: 'c1', region: 'r', labels: labels('k8s=1.32') })(state, at(0));
    const c2 = lc.startProvisioning({ name: 'c2', region: 'r' })(state, at(0));
    lc.recordJobStarted('c2', c2.job!.key, { name: 'pj', logLink: 'L' })(state, at(1));
    lc.finishJob('c2', c2.job!.key, { ok: false, reason: 'boom' }, 3)(state, at(2));
    const text = encodePool(state);
    expect(decodePool(text)).toEqual(state);
    const doc = JSON.parse(text) as { clusters: Array<Record<string, unknown>> };
    delete doc.clusters[0].job;
    (doc.clusters[1].problem as Record<string, unknown>).at = 'yesterday';
    doc.clusters[1].labels = { 'bad key!': 'x' };
    expect(() => decodePool(JSON.stringify(doc))).toThrow(
      /cluster c1: job is missing; cluster c2: problem\.at must be a timestamp like .*; cluster c2: labels: key "bad key!" must be/,
    );
  });
});
