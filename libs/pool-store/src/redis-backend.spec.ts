import { Redis } from 'ioredis';
import { transitions } from '@ci-stack/pool';
import { DomainError } from '@ci-stack/core';
import { FakeClock, freePort } from '@ci-stack/core/testing';
import { BatchingPoolStore } from './batching-store';
import { RedisBackend, RedisCommandError } from './redis-backend';
import { startRedisServer, type RedisServer } from './testing';

describe('RedisBackend errors', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis.stop());

  it('reports an error Redis answers with (here a failing compare-and-set script) as an internal error, not as unavailable', async () => {
    const raw = new Redis(redis.url);
    // The version key holding a list makes the script's GET fail with WRONGTYPE on the real server.
    await raw.rpush('broken:pool:version', 'x');
    await raw.quit();
    const backend = new RedisBackend({ url: redis.url, prefix: 'broken:' });
    const store = new BatchingPoolStore(backend, { clock: new FakeClock() });
    try {
      const error = await store.apply(transitions.addCluster('c1', 'r')).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(RedisCommandError);
      expect(error).not.toBeInstanceOf(DomainError); // so the error handler answers a generic 500 and logs it
      expect((error as Error).message).toMatch(/^Redis refused the command: .*WRONGTYPE/);
    } finally {
      await store.close();
    }
  });

  it('reports a Redis nobody listens on as REDIS_UNAVAILABLE', async () => {
    const backend = new RedisBackend({ url: `redis://127.0.0.1:${await freePort()}`, prefix: 'x:' });
    try {
      const error = await backend.load().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ kind: 'unavailable', code: 'REDIS_UNAVAILABLE' });
      expect((error as Error).message).toMatch(/^Redis unavailable: /);
    } finally {
      await backend.close();
    }
  });
});
