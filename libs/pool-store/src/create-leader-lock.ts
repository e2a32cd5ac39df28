import type { Clock } from '@ci-stack/core';
import type { StoreConfig } from './create-store';
import { KubeLeaseLock } from './kube-lease-lock';
import type { LeaderLock } from './leader-elector';
import { RedisLeaderLock } from './redis-leader-lock';

/** The single process always leads: the memory and file stores never have a second replica. */
export const SINGLE_PROCESS_LOCK: LeaderLock = Object.freeze({ tryAcquire: async () => true, release: async () => undefined });

/**
 * The leader lock that goes with a store, kept beside the pool so every replica sharing the pool shares the lock:
 * the Lease `<configmap-name>-leader` in the ConfigMap's namespace, the key `<prefix>leader` in Redis, and the
 * process itself for the memory and file stores.
 */
export function createLeaderLock(config: StoreConfig, opts: { clock: Clock; leaseDurationMs: number }): LeaderLock {
  switch (config.kind) {
    case 'memory':
    case 'file':
      return SINGLE_PROCESS_LOCK;
    case 'redis':
      return new RedisLeaderLock({ url: config.url, password: config.password, key: `${config.prefix}leader`, leaseDurationMs: opts.leaseDurationMs, timeoutMs: config.timeoutMs });
    case 'configmap':
      return new KubeLeaseLock({ kubeConfig: config.kubeConfig, namespace: config.namespace, name: `${config.name}-leader`, leaseDurationMs: opts.leaseDurationMs, clock: opts.clock, requestTimeoutMs: config.requestTimeoutMs });
  }
}
