/** The states a cluster moves through (see docs/cimaster.md for the diagram). */
export type ClusterState = 'finished' | 'testing' | 'held' | 'disabled';

/** Who has a cluster: the build and job that got it from getvacant, and the person holding it. */
export interface Holder {
  build: string;
  job: string;
  user?: string;
  since: string;
}

/** How a stay in one state ended, for the per-cluster history. */
export type Ending = 'finished' | 'lease-expired' | 'held' | 'released' | 'hold-expired' | 'disabled' | 'enabled';

export interface HistoryEntry {
  state: ClusterState;
  build?: string;
  job?: string;
  user?: string;
  from: string;
  to: string;
  ended: Ending;
}

export interface Cluster {
  name: string;
  region: string;
  state: ClusterState;
  /** When the cluster entered its current state. */
  since: string;
  addedBy?: string;
  addedAt: string;
  /** When it last became free; the least recently used free cluster is handed out first. */
  freedAt: string;
  holder?: Holder;
  leaseExpires?: string;
  holdExpires?: string;
  disabledReason?: string;
  history: HistoryEntry[];
}

/** A waiter in the fair FIFO queue of getvacant?wait=. */
export interface Ticket {
  id: string;
  build: string;
  job: string;
  region?: string;
  enqueuedAt: string;
  deadline: string;
  /** Refreshed by the replica holding the request; a ticket nobody refreshes is dropped. */
  seenAt: string;
}

/**
 * The whole pool; the unit every store reads and writes atomically. Clusters are a `Map` keyed by name: names come
 * from users, and `constructor` is as valid a DNS label as any, so a plain object would collide with its prototype.
 */
export interface PoolState {
  clusters: Map<string, Cluster>;
  queue: Ticket[];
}

export const HISTORY_LIMIT = 20;

export function emptyPool(): PoolState {
  return { clusters: new Map(), queue: [] };
}
