import { Redis } from 'ioredis';
import { transitions } from '@ci-stack/pool';
import { DomainError } from '@ci-stack/core';
import { FakeClock, freePort } from '@ci-stack/core/testing';
import { BatchingPoolStore } from './batching-store';
import { RedisBackend } from './redis-backend';
import { RedisCommandError } from './redis-connection';
import { RedisLeaderLock } from './redis-leader-lock';
import { startRedisServer, type RedisServer } from './testing';

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (err: unknown) => err,
  );

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
      const error = await failure(store.apply(transitions.addCluster('c1', 'r')));
      expect(error).toBeInstanceOf(RedisCommandError);
      expect(error).not.toBeInstanceOf(DomainError); // so the error handler answers a generic 500 and logs it
      expect((error as Error).message).toMatch(/^Redis refused the command: .*WRONGTYPE/);
    } finally {
      await store.close();
    }
  });

  it('reports a Redis nobody listens on as REDIS_UNAVAILABLE, naming its address', async () => {
    const port = await freePort();
    const backend = new RedisBackend({ url: `redis://:secret@127.0.0.1:${port}`, prefix: 'x:' });
    try {
      const error = await failure(backend.load());
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ kind: 'unavailable', code: 'REDIS_UNAVAILABLE' });
      expect((error as Error).message).toMatch(new RegExp(`^Redis unavailable: redis://127.0.0.1:${port}/0: `));
      expect((error as Error).message).not.toContain('secret');
    } finally {
      await backend.close();
    }
  });
});

/** Polls `probe` (every 20 ms, for at most `ms`) until it holds. */
async function until(what: string, probe: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a Redis that accepts connections but does not answer (SIGSTOP)', () => {
  const TIMEOUT_MS = 300;
  let redis: RedisServer;
  let raw: Redis;
  beforeEach(async () => {
    redis = await startRedisServer();
    raw = new Redis(redis.url);
  });
  afterEach(async () => {
    redis.thaw();
    raw.disconnect();
    await redis.stop();
  });

  /** The ids of the connections named `name` (the backend names its own), as Redis lists them. */
  const clientIds = async (name: string): Promise<string[]> =>
    String(await raw.call('CLIENT', 'LIST'))
      .split('\n')
      .filter((line) => line.includes(` name=${name} `))
      .map((line) => /^id=(\d+)/.exec(line)?.[1] as string);

  it('fails every read and write with REDIS_UNAVAILABLE at the deadline, and serves again by itself after SIGCONT', async () => {
    const backend = new RedisBackend({ url: redis.url, prefix: 'f:', timeoutMs: TIMEOUT_MS });
    const store = new BatchingPoolStore(backend, { clock: new FakeClock() });
    try {
      await store.apply(transitions.addCluster('c1', 'r'));
      await redis.freeze();
      for (const attempt of [() => store.read(), () => store.apply(transitions.addCluster('c2', 'r')), () => store.read()]) {
        const started = Date.now();
        const error = await failure(attempt());
        expect(error).toMatchObject({ kind: 'unavailable', code: 'REDIS_UNAVAILABLE', message: expect.stringMatching(/^Redis unavailable: .*redis:\/\/127\.0\.0\.1:\d+\/0/) });
        // The spec of a deadline: no answer later than it (with room for a busy machine).
        expect(Date.now() - started).toBeLessThan(2 * TIMEOUT_MS + 1000);
      }
      redis.thaw();
      await until('the store to answer again', () => store.read().then(() => true, () => false));
      await store.apply(transitions.addCluster('c3', 'r'));
      expect([...(await store.read()).clusters.keys()].sort()).toEqual(['c1', 'c3']);
    } finally {
      await store.close();
    }
  });

  it('a write that timed out is not applied when Redis resumes and runs what was sent to it', async () => {
    const backend = new RedisBackend({ url: redis.url, prefix: 'late:', timeoutMs: TIMEOUT_MS });
    try {
      await backend.load(); // connected
      expect(await backend.save('{"v":1}', null)).toBe('ok');
      const read = await backend.load();
      const sentTo = await clientIds('late:pool');
      expect(sentTo).toHaveLength(1);
      await redis.freeze();
      expect(await failure(backend.save('{"v":2}', read.version, read.readAt))).toMatchObject({ code: 'REDIS_UNAVAILABLE' });
      redis.thaw();
      // Redis reads what reached the old connection before it sees the connection closed: once it is gone from
      // the client list, the late write has run (or been refused).
      await until('the old connection to be closed', async () => !(await clientIds('late:pool')).includes(sentTo[0]));
      expect(await raw.get('late:pool')).toBe('{"v":1}');
      expect(await raw.get('late:pool:version')).toBe('1');
    } finally {
      await backend.close();
    }
  });

  it('refuses a write that reaches Redis later than the deadline after its read, by the server clock', async () => {
    const backend = new RedisBackend({ url: redis.url, prefix: 'slow:', timeoutMs: TIMEOUT_MS });
    try {
      expect(await backend.save('{"v":1}', null)).toBe('ok');
      const read = await backend.load();
      const serverMs = async (): Promise<number> => {
        const [s, us] = await raw.time();
        return Number(s) * 1000 + Math.floor(Number(us) / 1000);
      };
      await until('the server clock to pass the deadline', async () => (await serverMs()) > (read.readAt as number) + TIMEOUT_MS);
      const error = await failure(backend.save('{"v":2}', read.version, read.readAt));
      expect(error).toMatchObject({ code: 'REDIS_UNAVAILABLE', message: expect.stringContaining('took longer than 0.3s from read to write; nothing was written') });
      expect(await raw.get('slow:pool')).toBe('{"v":1}');
      expect(await backend.save('{"v":2}', read.version, (await backend.load()).readAt)).toBe('ok');
    } finally {
      await backend.close();
    }
  });

  it('a probe gives up at its own shorter deadline', async () => {
    const backend = new RedisBackend({ url: redis.url, prefix: 'p:', timeoutMs: 60_000 });
    try {
      await backend.load();
      await redis.freeze();
      const started = Date.now();
      expect(await failure(backend.load({ timeoutMs: TIMEOUT_MS }))).toMatchObject({ code: 'REDIS_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
    } finally {
      redis.thaw();
      await backend.close();
    }
  });

  it('the leader lock fails with REDIS_UNAVAILABLE at the deadline and works again after SIGCONT', async () => {
    const lock = new RedisLeaderLock({ url: redis.url, key: 'f:leader', leaseDurationMs: 10_000, timeoutMs: TIMEOUT_MS });
    try {
      expect(await lock.tryAcquire('a')).toBe(true);
      await redis.freeze();
      const started = Date.now();
      expect(await failure(lock.tryAcquire('a'))).toMatchObject({ code: 'REDIS_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
      redis.thaw();
      await until('the lock to answer again', () => lock.tryAcquire('a').then(() => true, () => false));
      expect(await lock.tryAcquire('b')).toBe(false);
    } finally {
      await lock.close();
    }
  });
});
