import type { Command } from './transitions';
import type { PoolState } from './model';

/**
 * Where the pool lives. `apply` runs a command against the current state and persists the result atomically:
 * either the whole change is stored, or (when the command throws) nothing is. Implementations guard every write
 * (a ConfigMap's resourceVersion, a compare-and-set script in Redis, a version check for the file and memory) so
 * two replicas never both apply a change to the same state.
 */
export interface PoolStore {
  apply<T>(command: Command<T>): Promise<T>;
  read(): Promise<PoolState>;
  close(): Promise<void>;
}
