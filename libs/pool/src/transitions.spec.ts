import { actors, type Acting } from './acting';
import { decodePool, encodePool } from './codec';
import { IllegalTransitionError, NoCapacityError, NotHoldOwnerError, StoreCorruptError, UnsupportedStoreVersionError } from './errors';
import { HISTORY_LIMIT, emptyPool, type ClusterState, type PoolState } from './model';
import * as t from './transitions';

const HOUR = 3_600_000;
/** Without authentication: the original rules. */
const OPEN: Acting = { actor: actors.open };

/** What `fn` threw; fails when it returned. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal, but the command succeeded');
}
const at = (minutes: number) => new Date(Date.UTC(2026, 5, 1, 0, minutes));

function poolWith(...clusters: Array<[string, ClusterState?, string?]>): PoolState {
  const state = emptyPool();
  clusters.forEach(([name, , region], i) => t.addCluster(name, region ?? 'r')(state, at(i)));
  for (const [name, target] of clusters) {
    if (target === 'testing' || target === 'held') t.getVacant({ build: `b-${name}`, job: 'j', leaseMs: HOUR, region: state.clusters.get(name)?.region })(state, at(10));
    if (target === 'held') t.holdCluster(name, HOUR, OPEN)(state, at(11));
    if (target === 'disabled') t.disableCluster(name, 'broken')(state, at(11));
  }
  return state;
}

describe('the state machine (seed section 8)', () => {
  const actions: Record<string, t.Command<unknown>> = {
    getvacant: t.getVacant({ build: 'x', job: 'j', leaseMs: HOUR }),
    finishtest: t.finishTest('c1', OPEN),
    holdcluster: t.holdCluster('c1', HOUR, OPEN),
    releasecluster: t.releaseCluster('c1', OPEN),
    disablecluster: t.disableCluster('c1'),
    enablecluster: t.enableCluster('c1'),
    deletecluster: t.deleteCluster('c1'),
  };
  // Each refusal by its code, with the class that must carry it.
  const refusals = { ILLEGAL_TRANSITION: IllegalTransitionError, NO_VACANT_CLUSTER: NoCapacityError };
  // [from, action, to or the refusal]
  const table: Array<[ClusterState, string, ClusterState | 'removed' | keyof typeof refusals]> = [
    ['finished', 'getvacant', 'testing'],
    ['finished', 'finishtest', 'finished'], // finishing a finished cluster without a build is harmless
    ['finished', 'holdcluster', 'ILLEGAL_TRANSITION'],
    ['finished', 'releasecluster', 'ILLEGAL_TRANSITION'],
    ['finished', 'disablecluster', 'disabled'],
    ['finished', 'enablecluster', 'ILLEGAL_TRANSITION'],
    ['finished', 'deletecluster', 'removed'],
    ['testing', 'finishtest', 'finished'],
    ['testing', 'holdcluster', 'held'],
    ['testing', 'releasecluster', 'ILLEGAL_TRANSITION'],
    ['testing', 'disablecluster', 'ILLEGAL_TRANSITION'],
    ['testing', 'deletecluster', 'ILLEGAL_TRANSITION'],
    ['held', 'releasecluster', 'finished'],
    ['held', 'finishtest', 'ILLEGAL_TRANSITION'],
    ['held', 'disablecluster', 'ILLEGAL_TRANSITION'],
    ['held', 'deletecluster', 'ILLEGAL_TRANSITION'],
    ['disabled', 'enablecluster', 'finished'],
    ['disabled', 'getvacant', 'NO_VACANT_CLUSTER'],
    ['disabled', 'holdcluster', 'ILLEGAL_TRANSITION'],
  ];
  it.each(table)('%s --%s--> %s', (from, action, to) => {
    const state = poolWith(['c1', from]);
    const before = encodePool(state);
    if (Object.hasOwn(refusals, to)) {
      // The refusal the client sees, not just any exception: a TypeError must not pass for a refused transition.
      const error = thrown(() => actions[action](state, at(30)));
      expect(error).toBeInstanceOf(refusals[to as keyof typeof refusals]);
      expect(error).toMatchObject({ code: to });
      expect(encodePool(state)).toBe(before); // a refused command changes nothing
    } else {
      actions[action](state, at(30));
      expect(state.clusters.get('c1')?.state ?? 'removed').toBe(to);
    }
  });

  it('names the current state and holder when refusing', () => {
    const state = poolWith(['c1', 'testing']);
    expect(() => t.disableCluster('c1')(state, at(30))).toThrow('cannot disable cluster c1: it is testing (held by build b-c1, job j since 2026-06-01T00:10:00.000Z); disable needs a cluster that is finished');
  });
});

describe('allocation', () => {
  it('gives the least recently freed cluster, in the asked region, and refuses with counts when none is free', () => {
    const state = poolWith(['a', 'finished', 'east'], ['b', 'finished', 'west'], ['c', 'finished', 'west']);
    t.finishTest('b', OPEN)(state, at(20)); // no-op: b is finished
    expect(t.getVacant({ build: '1', job: 'j', leaseMs: HOUR, region: 'west' })(state, at(30)).name).toBe('b');
    expect(t.getVacant({ build: '2', job: 'j', leaseMs: HOUR })(state, at(31)).name).toBe('a');
    t.finishTest('a', { ...OPEN, build: '2' })(state, at(32));
    expect(t.getVacant({ build: '3', job: 'j', leaseMs: HOUR })(state, at(33)).name).toBe('c');
    expect(() => t.getVacant({ build: '4', job: 'j', leaseMs: HOUR, region: 'west' })(state, at(34))).toThrow('no vacant cluster in region west: 0 free of 2, 0 waiting');
  });

  it('keeps a free cluster for the oldest waiter that can use it: a newcomer never overtakes the queue', () => {
    const state = poolWith(['c1', 'testing']);
    t.enqueue({ id: 'first', build: 'w1', job: 'j', deadline: at(60).toISOString() })(state, at(20));
    t.finishTest('c1', OPEN)(state, at(21));
    expect(() => t.getVacant({ build: 'late', job: 'j', leaseMs: HOUR })(state, at(22))).toThrow('1 free of 1, 1 waiting');
    expect(t.getVacant({ build: 'w1', job: 'j', leaseMs: HOUR, ticketId: 'first' })(state, at(22)).holder?.build).toBe('w1');
    expect(state.queue).toEqual([]);
  });

  it('expires leases and holds once, and drops tickets past their deadline or no longer refreshed', () => {
    const state = poolWith(['l', 'testing'], ['h', 'held'], ['f', 'finished']);
    t.enqueue({ id: 'old', build: 'x', job: 'j', deadline: at(500).toISOString() })(state, at(12));
    const first = t.sweep(5 * 60_000)(state, at(10 + 60 + 1));
    expect(first.expired.map((e) => [e.cluster, e.kind])).toEqual([['l', 'lease'], ['h', 'hold']]);
    expect(first.droppedTickets).toBe(1);
    expect(t.sweep(5 * 60_000)(state, at(200)).expired).toEqual([]);
    expect(state.clusters.get('l')?.history.at(-1)).toMatchObject({ state: 'testing', build: 'b-l', ended: 'lease-expired' });
  });

  it('caps the history of a cluster', () => {
    const state = poolWith(['c1']);
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) {
      t.disableCluster('c1')(state, at(20 + i));
      t.enableCluster('c1')(state, at(20 + i));
    }
    expect(state.clusters.get('c1')?.history).toHaveLength(HISTORY_LIMIT);
  });
});

describe('releasing a hold', () => {
  it('lets the user who took the hold release it, and refuses anyone else, in the command itself', () => {
    const state = poolWith(['c1', 'testing']);
    t.holdCluster('c1', HOUR, { actor: actors.user('alice') })(state, at(20));
    const before = encodePool(state);
    const refusal = thrown(() => t.releaseCluster('c1', { actor: actors.user('bob') })(state, at(30)));
    expect(refusal).toBeInstanceOf(NotHoldOwnerError);
    expect(refusal).toMatchObject({ kind: 'forbidden', code: 'FORBIDDEN', message: 'cluster c1 is held by alice; only they or an admin may release it' });
    expect(thrown(() => t.releaseCluster('c1', { actor: actors.anonymous, build: 'b-c1' })(state, at(30)))).toBeInstanceOf(NotHoldOwnerError);
    expect(encodePool(state)).toBe(before);
    expect(t.releaseCluster('c1', { actor: actors.user('alice') })(state, at(30)).state).toBe('finished');
  });

  it('lets a token release a hold nobody named, an admin release any, and anyone when auth is off', () => {
    const state = poolWith(['c1', 'held'], ['c2', 'testing'], ['c3', 'testing']);
    expect(t.releaseCluster('c1', { actor: actors.user('bob') })(state, at(30)).state).toBe('finished');
    t.holdCluster('c2', HOUR, { ...OPEN, user: 'alice' })(state, at(31));
    expect(t.releaseCluster('c2', { actor: actors.admin('ops') })(state, at(32)).state).toBe('finished');
    t.holdCluster('c3', HOUR, { ...OPEN, user: 'alice' })(state, at(31));
    expect(t.releaseCluster('c3', OPEN)(state, at(32)).state).toBe('finished');
  });
});

describe('names that are Object.prototype keys', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('%s is a cluster like any other', (name) => {
    const state = emptyPool();
    expect(thrown(() => t.finishTest(name, OPEN)(state, at(0)))).toMatchObject({ code: 'CLUSTER_NOT_FOUND' });
    t.addCluster(name, 'r')(state, at(1));
    expect(thrown(() => t.addCluster(name, 'r')(state, at(2)))).toMatchObject({ code: 'CLUSTER_EXISTS', message: `cluster ${name} already exists (state finished, region r)` });
    expect(t.getVacant({ build: '1', job: 'j', leaseMs: HOUR })(state, at(3)).name).toBe(name);
    t.holdCluster(name, HOUR, { ...OPEN, user: 'alice' })(state, at(4));
    t.releaseCluster(name, { actor: actors.user('alice') })(state, at(5));
    t.deleteCluster(name)(state, at(6));
    expect(state.clusters.size).toBe(0);
    expect(Object.prototype).not.toHaveProperty('region');
  });

  it('constructor, the one that is a DNS label, survives the stored form', () => {
    const state = poolWith(['constructor', 'held'], ['c1', 'testing']);
    const decoded = decodePool(encodePool(state));
    expect(decoded).toEqual(state);
    expect([...decoded.clusters.keys()]).toEqual(['constructor', 'c1']);
  });
});

describe('the stored form', () => {
  it('round-trips and refuses documents it cannot trust', () => {
    const state = poolWith(['a', 'testing'], ['b']);
    expect(decodePool(encodePool(state))).toEqual(state);
    expect(decodePool('')).toEqual({ clusters: new Map(), queue: [] });
    expect(thrown(() => decodePool('{"version":2,"clusters":[],"queue":[]}'))).toBeInstanceOf(UnsupportedStoreVersionError);
    expect(() => decodePool('{"version":2,"clusters":[],"queue":[]}')).toThrow('stored pool has version 2, this cimaster reads version 1');
    expect(() => decodePool('{"version":1,"clusters":{}}')).toThrow('stored pool is corrupt: clusters and queue must be lists.');
    expect(() => decodePool('[1]')).toThrow('stored pool is corrupt: the document must be a JSON object.');
  });

  const good = () => {
    const state = poolWith(['c1', 'testing'], ['c2', 'held'], ['c3', 'disabled'], ['c4']);
    t.enqueue({ id: 't1', build: 'w', job: 'j', region: 'r', deadline: at(60).toISOString() })(state, at(20));
    return JSON.parse(encodePool(state)) as { clusters: Array<Record<string, unknown>>; queue: Array<Record<string, unknown>> };
  };
  const cluster = (doc: ReturnType<typeof good>, name: string) => doc.clusters.find((c) => c.name === name) as Record<string, unknown>;
  it.each<[string, (doc: ReturnType<typeof good>) => unknown, string]>([
    ['a missing freedAt', (d) => delete cluster(d, 'c4').freedAt, 'cluster c4: freedAt is missing'],
    ['a timestamp in another format', (d) => (cluster(d, 'c4').since = '2026-06-01T00:00:00Z'), 'cluster c4: since must be a timestamp like 2026-06-01T00:00:00.000Z, got "2026-06-01T00:00:00Z"'],
    ['an unknown state', (d) => (cluster(d, 'c4').state = 'gone'), 'cluster c4: state must be one of finished, testing, held, disabled, provisioning, failed, cleaning, quarantined, got "gone"'],
    ['a name that is no DNS label', (d) => (cluster(d, 'c4').name = 'C_4'), 'clusters[3]: name must be a DNS-1123 label, got "C_4"'],
    ['a region of the wrong type', (d) => (cluster(d, 'c4').region = 7), 'cluster c4: region must be a DNS-1123 label, got 7'],
    ['a testing cluster without holder', (d) => delete cluster(d, 'c1').holder, 'cluster c1: holder is missing'],
    ['a testing cluster without lease', (d) => delete cluster(d, 'c1').leaseExpires, 'cluster c1: leaseExpires is missing'],
    ['a held cluster without hold expiry', (d) => delete cluster(d, 'c2').holdExpires, 'cluster c2: holdExpires is missing'],
    ['a holder without build', (d) => delete (cluster(d, 'c1').holder as Record<string, unknown>).build, 'cluster c1: holder.build is missing'],
    ['a history entry that ended oddly', (d) => ((cluster(d, 'c3').history as Array<Record<string, unknown>>)[0].ended = 'vanished'), 'cluster c3: history[0].ended must be one of'],
    ['history that is not a list', (d) => (cluster(d, 'c3').history = {}), 'cluster c3: history must be a list, got {}'],
    ['a cluster listed twice', (d) => d.clusters.push({ ...cluster(d, 'c4') }), 'cluster c4: listed twice'],
    ['a cluster that is not an object', (d) => (d.clusters as unknown[]).push('c5'), 'clusters[4] must be an object, got "c5"'],
    ['a ticket without deadline', (d) => delete d.queue[0].deadline, 'queue ticket t1: deadline is missing'],
    ['a ticket without id', (d) => delete d.queue[0].id, 'queue[0]: id is missing'],
    ['a ticket whose region is no label', (d) => (d.queue[0].region = 'Us West'), 'queue ticket t1: region must be a DNS-1123 label, got "Us West"'],
  ])('refuses %s, naming the cluster or ticket and the field', (_what, corrupt, problem) => {
    const doc = good();
    expect(decodePool(JSON.stringify(doc)).clusters.size).toBe(4);
    corrupt(doc);
    const error = thrown(() => decodePool(JSON.stringify(doc)));
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(error).toMatchObject({ kind: 'unavailable', code: 'STORE_CORRUPT', message: expect.stringContaining(problem) });
    expect((error as Error).message).toMatch(/^stored pool is corrupt: .*\. Nothing was changed; correct or restore the stored document$/);
  });

  it('refuses text that is not JSON, and lists at most five problems', () => {
    expect(() => decodePool('{"version":1,"clus')).toThrow(/^stored pool is corrupt: not JSON/);
    const doc = good();
    for (const c of doc.clusters) delete c.addedAt;
    doc.queue[0].seenAt = 3;
    expect(() => decodePool(JSON.stringify(doc))).toThrow('queue ticket t1: seenAt must be a timestamp like 2026-06-01T00:00:00.000Z, got 3');
    for (let i = 5; i < 9; i++) doc.clusters.push({ ...doc.clusters[3], name: `c${i}` });
    expect(() => decodePool(JSON.stringify(doc))).toThrow('cluster c5: addedAt is missing; and 4 more.');
  });
});
