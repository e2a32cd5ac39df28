import type { Cluster, PoolState } from './model';

/** Version of the stored JSON; bump with a migration when the stored shape changes. */
export const STORED_VERSION = 1;

interface StoredPool {
  version: number;
  clusters: Cluster[];
  queue: PoolState['queue'];
}

/** The stored form: a versioned document with clusters as a list, compact JSON. */
export function encodePool(state: PoolState): string {
  // An empty history is left out: with thousands of clusters every byte counts against a ConfigMap's 1 MiB.
  const clusters = Object.values(state.clusters).map((c) => (c.history.length ? c : { ...c, history: undefined }));
  const stored = { version: STORED_VERSION, clusters, queue: state.queue };
  return JSON.stringify(stored);
}

/** Reads the stored form; an empty or missing document is an empty pool. Throws on a document it cannot trust. */
export function decodePool(text: string | undefined | null): PoolState {
  if (!text || text.trim() === '') return { clusters: {}, queue: [] };
  const stored = JSON.parse(text) as Partial<StoredPool>;
  if (stored.version !== STORED_VERSION) throw new Error(`stored pool has version ${String(stored.version)}, this cimaster reads version ${STORED_VERSION}`);
  if (!Array.isArray(stored.clusters) || !Array.isArray(stored.queue)) throw new Error('stored pool is malformed: clusters and queue must be lists');
  const clusters: Record<string, Cluster> = {};
  for (const c of stored.clusters) clusters[c.name] = { ...c, history: c.history ?? [] };
  return { clusters, queue: stored.queue };
}
