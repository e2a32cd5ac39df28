import { decodePool, encodePool } from './codec';
import { HISTORY_LIMIT, emptyPool, type ClusterState, type PoolState } from './model';
import { checkDnsLabel } from './names';
import * as t from './transitions';

const HOUR = 3_600_000;
const at = (minutes: number) => new Date(Date.UTC(2026, 5, 1, 0, minutes));

function poolWith(...clusters: Array<[string, ClusterState?, string?]>): PoolState {
  const state = emptyPool();
  clusters.forEach(([name, , region], i) => t.addCluster(name, region ?? 'r')(state, at(i)));
  for (const [name, target] of clusters) {
    if (target === 'testing' || target === 'held') t.getVacant({ build: `b-${name}`, job: 'j', leaseMs: HOUR, region: state.clusters[name].region })(state, at(10));
    if (target === 'held') t.holdCluster(name, HOUR)(state, at(11));
    if (target === 'disabled') t.disableCluster(name, 'broken')(state, at(11));
  }
  return state;
}

describe('the state machine (seed section 8)', () => {
  const actions: Record<string, t.Command<unknown>> = {
    getvacant: t.getVacant({ build: 'x', job: 'j', leaseMs: HOUR }),
    finishtest: t.finishTest('c1'),
    holdcluster: t.holdCluster('c1', HOUR),
    releasecluster: t.releaseCluster('c1'),
    disablecluster: t.disableCluster('c1'),
    enablecluster: t.enableCluster('c1'),
    deletecluster: t.deleteCluster('c1'),
  };
  // [from, action, to or the refusal]
  const table: Array<[ClusterState, string, ClusterState | 'removed' | 'refused']> = [
    ['finished', 'getvacant', 'testing'],
    ['finished', 'finishtest', 'finished'], // finishing a finished cluster without a build is harmless
    ['finished', 'holdcluster', 'refused'],
    ['finished', 'releasecluster', 'refused'],
    ['finished', 'disablecluster', 'disabled'],
    ['finished', 'enablecluster', 'refused'],
    ['finished', 'deletecluster', 'removed'],
    ['testing', 'finishtest', 'finished'],
    ['testing', 'holdcluster', 'held'],
    ['testing', 'releasecluster', 'refused'],
    ['testing', 'disablecluster', 'refused'],
    ['testing', 'deletecluster', 'refused'],
    ['held', 'releasecluster', 'finished'],
    ['held', 'finishtest', 'refused'],
    ['held', 'disablecluster', 'refused'],
    ['held', 'deletecluster', 'refused'],
    ['disabled', 'enablecluster', 'finished'],
    ['disabled', 'getvacant', 'refused'],
    ['disabled', 'holdcluster', 'refused'],
  ];
  it.each(table)('%s --%s--> %s', (from, action, to) => {
    const state = poolWith(['c1', from]);
    const before = JSON.stringify(state);
    if (to === 'refused') {
      expect(() => actions[action](state, at(30))).toThrow();
      expect(JSON.stringify(state)).toBe(before); // a refused command changes nothing
    } else {
      actions[action](state, at(30));
      expect(state.clusters.c1?.state ?? 'removed').toBe(to);
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
    t.finishTest('b')(state, at(20)); // no-op: b is finished
    expect(t.getVacant({ build: '1', job: 'j', leaseMs: HOUR, region: 'west' })(state, at(30)).name).toBe('b');
    expect(t.getVacant({ build: '2', job: 'j', leaseMs: HOUR })(state, at(31)).name).toBe('a');
    t.finishTest('a', '2')(state, at(32));
    expect(t.getVacant({ build: '3', job: 'j', leaseMs: HOUR })(state, at(33)).name).toBe('c');
    expect(() => t.getVacant({ build: '4', job: 'j', leaseMs: HOUR, region: 'west' })(state, at(34))).toThrow('no vacant cluster in region west: 0 free of 2, 0 waiting');
  });

  it('keeps a free cluster for the oldest waiter that can use it: a newcomer never overtakes the queue', () => {
    const state = poolWith(['c1', 'testing']);
    t.enqueue({ id: 'first', build: 'w1', job: 'j', deadline: at(60).toISOString() })(state, at(20));
    t.finishTest('c1')(state, at(21));
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
    expect(state.clusters.l.history.at(-1)).toMatchObject({ state: 'testing', build: 'b-l', ended: 'lease-expired' });
  });

  it('caps the history of a cluster', () => {
    const state = poolWith(['c1']);
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) {
      t.disableCluster('c1')(state, at(20 + i));
      t.enableCluster('c1')(state, at(20 + i));
    }
    expect(state.clusters.c1.history).toHaveLength(HISTORY_LIMIT);
  });
});

describe('the stored form', () => {
  it('round-trips and refuses documents it cannot trust', () => {
    const state = poolWith(['a', 'testing'], ['b']);
    expect(decodePool(encodePool(state))).toEqual(state);
    expect(decodePool('')).toEqual({ clusters: {}, queue: [] });
    expect(() => decodePool('{"version":2,"clusters":[],"queue":[]}')).toThrow('stored pool has version 2, this cimaster reads version 1');
    expect(() => decodePool('{"version":1,"clusters":{}}')).toThrow('stored pool is malformed');
  });
});

describe('names', () => {
  it.each([
    ['cluster-01', undefined],
    ['Bad_Name', 'cluster "Bad_Name" must be a DNS-1123 label'],
    ['-x', 'cluster "-x" must be a DNS-1123 label'],
    ['a'.repeat(64), 'cluster must be at most 63 characters, got 64'],
  ])('%s', (name, problem) => {
    const found = checkDnsLabel('cluster', name);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});
