import http from 'node:http';
import express from 'express';
import { ClusterPool } from '@ci-stack/pool';
import { BatchingPoolStore, MemoryBackend, createPoolStore } from '@ci-stack/pool-store';
import { startRedisServer } from '@ci-stack/pool-store/testing';
import { listen, type EventStream } from '@ci-stack/service-kit';
import { FakeClock } from '@ci-stack/core/testing';
import { silentLogger } from '@ci-stack/service-kit/testing';
import { Registry } from 'prom-client';
import { registerEventStreamGauge } from './metrics';
import { PoolEventHub, poolEventRoutes, type PoolChangeFeed } from './pool-events';

const HOUR = 3_600_000;

/** A change feed the test fires by hand, as a store's feed would after any replica's write. */
class ManualFeed implements PoolChangeFeed {
  readonly listeners = new Set<() => void>();
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  fire(): void {
    for (const l of this.listeners) l();
  }
}

/** An event stream that keeps what was written to it. */
function recordingStream(): EventStream & { events: () => { event: string; data: Record<string, unknown> }[]; leave: () => void } {
  const chunks: string[] = [];
  let leave!: () => void;
  const closed = new Promise<void>((r) => (leave = r));
  return {
    send: () => undefined,
    write: (s) => void chunks.push(s),
    closed,
    end: () => leave(),
    leave: () => leave(),
    events: () =>
      chunks.map((c) => {
        const event = /^event: (.*)$/m.exec(c)?.[1] ?? '';
        const data = c
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        return { event, data: JSON.parse(data) as Record<string, unknown> };
      }),
  };
}

function setup() {
  const clock = new FakeClock(new Date('2026-06-01T00:00:00Z'));
  // Two pools on one backend: two replicas sharing a store.
  const backend = new MemoryBackend();
  const replicaA = new ClusterPool({ store: new BatchingPoolStore(backend, { clock }), clock, leaseMs: 4 * HOUR, holdMs: 6 * HOUR, maxHoldMs: 24 * HOUR });
  const replicaB = new ClusterPool({ store: new BatchingPoolStore(backend, { clock }), clock, leaseMs: 4 * HOUR, holdMs: 6 * HOUR, maxHoldMs: 24 * HOUR });
  const feed = new ManualFeed();
  const hub = new PoolEventHub({ snapshot: () => replicaA.snapshot(), changes: feed, clock, logger: silentLogger(), coalesceMs: 5, minIntervalMs: 0 });
  return { hub, feed, replicaA, replicaB, clock };
}

/**
 * Lets the hub's timers that fall due within 30 ms run, and everything they start finish. The hub's coalescing
 * and interval timers run on Jest's clock here, so a busy machine cannot make a read late.
 */
const settle = (ms = 30): Promise<void> => jest.advanceTimersByTimeAsync(ms);

describe('PoolEventHub', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'Date', 'setImmediate', 'clearImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('sends the whole pool first, then only what changed, with increasing ids', async () => {
    const { hub, feed, replicaA, replicaB } = setup();
    await replicaA.add('c1', 'us-west', 'admin');
    await replicaA.add('c2', 'eu', 'admin');
    const client = recordingStream();
    hub.attach(client);
    await settle();
    const [snapshot] = client.events();
    expect(snapshot.event).toBe('snapshot');
    expect((snapshot.data.clusters as { name: string }[]).map((c) => c.name)).toEqual(['c1', 'c2']);
    expect(snapshot.data.queue).toEqual([]);

    // A write by another replica, heard through the feed.
    await replicaB.getVacant({ build: '42', job: 'e2e' });
    feed.fire();
    await settle();
    const change = client.events()[1];
    expect(change.event).toBe('change');
    expect(change.data.seq).toBe(1);
    const changed = change.data.clusters as { name: string; state: string; holder: { build: string } }[];
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ state: 'testing', holder: { build: '42' } });
    expect(change.data.removed).toEqual([]);
    expect(change.data).not.toHaveProperty('queue');

    await replicaB.delete('c2');
    feed.fire();
    await settle();
    expect(client.events()[2].data).toMatchObject({ seq: 2, clusters: [], removed: ['c2'] });
  });

  it('coalesces a burst of changes into one read and sends nothing when nothing changed', async () => {
    const { hub, feed, replicaA } = setup();
    await replicaA.add('c1', 'us-west');
    const reads = jest.spyOn(replicaA, 'snapshot');
    const client = recordingStream();
    hub.attach(client);
    await settle();
    reads.mockClear();
    for (let i = 0; i < 20; i++) feed.fire();
    await settle();
    expect(reads).toHaveBeenCalledTimes(1);
    expect(client.events()).toHaveLength(1);
  });

  it('reads at most once per minimum interval under a steady stream of writes', async () => {
    const { feed, replicaA, clock } = setup();
    const hub = new PoolEventHub({ snapshot: () => replicaA.snapshot(), changes: feed, clock, logger: silentLogger(), coalesceMs: 5, minIntervalMs: 200 });
    await replicaA.add('c1', 'us-west');
    const reads = jest.spyOn(replicaA, 'snapshot');
    hub.attach(recordingStream());
    await settle();
    expect(reads).toHaveBeenCalledTimes(1);
    feed.fire(); // 200 ms after the last read on the service's clock, which has not moved
    await settle();
    expect(reads).toHaveBeenCalledTimes(1);
    await settle(250);
    expect(reads).toHaveBeenCalledTimes(2);
    clock.advance(1000); // long after the last read: the next change is read after the coalescing window only
    feed.fire();
    await settle();
    expect(reads).toHaveBeenCalledTimes(3);
    hub.close();
  });

  it('gives a late client the pool as last sent, so later changes apply to what it has', async () => {
    const { hub, feed, replicaA } = setup();
    await replicaA.add('c1', 'us-west');
    const first = recordingStream();
    hub.attach(first);
    await settle();
    await replicaA.getVacant({ build: '1', job: 'e2e' });
    const late = recordingStream();
    hub.attach(late);
    feed.fire();
    await settle();
    expect(late.events().map((e) => e.event)).toEqual(['snapshot', 'change']);
    expect((late.events()[0].data.clusters as { state: string }[])[0].state).toBe('finished');
    expect((late.events()[1].data.clusters as { state: string }[])[0].state).toBe('testing');
  });

  it('listens to the feed only while someone is connected', async () => {
    const { hub, feed } = setup();
    const a = recordingStream();
    const b = recordingStream();
    hub.attach(a);
    hub.attach(b);
    expect(feed.listeners.size).toBe(1);
    a.leave();
    await settle();
    expect(feed.listeners.size).toBe(1);
    b.leave();
    await settle();
    expect(feed.listeners.size).toBe(0);
    expect(hub.size).toBe(0);
  });

  it('counts its clients in cimaster_event_stream_clients', async () => {
    const { hub } = setup();
    const registry = new Registry();
    registerEventStreamGauge(registry, () => hub.size);
    const a = recordingStream();
    hub.attach(a);
    hub.attach(recordingStream());
    expect(await registry.metrics()).toContain('cimaster_event_stream_clients 2');
    a.leave();
    await settle();
    expect(await registry.metrics()).toContain('cimaster_event_stream_clients 1');
    hub.close();
  });

  it('sends the queue when a waiter joins it', async () => {
    const { hub, feed, replicaA, replicaB } = setup();
    const client = recordingStream();
    hub.attach(client);
    await settle();
    const abort = new AbortController();
    const waiting = replicaB.getVacant({ build: '7', job: 'e2e', region: 'eu', waitMs: HOUR, signal: abort.signal }).catch(() => undefined);
    await settle();
    feed.fire();
    await settle();
    const change = client.events().find((e) => e.event === 'change');
    expect(change?.data.queue).toEqual([expect.objectContaining({ position: 1, build: '7', job: 'e2e', region: 'eu' })]);
    abort.abort();
    await waiting;
    void replicaA;
  });

  it('keeps the clients when a read fails and recovers on the next change', async () => {
    const { hub, feed, replicaA } = setup();
    await replicaA.add('c1', 'us-west');
    jest.spyOn(replicaA, 'snapshot').mockRejectedValueOnce(new Error('store down'));
    const client = recordingStream();
    hub.attach(client);
    await settle();
    expect(client.events()).toHaveLength(0);
    feed.fire();
    await settle();
    expect(client.events().map((e) => e.event)).toEqual(['snapshot']);
  });
});

describe('PoolEventHub on a shared store: every replica hears every replica', () => {
  const waitFor = async (check: () => boolean): Promise<void> => {
    const until = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > until) throw new Error('timed out waiting for an event');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('Redis: a getvacant on replica B reaches a console of replica A through the store notifications', async () => {
    const redis = await startRedisServer();
    const clock = new FakeClock(new Date('2026-06-01T00:00:00Z'));
    const config = { kind: 'redis' as const, url: redis.url, prefix: `events-${Date.now()}:` };
    const storeA = createPoolStore(config, { clock });
    const storeB = createPoolStore(config, { clock });
    const pool = (store: typeof storeA) => new ClusterPool({ store, clock, leaseMs: 4 * HOUR, holdMs: 6 * HOUR, maxHoldMs: 24 * HOUR });
    const [replicaA, replicaB] = [pool(storeA), pool(storeB)];
    // Replica A's hub listens to A's store only, and never re-reads on its own (no resync within the test).
    const hub = new PoolEventHub({ snapshot: () => replicaA.snapshot(), changes: storeA, clock, logger: silentLogger(), coalesceMs: 5, minIntervalMs: 0, resyncMs: 3_600_000 });
    const reads = jest.spyOn(replicaA, 'snapshot');
    try {
      await replicaB.add('c1', 'us-west');
      const client = recordingStream();
      hub.attach(client);
      await waitFor(() => client.events().length === 1);
      // The store's feed calls the hub once its subscription is live, which makes a second read.
      await waitFor(() => reads.mock.calls.length >= 2);
      await replicaB.getVacant({ build: '42', job: 'e2e' });
      await waitFor(() => client.events().some((e) => e.event === 'change'));
      const change = client.events().find((e) => e.event === 'change');
      expect(change?.data.clusters).toEqual([expect.objectContaining({ name: 'c1', state: 'testing', holder: expect.objectContaining({ build: '42' }) })]);
    } finally {
      hub.close();
      await storeA.close();
      await storeB.close();
      await redis.stop();
    }
  });
});

describe('GET /pool/events', () => {
  it('streams the pool as Server-Sent Events', async () => {
    const { hub, replicaA } = setup();
    await replicaA.add('c1', 'us-west');
    const app = express();
    app.use(poolEventRoutes(hub));
    const server = http.createServer(app);
    await listen(server, 0, '127.0.0.1');
    const port = (server.address() as { port: number }).port;
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.get({ port, host: '127.0.0.1', path: '/pool/events' }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
          if (body.includes('event: snapshot')) {
            req.destroy();
            resolve(body);
          }
        });
      });
      req.on('error', reject);
    });
    expect(text).toContain('"name":"c1"');
    hub.close();
    await new Promise((r) => server.close(r));
  });
});
