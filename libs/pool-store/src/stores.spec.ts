import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubeApi } from '@ci-stack/kube/testing';
import { ConfigMapBackend } from './configmap-backend';
import { FileBackend } from './file-backend';
import { MemoryBackend } from './memory-backend';
import { RedisBackend } from './redis-backend';
import { describePoolStore, startRedisServer } from './testing';

describePoolStore('memory', async () => {
  const backend = new MemoryBackend();
  return { makeBackend: () => backend, multiWriter: true, cleanup: async () => undefined };
});

describePoolStore('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pool-file-'));
  return {
    makeBackend: () => new FileBackend(join(dir, 'state.json')),
    multiWriter: false,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describePoolStore(
  'redis',
  async () => {
    const redis = await startRedisServer({ password: 's3cret-pass' });
    return {
      makeBackend: () => new RedisBackend({ url: redis.url, prefix: 'test:' }),
      multiWriter: true,
      cleanup: () => redis.stop(),
    };
  },
  { rounds: 20 },
);

describePoolStore(
  'configmap (fake API server)',
  async () => {
    const api = await startFakeKubeApi();
    return {
      makeBackend: () => new ConfigMapBackend({ kubeConfig: api.kubeConfig(), namespace: 'ci', name: 'clusters' }),
      multiWriter: true,
      cleanup: () => api.close(),
    };
  },
  { rounds: 20 },
);
