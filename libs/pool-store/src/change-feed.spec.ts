import { Redis } from 'ioredis';
import { transitions } from '@ci-stack/pool';
import { startFakeKubeApi } from '@ci-stack/kube/testing';
import { FakeClock } from '@ci-stack/core/testing';
import { BatchingPoolStore } from './batching-store';
import { ChangeFeed, type ChangeSource } from './change-feed';
import { ConfigMapBackend } from './configmap-backend';
import { RedisBackend } from './redis-backend';
import { changeCounter, startRedisServer } from './testing';

class FakeSource implements ChangeSource {
  started = 0;
  stopped = 0;
  changed?: () => void;
  start(changed: () => void): void {
    this.started++;
    this.changed = changed;
  }
  async stop(): Promise<void> {
    this.stopped++;
  }
}

describe('ChangeFeed', () => {
  it('runs its remote source only while someone listens, and passes on both local and remote changes', async () => {
    const source = new FakeSource();
    const feed = new ChangeFeed(source, 0);
    feed.emit(); // nobody listens: nothing starts
    expect(source.started).toBe(0);
    const heard = changeCounter();
    const first = feed.subscribe(heard.hit);
    const second = feed.subscribe(() => heard.hit());
    expect(source.started).toBe(1);
    feed.emit();
    source.changed?.();
    expect(heard.count).toBe(4);
    first();
    second();
    // The source stops once the linger (0 here) has passed.
    while (source.stopped === 0) await new Promise((r) => setTimeout(r, 5));
    expect(source.stopped).toBe(1);
    const again = feed.subscribe(heard.hit);
    expect(source.started).toBe(2);
    again();
    await feed.close();
    expect(source.stopped).toBe(2);
  });

  it('keeps the source running when a listener comes back before the linger ends', async () => {
    const source = new FakeSource();
    const feed = new ChangeFeed(source, 60_000);
    feed.subscribe(() => undefined)();
    const stop = feed.subscribe(() => undefined);
    expect([source.started, source.stopped]).toEqual([1, 0]);
    stop();
    await feed.close();
    expect(source.stopped).toBe(1);
  });
});

describe('Redis change notifications', () => {
  it('survive FLUSHALL and a dropped subscriber connection', async () => {
    const redis = await startRedisServer();
    const clock = new FakeClock();
    const mine = new BatchingPoolStore(new RedisBackend({ url: redis.url, prefix: 'x:' }), { clock });
    const other = new BatchingPoolStore(new RedisBackend({ url: redis.url, prefix: 'x:' }), { clock });
    const admin = new Redis(redis.url);
    try {
      const heard = changeCounter();
      mine.subscribe(heard.hit);
      await heard.after(0); // subscribed
      let seen = heard.count;
      await admin.flushall();
      await other.apply(transitions.addCluster('after-flush', 'r'));
      await heard.after(seen);
      expect([...(await mine.read()).clusters.keys()]).toEqual(['after-flush']);
      seen = heard.count;
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      await heard.after(seen); // resubscribed after the reconnect, and says a change may have slipped by
      seen = heard.count;
      await other.apply(transitions.addCluster('after-reconnect', 'r'));
      await heard.after(seen);
    } finally {
      admin.disconnect();
      await mine.close();
      await other.close();
      await redis.stop();
    }
  });
});

describe('ConfigMap change notifications (fake API server)', () => {
  it('resume after the server closes the watch or answers 410 Gone', async () => {
    const api = await startFakeKubeApi();
    const clock = new FakeClock();
    const make = () => new BatchingPoolStore(new ConfigMapBackend({ kubeConfig: api.kubeConfig(), namespace: 'ci', name: 'pool' }), { clock });
    const [mine, other] = [make(), make()];
    const heard = changeCounter();
    let n = 0;
    // A new watch reports in once (and the server may replay the current object): of three writes in a row, each
    // waited for, at least two can only have been heard as changes through the watch.
    const writesAreHeard = async () => {
      for (let i = 0; i < 3; i++) {
        const seen = heard.count;
        await other.apply(transitions.addCluster(`c${n++}`, 'r'));
        await heard.after(seen);
      }
    };
    try {
      mine.subscribe(heard.hit);
      await writesAreHeard();
      api.closeWatches();
      await writesAreHeard();
      api.failNextWatchWithGone();
      api.closeWatches();
      await writesAreHeard();
      expect(api.requests().filter((r) => r.path.endsWith('?watch')).length).toBeGreaterThanOrEqual(4);
      expect((await mine.read()).clusters.size).toBe(9);
    } finally {
      await mine.close();
      await other.close();
      await api.close();
    }
  });

  it('starts no watch until someone listens', async () => {
    const api = await startFakeKubeApi();
    const store = new BatchingPoolStore(new ConfigMapBackend({ kubeConfig: api.kubeConfig(), namespace: 'ci', name: 'pool' }), { clock: new FakeClock() });
    try {
      await store.apply(transitions.addCluster('a', 'r'));
      expect(api.requests().filter((r) => r.path.endsWith('?watch'))).toEqual([]);
    } finally {
      await store.close();
      await api.close();
    }
  });
});
