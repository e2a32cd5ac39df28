import { applyChange, countByState, fromSnapshot, groupClusters, labelKeys, matches, stateInfo, usageOverDay, type ClusterView } from './pool-model';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-06-01T12:00:00Z');

function cluster(name: string, extra: Partial<ClusterView> = {}): ClusterView {
  return { name, region: 'us-west', state: 'finished', since: '2026-06-01T00:00:00Z', holder: null, lease_expires: null, hold_expires: null, disabled_reason: null, added_by: null, added_at: '2026-05-01T00:00:00Z', labels: {}, job: null, problem: null, managed_by: null, ...extra };
}

describe('the board model', () => {
  it('starts from a snapshot and applies changes and removals', () => {
    const m0 = fromSnapshot({ seq: 0, now: new Date(NOW + 2000).toISOString(), clusters: [cluster('a'), cluster('b')], queue: [] }, NOW);
    expect(m0.skewMs).toBe(2000);
    const m1 = applyChange(m0, { seq: 1, now: new Date(NOW).toISOString(), clusters: [cluster('a', { state: 'testing' }), cluster('c')], removed: ['b'] }, NOW);
    expect([...m1.clusters.keys()].sort()).toEqual(['a', 'c']);
    expect(m1.clusters.get('a')?.state).toBe('testing');
    expect(m1.queue).toBe(m0.queue);
    expect(m0.clusters.get('a')?.state).toBe('finished'); // the old model is untouched, so the board re-renders
  });

  it('gives every state a word, unknown ones included', () => {
    expect(stateInfo('constructor')).toMatchObject({ word: 'constructor' }); // a label, not Object's
    expect(stateInfo('finished')).toMatchObject({ word: 'Vacant', tone: 'ok' });
    expect(stateInfo('quarantined')).toMatchObject({ word: 'Quarantined', tone: 'bad' });
    expect(stateInfo('frozen')).toMatchObject({ word: 'frozen', tone: 'idle' });
  });

  it('searches names, holders, labels and reasons, and filters by state', () => {
    const held = cluster('c1', { state: 'held', holder: { build: '42', job: 'e2e-k8s', user: 'alice', since: '2026-06-01T00:00:00Z' } });
    const bad = cluster('c2', { state: 'quarantined', labels: { gpu: 'a100' }, problem: { reason: 'cleanup failed 3 times', prowjob: null, log_link: null, at: '2026-06-01T00:00:00Z' } });
    expect(matches(held, { text: 'ALICE', state: '' })).toBe(true);
    expect(matches(held, { text: '42', state: 'held' })).toBe(true);
    expect(matches(held, { text: '', state: 'testing' })).toBe(false);
    expect(matches(bad, { text: 'gpu=a100', state: '' })).toBe(true);
    expect(matches(bad, { text: 'cleanup failed', state: '' })).toBe(true);
    expect(matches(bad, { text: 'nothing', state: '' })).toBe(false);
  });

  it('groups by region or by a label, clusters without the label last', () => {
    const list = [cluster('b', { region: 'eu', labels: { gpu: 'a100' } }), cluster('a', { region: 'us' }), cluster('c', { region: 'eu' })];
    expect(groupClusters(list, 'region', { text: '', state: '' }).map((g) => [g.key, g.clusters.map((c) => c.name)])).toEqual([
      ['eu', ['b', 'c']],
      ['us', ['a']],
    ]);
    expect(groupClusters(list, 'label:gpu', { text: '', state: '' }).map((g) => g.key)).toEqual(['a100', '']);
    expect(labelKeys(list)).toEqual(['gpu']);
    expect(countByState([cluster('x', { state: 'testing' }), cluster('y'), cluster('z')])).toEqual([
      { state: 'finished', count: 2 },
      { state: 'testing', count: 1 },
    ]);
  });

  it('measures a day of use hour by hour from the history and the current state', () => {
    const history = [
      { state: 'testing' as const, from: new Date(NOW - 3 * HOUR).toISOString(), to: new Date(NOW - 2.5 * HOUR).toISOString() },
      { state: 'finished' as const, from: new Date(NOW - 2.5 * HOUR).toISOString(), to: new Date(NOW - HOUR).toISOString() },
      { state: 'testing' as const, from: new Date(NOW - 30 * HOUR).toISOString(), to: new Date(NOW - 29 * HOUR).toISOString() }, // before the day
    ];
    const hours = usageOverDay({ state: 'held' as const, since: new Date(NOW - HOUR).toISOString() }, history, NOW);
    expect(hours).toHaveLength(24);
    expect(hours[23]).toMatchObject({ start: NOW - HOUR, testing: 0, held: 1 });
    expect(hours[21]).toMatchObject({ start: NOW - 3 * HOUR, testing: 0.5, held: 0 });
    expect(hours.reduce((s, h) => s + h.testing + h.held, 0)).toBeCloseTo(1.5);
  });
});
