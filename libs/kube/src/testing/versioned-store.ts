/**
 * The fake API server's storage, multi-versioned like etcd: every write gets the next resourceVersion, older
 * versions stay readable (lists at an exact resourceVersion, continue tokens, watches from a past version) until
 * compacted, after which reading them fails with {@link ExpiredError} (the API server's 410 Expired).
 */
export type Resource = 'configmaps' | 'prowjobs' | 'leases';
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form Kubernetes objects
export type KubeObj = { apiVersion?: string; kind?: string; metadata: Record<string, any>; [k: string]: any };

export interface StoreEvent {
  rv: number;
  type: EventType;
  resource: Resource;
  object: KubeObj;
}

export class ExpiredError extends Error {
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

interface Version {
  rv: number;
  object: KubeObj | undefined;
}

/** How many events to keep before compacting on our own, as the API server compacts etcd every few minutes. */
const AUTO_COMPACT_AT = 50_000;
const AUTO_COMPACT_KEEP = 25_000;

export class VersionedStore {
  private rv = 100;
  private compactedAt = 0;
  private readonly versions = new Map<string, Version[]>();
  private readonly events: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion still readable. */
  get oldest(): number {
    return this.compactedAt;
  }

  get(resource: Resource, namespace: string, name: string): KubeObj | undefined {
    const list = this.versions.get(key(resource, namespace, name));
    const latest = list?.[list.length - 1]?.object;
    return latest && structuredClone(latest);
  }

  /** Stores the object as the next version and tells watchers; returns what was stored. */
  write(resource: Resource, object: KubeObj, type: 'ADDED' | 'MODIFIED'): KubeObj {
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.rv);
    this.append(resource, stored, type, stored);
    return structuredClone(stored);
  }

  remove(resource: Resource, namespace: string, name: string): KubeObj | undefined {
    const current = this.get(resource, namespace, name);
    if (!current) return undefined;
    current.metadata.resourceVersion = String(++this.rv);
    this.append(resource, current, 'DELETED', undefined);
    return current;
  }

  /** Objects of one resource in one namespace (all namespaces when omitted) at `at` (default: now), by name. */
  listAt(resource: Resource, namespace: string | undefined, at?: number): KubeObj[] {
    const rv = at ?? this.rv;
    if (rv < this.compactedAt) throw new ExpiredError(rv, this.compactedAt);
    const prefix = namespace === undefined ? `${resource}/` : `${resource}/${namespace}/`;
    const out: Array<[string, KubeObj]> = [];
    for (const [k, list] of this.versions) {
      if (!k.startsWith(prefix)) continue;
      const version = findAt(list, rv);
      if (version?.object) out.push([`${version.object.metadata.namespace}/${version.object.metadata.name}`, version.object]);
    }
    out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return out.map(([, o]) => structuredClone(o));
  }

  /** Every event after `rv`, oldest first; {@link ExpiredError} when they are compacted away. */
  eventsAfter(rv: number): StoreEvent[] {
    if (rv < this.compactedAt) throw new ExpiredError(rv, this.compactedAt);
    const from = lowerBound(this.events, rv + 1);
    return this.events.slice(from);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets every version older than `upTo` except each object's latest, as etcd compaction does. */
  compact(upTo: number = this.rv): void {
    this.compactedAt = Math.max(this.compactedAt, upTo);
    for (const [k, list] of this.versions) {
      const keepFrom = Math.max(0, lastIndexAtOrBefore(list, upTo));
      const kept = list.slice(keepFrom);
      if (kept.length === 1 && !kept[0].object) this.versions.delete(k);
      else this.versions.set(k, kept);
    }
    this.events.splice(0, lowerBound(this.events, upTo + 1));
  }

  private append(resource: Resource, object: KubeObj, type: EventType, stored: KubeObj | undefined): void {
    const k = key(resource, object.metadata.namespace, object.metadata.name);
    const list = this.versions.get(k) ?? [];
    list.push({ rv: this.rv, object: stored });
    this.versions.set(k, list);
    const event: StoreEvent = { rv: this.rv, type, resource, object };
    this.events.push(event);
    if (this.events.length > AUTO_COMPACT_AT) this.compact(this.events[this.events.length - AUTO_COMPACT_KEEP].rv - 1);
    for (const listener of this.listeners) listener(event);
  }
}

function key(resource: Resource, namespace: string, name: string): string {
  return `${resource}/${namespace}/${name}`;
}

function findAt(list: Version[], rv: number): Version | undefined {
  const i = lastIndexAtOrBefore(list, rv);
  return i >= 0 ? list[i] : undefined;
}

function lastIndexAtOrBefore(list: Version[], rv: number): number {
  for (let i = list.length - 1; i >= 0; i--) if (list[i].rv <= rv) return i;
  return -1;
}

/** First index whose rv is at least `rv` (events are in rv order). */
function lowerBound(events: StoreEvent[], rv: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].rv < rv) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
