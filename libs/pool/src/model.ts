import type { Labels } from './labels';

/** The states a cluster moves through (see docs/cimaster.md for the diagram). */
export const CLUSTER_STATES = ['finished', 'testing', 'held', 'disabled', 'provisioning', 'failed', 'cleaning', 'quarantined'] as const;

export type ClusterState = (typeof CLUSTER_STATES)[number];

/** Who has a cluster: the build and job that got it from getvacant, and the person holding it. */
export interface Holder {
  build: string;
  job: string;
  user?: string;
  since: string;
}

/** How a stay in one state ended, for the per-cluster history. */
export type Ending =
  | 'finished'
  | 'lease-expired'
  | 'held'
  | 'released'
  | 'hold-expired'
  | 'disabled'
  | 'enabled'
  | 'provisioned'
  | 'failed'
  | 'retried'
  | 'cleaned'
  | 'cleanup-failed'
  | 'quarantined';

/**
 * A ProwJob the pool follows for a cluster: the creation job while it is provisioning, the cleanup job while it is
 * cleaning. Kept in the stored pool, so whichever replica leads can pick the following up after a restart.
 */
export interface JobRun {
  kind: 'create' | 'cleanup';
  /** 1 for the first run; a cleanup that failed runs again with the next attempt. */
  attempt: number;
  /** Idempotency-Key sent to manual-trigger: asking twice for the same run creates one ProwJob. */
  key: string;
  requestedAt: string;
  /** The ProwJob's name, once manual-trigger has created it. */
  name?: string;
  statusLink?: string;
  logLink?: string;
}

/** Why a cluster is failed or quarantined. */
export interface Problem {
  reason: string;
  prowJob?: string;
  logLink?: string;
  at: string;
}

export interface HistoryEntry {
  state: ClusterState;
  build?: string;
  job?: string;
  user?: string;
  from: string;
  to: string;
  ended: Ending;
  /** The ProwJob that ran during a provisioning or cleaning stay, and its log. */
  prowJob?: string;
  logLink?: string;
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
  /** Labels besides the region, which is a label too for selectors. */
  labels?: Labels;
  /** The ProwJob being followed (provisioning and cleaning only). */
  job?: JobRun;
  /** Why the cluster is failed or quarantined. */
  problem?: Problem;
  /** Set for clusters the inventory file lists: only those does the inventory remove again. */
  managedBy?: 'inventory';
  /** When its creation job last succeeded; replenishing backs off only after failures newer than this. */
  provisionedAt?: string;
  history: HistoryEntry[];
}

/** A waiter in the fair FIFO queue of getvacant?wait=. */
export interface Ticket {
  id: string;
  build: string;
  job: string;
  region?: string;
  /** The labels a cluster must have to serve this waiter. */
  labels?: Labels;
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
