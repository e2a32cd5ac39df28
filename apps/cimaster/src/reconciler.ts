import { randomInt } from 'node:crypto';
import { planInventory, planReplenish, type Cluster, type ClusterPool, type JobRun, type PoolState, type ReplenishOptions } from '@ci-stack/pool';
import type { Logger } from '@ci-stack/service-kit';
import type { Clock } from '@ci-stack/core';
import { NAME_SUFFIX_LENGTH, type Inventory } from './inventory';
import type { JobFollower } from './job-follower';

/** Where the declared inventory comes from (a watched file in production). */
export interface InventorySource {
  current(): Inventory;
}

export interface ReconcilerDeps {
  pool: ClusterPool;
  follower: JobFollower;
  clock: Clock;
  logger: Logger;
  inventory?: InventorySource;
  /** Backoff after failed creations; `suffix` names new clusters. */
  replenish?: Partial<ReplenishOptions>;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random suffix for a target's cluster names: 36^5 ≈ 60 million names per prefix. */
export function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < NAME_SUFFIX_LENGTH; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/**
 * One round of the pool's background work, run by the leader: bring the pool in step with the inventory, follow
 * every creation and cleanup job, then create what the targets need, and say which jobs are followed now. Each step plans on one snapshot and writes
 * only when there is something to do; the commands re-check everything on the state they change.
 */
export class Reconciler {
  private readonly replenishOptions: ReplenishOptions;

  constructor(private readonly deps: ReconcilerDeps) {
    this.replenishOptions = { backoffBaseMs: 60_000, backoffMaxMs: 30 * 60_000, suffix: randomSuffix, ...deps.replenish };
  }

  async round(): Promise<void> {
    let state = await this.deps.pool.snapshot();
    const inventory = this.deps.inventory?.current();
    if (inventory && (await this.syncInventory(state, inventory))) state = await this.deps.pool.snapshot();
    try {
      await this.deps.follower.round(state);
      // Replenish on what following just concluded: a creation that ended this round counts as vacant (or failed).
      if (inventory?.pools.length) await this.replenish(await this.deps.pool.snapshot(), inventory);
    } finally {
      // Last, so that the jobs this round triggered are followed at once (streams opened) rather than next round.
      await this.deps.follower.announce(state);
    }
  }

  private async syncInventory(state: PoolState, inventory: Inventory): Promise<boolean> {
    const plan = planInventory(state, inventory.clusters);
    if (!plan.add.length && !plan.update.length && !plan.remove.length) return false;
    const done = await this.deps.pool.syncInventory(inventory.clusters);
    this.deps.logger.info({ added: done.add.map((c) => c.name), updated: done.update.map((c) => c.name), removed: done.remove }, 'pool brought in step with the inventory');
    return true;
  }

  private async replenish(state: PoolState, inventory: Inventory): Promise<void> {
    const plans = planReplenish(state, inventory.pools, this.deps.clock.now(), this.replenishOptions);
    if (!plans.some((p) => p.create > 0)) return;
    const { created } = await this.deps.pool.replenish(inventory.pools, this.replenishOptions);
    for (const cluster of created as Array<Cluster & { job: JobRun }>) {
      this.deps.logger.info({ cluster: cluster.name, region: cluster.region }, 'creating a cluster for a pool target');
      // The run is stored before its job is triggered: if this replica dies here, the next leader triggers it.
      await this.deps.follower.trigger(cluster).catch((err: Error) => this.deps.logger.warn({ cluster: cluster.name, err: err.message }, 'triggering the creation job failed'));
    }
  }
}
