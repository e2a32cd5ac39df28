// cimaster on a real redis-server that stops answering (SIGSTOP) and resumes (SIGCONT): every route that needs the
// store answers 503 within its deadline, /readyz turns unready and back by itself; the start-up wait logs and
// recovers; a shutdown answers each waiting getvacant and removes its ticket in one write.
import express from 'express';
import request from 'supertest';
import { cimasterDocument } from '@ci-stack/cimaster-api';
import { contractRecorder } from '@ci-stack/http-contract/testing';
import { ClusterPool, transitions } from '@ci-stack/pool';
import { RedisBackend, createPoolStore } from '@ci-stack/pool-store';
import { startRedisServer, type RedisServer } from '@ci-stack/pool-store/testing';
import { systemClock } from '@ci-stack/core';
import { freePort } from '@ci-stack/core/testing';
import { serveService } from '@ci-stack/service-kit';
import { capturingLogger, silentLogger } from '@ci-stack/service-kit/testing';
import { createApp } from './app';
import { createMetrics } from './metrics';
import { PoolEventHub } from './pool-events';
import { waitForStore } from './store-wait';

const HOUR = 3_600_000;
const TIMEOUT_MS = 400;
const READY_TIMEOUT_MS = 200;

const contract = contractRecorder(cimasterDocument());
afterEach(() => contract.verify());

let redis: RedisServer;
beforeEach(async () => {
  redis = await startRedisServer();
});
afterEach(async () => {
  redis.thaw();
  await redis.stop();
});

function setup(prefix: string) {
  const store = createPoolStore({ kind: 'redis', url: redis.url, prefix, timeoutMs: TIMEOUT_MS }, { clock: systemClock });
  const pool = new ClusterPool({ store, changes: store, clock: systemClock, leaseMs: 4 * HOUR, holdMs: 6 * HOUR, maxHoldMs: 24 * HOUR });
  const logger = silentLogger();
  const events = new PoolEventHub({ snapshot: () => store.read(), changes: store, clock: systemClock, logger });
  const app = createApp({
    pool,
    metrics: createMetrics(() => store.read()),
    logger,
    maxWaitMs: HOUR,
    ready: async () => void (await store.read({ timeoutMs: READY_TIMEOUT_MS })),
    events,
    createCluster: async () => {
      throw new Error('not used');
    },
  });
  return { store, pool, app, events };
}

/** Polls `probe` every 20 ms until it holds; fails after `ms`. */
async function until(what: string, probe: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a Redis that stops answering', () => {
  const routes = [
    '/getvacant?build=b1&job=e2e',
    '/getvacant?build=b2&job=e2e&wait=60',
    '/finishtest?cluster=c1',
    '/heartbeat?cluster=c1&build=b0',
    '/holdcluster?cluster=c1',
    '/releasecluster?cluster=c1',
    '/addcluster?cluster=c9&region=r',
    '/disablecluster?cluster=c2',
    '/enablecluster?cluster=c2',
    '/deletecluster?cluster=c2',
    '/clusters',
    '/clusters/c1',
    '/queue',
  ];

  it('every route that needs the store answers 503 REDIS_UNAVAILABLE within the deadline, /readyz 503, /healthz 200; all back after SIGCONT', async () => {
    const { app, store, events } = setup('frozen:');
    try {
      await store.apply(transitions.addCluster('c1', 'r'));
      await store.apply(transitions.addCluster('c2', 'r'));
      const served = contract.wrap(app);
      await request(served).get('/getvacant?build=b0&job=e2e').expect(200, 'c1');
      await request(served).get('/readyz').expect(200);
      await redis.freeze();

      for (const path of routes) {
        const started = Date.now();
        const res = await request(served).get(path).set('Accept', 'application/json');
        const tookMs = Date.now() - started;
        expect([path, res.status, res.body.code]).toEqual([path, 503, 'REDIS_UNAVAILABLE']);
        // A read and a write, each within the deadline (and room for a busy machine).
        expect([path, tookMs < 2 * TIMEOUT_MS + 1000]).toEqual([path, true]);
      }
      const started = Date.now();
      const ready = await request(served).get('/readyz').expect(503);
      expect(Date.now() - started).toBeLessThan(READY_TIMEOUT_MS + 1000);
      expect(ready.body.checks.store).toEqual({ ok: false, message: expect.stringMatching(/^Redis unavailable: /) });
      await request(served).get('/healthz').expect(200);

      redis.thaw();
      await until('/readyz to answer 200', async () => (await request(served).get('/readyz')).status === 200);
      await request(served).get('/finishtest?cluster=c1').expect(200);
      await request(served).get('/getvacant?build=b3&job=e2e').expect(200, 'c2');
    } finally {
      events.close();
      await store.close();
    }
  }, 60_000);
});

describe('start-up against a Redis that does not answer', () => {
  it('logs at warn what it waits for, with the address and the next attempt, and goes on once Redis answers', async () => {
    const store = createPoolStore({ kind: 'redis', url: redis.url.replace('redis://', 'redis://:hunter2@'), prefix: 'start:', timeoutMs: TIMEOUT_MS }, { clock: systemClock });
    const log = capturingLogger();
    try {
      await redis.freeze();
      const waiting = waitForStore({ read: () => store.read(), store: `Redis at redis://127.0.0.1:${redis.port}/0`, logger: log.logger, backoffMs: 50, maxBackoffMs: 200 });
      await until('two attempts to be logged', async () => log.lines.filter((l) => l.level === 40).length >= 2);
      redis.thaw();
      expect(await waiting).toBe(true);
      const warnings = log.lines.filter((l) => l.level === 40);
      expect(warnings[0]).toMatchObject({ store: `Redis at redis://127.0.0.1:${redis.port}/0`, attempt: 1, retryInMs: 50, msg: expect.stringMatching(/^waiting for the store \(Redis at redis:\/\/127\.0\.0\.1:\d+\/0\): Redis unavailable: /) });
      expect(warnings[1]).toMatchObject({ attempt: 2, retryInMs: 100 });
      expect(log.lines.at(-1)).toMatchObject({ level: 30, msg: 'store reachable: serving', attempts: warnings.length + 1 });
      expect(log.text()).not.toContain('hunter2');
    } finally {
      await store.close();
    }
  }, 30_000);

  it('waits for a Redis nobody listens on until shutdown', async () => {
    const store = createPoolStore({ kind: 'redis', url: `redis://127.0.0.1:${await freePort()}`, prefix: 'x:', timeoutMs: TIMEOUT_MS }, { clock: systemClock });
    const log = capturingLogger();
    const stop = new AbortController();
    try {
      const waiting = waitForStore({ read: () => store.read(), store: 'Redis', logger: log.logger, backoffMs: 20, signal: stop.signal });
      await until('an attempt to be logged', async () => log.lines.some((l) => l.level === 40));
      stop.abort();
      expect(await waiting).toBe(false);
      expect(log.lines[0]).toMatchObject({ level: 40, attempt: 1, err: expect.stringMatching(/^Redis unavailable: /) });
    } finally {
      await store.close();
    }
  });

  it('stops the start at once on a stored pool it cannot use', async () => {
    const store = createPoolStore({ kind: 'redis', url: redis.url, prefix: 'bad:', timeoutMs: TIMEOUT_MS }, { clock: systemClock });
    const raw = new RedisBackend({ url: redis.url, prefix: 'bad:' });
    expect(await raw.save('{"version": 1, "clusters": ', null)).toBe('ok');
    await raw.close();
    try {
      await expect(waitForStore({ read: () => store.read(), store: 'Redis', logger: silentLogger() })).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    } finally {
      await store.close();
    }
  });
});

describe('shutdown with getvacant calls waiting', () => {
  it('answers each 503 SHUTTING_DOWN with Retry-After before the close completes, their tickets gone from Redis', async () => {
    const { app, store, pool, events } = setup('drain:');
    await store.apply(transitions.addCluster('c1', 'r'));
    await pool.getVacant({ build: 'holder', job: 'e2e' });
    // Server-side events only: when the client reads an answer relative to the close is not promised.
    const order: string[] = [];
    const outer = express();
    outer.use((req, res, next) => {
      res.on('finish', () => order.push(`answered ${String(req.query.build)}`));
      next();
    });
    outer.use(app);
    const served = await serveService({
      app: outer,
      registry: createMetrics(() => store.read()).registry,
      server: { host: '127.0.0.1', port: 0, metricsPort: 0, gracePeriod: 30_000 },
      logger: silentLogger(),
      onStopAccepting: [() => events.close(), () => void pool.stopWaiting()],
      onShutdown: [() => store.close()],
      exit: () => undefined,
    });
    const { port } = served.server.address() as { port: number };
    const waiters = ['w1', 'w2'].map((build) =>
      fetch(`http://127.0.0.1:${port}/getvacant?build=${build}&job=e2e&wait=60`, { headers: { accept: 'application/json' } }).then(async (res) => {
        return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { code: string } };
      }),
    );
    await until('both tickets to be queued', async () => (await store.read()).queue.length === 2);

    await served.close().then(() => order.push('closed'));
    expect([order.slice(0, 2).sort(), order.slice(2)]).toEqual([['answered w1', 'answered w2'], ['closed']]);
    for (const w of await Promise.all(waiters)) expect(w).toEqual({ status: 503, retryAfter: '1', body: expect.objectContaining({ code: 'SHUTTING_DOWN' }) });
    const after = createPoolStore({ kind: 'redis', url: redis.url, prefix: 'drain:' }, { clock: systemClock });
    try {
      const stored = await after.read();
      expect(stored.queue).toEqual([]);
      expect(stored.clusters.get('c1')?.holder?.build).toBe('holder');
    } finally {
      await after.close();
    }
  }, 60_000);
});
