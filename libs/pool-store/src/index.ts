export { BatchingPoolStore, type BatchingStoreOptions, type VersionedBackend } from './batching-store';
export { CONFIGMAP_MAX_BYTES, ConfigMapBackend, type ConfigMapBackendOptions } from './configmap-backend';
export { createPoolStore, type StoreConfig } from './create-store';
export { FileBackend } from './file-backend';
export { MemoryBackend } from './memory-backend';
export { RedisBackend, RedisCommandError, type RedisBackendOptions } from './redis-backend';
