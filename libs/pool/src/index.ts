export { actors, type Acting, type Actor } from './acting';
export { ClusterPool, type ClusterPoolOptions, type PoolChanges, type VacantOptions, type VacantResult } from './cluster-pool';
export { decodePool, encodePool } from './codec';
export { BuildRequiredError, ClusterExistsError, ClusterNotFoundError, HolderMismatchError, IllegalTransitionError, JobSupersededError, NoCapacityError, NotHoldOwnerError, PoolTooLargeError, ShuttingDownError, StoreCorruptError, UnsupportedStoreVersionError, UserMismatchError, UserNeedsTokenError } from './errors';
export { MAX_LABELS, REGION_LABEL, assertLabels, checkLabels, formatLabels, parseLabels, sameLabels, satisfies, type Labels } from './labels';
export {
  planInventory,
  planReplenish,
  type InventoryChanges,
  type InventoryCluster,
  type JobOutcome,
  type JobResult,
  type PoolTarget,
  type ProvisionRequest,
  type ReplenishOptions,
  type StartedJob,
  type TargetPlan,
} from './lifecycle';
export * as lifecycle from './lifecycle';
export { CLUSTER_STATES, HISTORY_LIMIT, emptyPool, type Cluster, type ClusterState, type Ending, type HistoryEntry, type Holder, type JobRun, type PoolState, type Problem, type Ticket } from './model';
export type { PoolStore } from './store';
export * as transitions from './transitions';
export type { Command, Expiry } from './transitions';
