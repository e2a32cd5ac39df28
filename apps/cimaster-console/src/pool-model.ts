import type { ClusterDetail, ClusterView, TicketView } from '@ci-stack/cimaster-api';

// Types only: the console shows what cimaster's contract describes, and bundles none of the contract's code.
export type { ClusterView, TicketView };

export type HistoryView = ClusterDetail['history'][number];

/** The pool as the board knows it, with the offset of the service's clock (countdowns use the service's time). */
export interface PoolModel {
  clusters: Map<string, ClusterView>;
  queue: TicketView[];
  seq: number;
  skewMs: number;
}

export interface SnapshotEvent {
  seq: number;
  now: string;
  clusters: ClusterView[];
  queue: TicketView[];
}

export interface ChangeEvent {
  seq: number;
  now: string;
  clusters: ClusterView[];
  removed: string[];
  queue?: TicketView[];
}

export function fromSnapshot(e: SnapshotEvent, localNow: number): PoolModel {
  return { clusters: new Map(e.clusters.map((c) => [c.name, c])), queue: e.queue, seq: e.seq, skewMs: Date.parse(e.now) - localNow };
}

/** The model after a change event; a new object, so the board re-renders. */
export function applyChange(model: PoolModel, e: ChangeEvent, localNow: number): PoolModel {
  const clusters = new Map(model.clusters);
  for (const c of e.clusters) clusters.set(c.name, c);
  for (const name of e.removed) clusters.delete(name);
  return { clusters, queue: e.queue ?? model.queue, seq: e.seq, skewMs: Date.parse(e.now) - localNow };
}

export type Tone = 'ok' | 'busy' | 'held' | 'idle' | 'bad';

/** Each state's word and colour family; a state a newer cimaster adds still shows its word. */
const STATES: Record<ClusterView['state'], { word: string; tone: Tone; order: number }> = {
  finished: { word: 'Vacant', tone: 'ok', order: 0 },
  testing: { word: 'Testing', tone: 'busy', order: 1 },
  held: { word: 'Held', tone: 'held', order: 2 },
  provisioning: { word: 'Provisioning', tone: 'idle', order: 3 },
  cleaning: { word: 'Cleaning', tone: 'idle', order: 4 },
  disabled: { word: 'Disabled', tone: 'idle', order: 5 },
  failed: { word: 'Failed', tone: 'bad', order: 6 },
  quarantined: { word: 'Quarantined', tone: 'bad', order: 7 },
};

export function stateInfo(state: string): { word: string; tone: Tone; order: number } {
  // Own keys only: a state named like an Object.prototype member is still unknown.
  return Object.hasOwn(STATES, state) ? STATES[state as ClusterView['state']] : { word: state, tone: 'idle', order: 99 };
}

export const KNOWN_STATES = Object.keys(STATES);

/** States whose cards show the ProwJob links and the reason. */
export function showsJob(state: string): boolean {
  return ['provisioning', 'cleaning', 'failed', 'quarantined'].includes(state);
}

export interface BoardFilter {
  /** Matches name, region, holder build/job/user, labels and reasons, case-insensitively. */
  text: string;
  /** Empty: every state. */
  state: string;
}

export function matches(c: ClusterView, f: BoardFilter): boolean {
  if (f.state && c.state !== f.state) return false;
  const q = f.text.trim().toLowerCase();
  if (!q) return true;
  const hay = [c.name, c.region, c.state, stateInfo(c.state).word, c.holder?.build, c.holder?.job, c.holder?.user, c.disabled_reason, c.problem?.reason, ...Object.entries(c.labels).map(([k, v]) => `${k}=${v}`)];
  return hay.some((h) => h?.toLowerCase().includes(q));
}

/** `region`, or `label:KEY` to group by that label's value. */
export type Grouping = string;

export interface Group {
  key: string;
  clusters: ClusterView[];
}

/** Groups in name order (clusters without the label last), clusters by name inside each group. */
export function groupClusters(clusters: Iterable<ClusterView>, by: Grouping, filter: BoardFilter): Group[] {
  const label = by.startsWith('label:') ? by.slice('label:'.length) : undefined;
  const groups = new Map<string, ClusterView[]>();
  for (const c of clusters) {
    if (!matches(c, filter)) continue;
    const key = label !== undefined ? (Object.hasOwn(c.labels, label) ? c.labels[label] : '') : c.region;
    const list = groups.get(key);
    if (list) list.push(c);
    else groups.set(key, [c]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))
    .map(([key, list]) => ({ key, clusters: list.sort((x, y) => x.name.localeCompare(y.name)) }));
}

/** Every label key in the pool, for the "group by" choice. */
export function labelKeys(clusters: Iterable<ClusterView>): string[] {
  const keys = new Set<string>();
  for (const c of clusters) for (const k of Object.keys(c.labels)) keys.add(k);
  return [...keys].sort();
}

/** Counts by state, for the board's summary line. */
export function countByState(clusters: Iterable<ClusterView>): { state: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const c of clusters) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => stateInfo(a).order - stateInfo(b).order).map(([state, count]) => ({ state, count }));
}

export interface HourUse {
  /** Start of the hour. */
  start: number;
  /** Fractions of the hour spent testing and held (0..1). */
  testing: number;
  held: number;
}

/**
 * Use of one cluster over the 24 hours up to `now`, hour by hour: how much of each hour it spent testing and held,
 * from its history and its current state.
 */
export function usageOverDay(c: Pick<ClusterView, 'state' | 'since'>, history: Pick<HistoryView, 'state' | 'from' | 'to'>[], now: number): HourUse[] {
  const HOUR = 3_600_000;
  const end = Math.ceil(now / HOUR) * HOUR;
  const hours: HourUse[] = Array.from({ length: 24 }, (_, i) => ({ start: end - (24 - i) * HOUR, testing: 0, held: 0 }));
  const spans = [...history.map((h) => ({ state: h.state, from: Date.parse(h.from), to: Date.parse(h.to) })), { state: c.state, from: Date.parse(c.since), to: now }];
  for (const s of spans) {
    if (s.state !== 'testing' && s.state !== 'held') continue;
    for (const h of hours) {
      const overlap = Math.min(s.to, h.start + HOUR, now) - Math.max(s.from, h.start);
      if (overlap > 0) h[s.state] += overlap / HOUR;
    }
  }
  for (const h of hours) {
    h.testing = Math.min(1, h.testing);
    h.held = Math.min(1 - h.testing, h.held);
  }
  return hours;
}
