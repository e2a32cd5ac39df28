export { ClusterPool, type ClusterPoolOptions, type VacantOptions, type VacantResult } from './cluster-pool';
export { decodePool, encodePool } from './codec';
export { ClusterExistsError, ClusterNotFoundError, HolderMismatchError, IllegalTransitionError, NoCapacityError, NotHoldOwnerError, PoolTooLargeError, StoreCorruptError, UnsupportedStoreVersionError } from './errors';
export { HISTORY_LIMIT, emptyPool, type Cluster, type ClusterState, type Ending, type HistoryEntry, type Holder, type PoolState, type Ticket } from './model';
export type { PoolStore } from './store';
export * as transitions from './transitions';
export type { Command, Expiry, Releaser } from './transitions';
