import type { KubeConfig } from '@kubernetes/client-node';
import type { PoolStore } from '@ci-stack/pool';
import type { Clock } from '@ci-stack/core';
import { BatchingPoolStore, type VersionedBackend } from './batching-store';
import { ConfigMapBackend } from './configmap-backend';
import { FileBackend } from './file-backend';
import { MemoryBackend } from './memory-backend';
import { RedisBackend } from './redis-backend';
import { redisAddress } from './redis-connection';

export type StoreConfig =
  | { kind: 'memory' }
  | { kind: 'file'; path: string }
  | { kind: 'redis'; url: string; prefix: string; password?: string; timeoutMs?: number }
  | { kind: 'configmap'; kubeConfig: KubeConfig; namespace: string; name: string; requestTimeoutMs?: number };

/** Builds the configured store. No I/O happens until the first command. */
export function createPoolStore(config: StoreConfig, opts: { clock: Clock; onWrite?: (seconds: number, outcome: 'ok' | 'conflict' | 'error') => void }): BatchingPoolStore & PoolStore {
  return new BatchingPoolStore(createBackend(config), opts);
}

/** Where the store keeps the pool, for logs: never a password. */
export function describeStore(config: StoreConfig): string {
  switch (config.kind) {
    case 'memory':
      return 'memory';
    case 'file':
      return `file ${config.path}`;
    case 'redis':
      return `Redis at ${redisAddress(config.url)}`;
    case 'configmap':
      return `ConfigMap ${config.namespace}/${config.name}`;
  }
}

function createBackend(config: StoreConfig): VersionedBackend {
  switch (config.kind) {
    case 'memory':
      return new MemoryBackend();
    case 'file':
      return new FileBackend(config.path);
    case 'redis':
      return new RedisBackend(config);
    case 'configmap':
      return new ConfigMapBackend(config);
  }
}
