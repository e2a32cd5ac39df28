/**
 * Whether this replica runs the background work (the sweeper, the job follower, the replenisher and the inventory
 * sync). Every loop asks before each round, so leadership may come and go while the process runs. Request handling
 * never asks: it stays on every replica.
 */
export interface Leadership {
  isLeader(): boolean;
}

/** A single process leads alone (the file and memory stores, or one replica). */
export const alwaysLeader: Leadership = Object.freeze({ isLeader: () => true });
