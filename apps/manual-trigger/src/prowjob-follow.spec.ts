import request from 'supertest';
import { contract, kubeApp, seedProwJob } from './test-helpers';

afterEach(() => contract.verify());

type Env = Awaited<ReturnType<typeof kubeApp>>;
interface SseEvent {
  id?: string;
  event?: string;
  data?: { state: string; build_id: string | null; ended: boolean; job_name: string; description: string | null };
}

function parseBlock(block: string): SseEvent {
  const event: SseEvent = {};
  for (const line of block.split('\n')) {
    const [field, ...rest] = line.split(': ');
    if (field === 'id' || field === 'event') event[field] = rest.join(': ');
    if (field === 'data') event.data = JSON.parse(rest.join(': '));
  }
  return event;
}

/** A minimal EventSource: the status, each event as it arrives, and the end of the stream. */
async function connect(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let comments = 0;
  const ended = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    const take = (block: string): void => {
      if (block.startsWith(':')) comments++;
      const event = parseBlock(block);
      if (event.data) events.push(event);
      waiters.splice(0).forEach((w) => w());
    };
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop() ?? '';
        blocks.forEach(take);
      }
    } catch {
      // aborted by the test
    }
    waiters.splice(0).forEach((w) => w());
  })();
  let finished = false;
  void ended.then(() => (finished = true));
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    events,
    comments: () => comments,
    /** Resolves once `n` events have arrived (or the stream ended). */
    async count(n: number): Promise<SseEvent[]> {
      while (events.length < n && !finished) await new Promise<void>((r) => waiters.push(r));
      return events;
    },
    ended,
    close: () => controller.abort(),
  };
}

/** Resolves once the fake API server has seen `n` watch requests in all. */
async function watches(env: Env, n: number): Promise<void> {
  while (env.kube.requests().filter((r) => r.path.endsWith('?watch')).length < n) await new Promise((r) => setTimeout(r, 10));
}

describe('GET /prowjobs/NAME/events', () => {
  let env: Env;
  beforeEach(async () => {
    env = await kubeApp({ buildIdTimeoutMs: 0, keepAliveMs: 50 });
  });
  afterEach(async () => env.close());

  it('sends the current state, then each change from the watch, and ends when the job ends', async () => {
    const pj = await seedProwJob(env, { name: 'pj-1', ours: true });
    const stream = await connect(`${env.url}/prowjobs/pj-1/events`);
    expect([stream.status, stream.contentType]).toEqual([200, 'text/event-stream; charset=utf-8']);
    await stream.count(1);
    env.kube.update('prowjobs', 'prow', 'pj-1', { status: { state: 'pending', build_id: '42', description: 'Job triggered.' } });
    await stream.count(2);
    env.kube.update('prowjobs', 'prow', 'pj-1', { metadata: { annotations: { unrelated: 'change' } } }); // nothing a client sees: no event
    env.kube.update('prowjobs', 'prow', 'pj-1', { status: { state: 'success', completionTime: '2026-03-28T10:05:00Z', description: 'Job succeeded.' } });
    await stream.ended;
    expect(stream.events.map((e) => [e.event, e.data?.state, e.data?.build_id, e.data?.ended])).toEqual([
      ['status', 'triggered', null, false],
      ['status', 'pending', '42', false],
      ['status', 'success', '42', true],
    ]);
    expect(stream.events[0].id).toBe(pj.metadata.resourceVersion);
    expect(Number(stream.events[2].id)).toBeGreaterThan(Number(stream.events[1].id));
  });

  it('resumes after Last-Event-ID with the changes the client missed, and answers 204 once nothing more can come', async () => {
    await seedProwJob(env, { name: 'pj-1', ours: true });
    const first = await connect(`${env.url}/prowjobs/pj-1/events`);
    const [initial] = await first.count(1);
    first.close();
    env.kube.update('prowjobs', 'prow', 'pj-1', { status: { state: 'pending', build_id: '7' } });
    env.kube.update('prowjobs', 'prow', 'pj-1', { status: { state: 'failure', completionTime: '2026-03-28T10:05:00Z' } });
    const resumed = await connect(`${env.url}/prowjobs/pj-1/events`, { 'Last-Event-ID': initial.id! });
    await resumed.ended;
    expect(resumed.events.map((e) => e.data?.state)).toEqual(['pending', 'failure']);
    const again = await fetch(`${env.url}/prowjobs/pj-1/events`, { headers: { 'Last-Event-ID': resumed.events[1].id! } });
    expect(again.status).toBe(204);
    const fromQuery = await connect(`${env.url}/prowjobs/pj-1/events?last_event_id=${initial.id}`);
    await fromQuery.ended;
    expect(fromQuery.events.map((e) => e.data?.state)).toEqual(['pending', 'failure']);
  });

  it('continues across a watch the API server closes or expires, without repeating events', async () => {
    await seedProwJob(env, { name: 'pj-1', ours: true });
    const stream = await connect(`${env.url}/prowjobs/pj-1/events`);
    await stream.count(1);
    await watches(env, 1);
    env.kube.closeWatches();
    env.kube.update('prowjobs', 'prow', 'pj-1', { status: { state: 'pending' } });
    await stream.count(2);
    await watches(env, 2);
    env.kube.compact();
    env.kube.failNextWatchWithGone();
    env.kube.closeWatches();
    await watches(env, 4); // the one that got 410, then one from a fresh read
    env.kube.update('prowjobs', 'prow', 'pj-1', { status: { state: 'aborted', completionTime: '2026-03-28T10:05:00Z' } });
    await stream.ended;
    expect(stream.events.map((e) => e.data?.state)).toEqual(['triggered', 'pending', 'aborted']);
  });

  it('sends `deleted` and ends when the ProwJob is deleted; keeps idle streams alive with comments', async () => {
    await seedProwJob(env, { name: 'pj-1', ours: true });
    const stream = await connect(`${env.url}/prowjobs/pj-1/events`);
    await stream.count(1);
    while (stream.comments() < 2) await new Promise((r) => setTimeout(r, 20));
    await env.prowJobs.get('pj-1');
    await fetch(`${env.kube.url}/apis/prow.k8s.io/v1/namespaces/prow/prowjobs/pj-1`, { method: 'DELETE' });
    await stream.ended;
    expect(stream.events.map((e) => e.event)).toEqual(['status', 'deleted']);
  });

  it('ends open streams when the service shuts down', async () => {
    const stopping = new AbortController();
    const local = await kubeApp({ buildIdTimeoutMs: 0, stopping: stopping.signal });
    try {
      await seedProwJob(local, { name: 'pj-1', ours: true });
      const stream = await connect(`${local.url}/prowjobs/pj-1/events`);
      await stream.count(1);
      stopping.abort();
      await stream.ended;
      expect(stream.events).toHaveLength(1);
    } finally {
      await local.close();
    }
  });

  it.each([
    ['an unknown ProwJob', '/prowjobs/nope/events', {}, 404, 'ProwJob nope not found'],
    ['a name that is no object name', '/prowjobs/Not_A_Name/events', {}, 400, 'ProwJob name must be a Kubernetes object name'],
    ['a Last-Event-ID we never sent', '/prowjobs/pj-1/events', { 'Last-Event-ID': 'abc' }, 400, 'Last-Event-ID must be the id of an event this stream sent (a resourceVersion), got "abc"'],
  ])('answers %s with a 4xx', async (_what, path, headers, status, message) => {
    await seedProwJob(env, { name: 'pj-1', ours: true });
    const res = await request(env.app).get(path).set(headers).expect(status);
    expect(res.body.message).toBe(message);
  });
});

describe('GET /prowjobs/NAME?wait=complete', () => {
  let env: Env;
  beforeEach(async () => {
    env = await kubeApp({ buildIdTimeoutMs: 0 });
  });
  afterEach(async () => env.close());

  it('answers once the job has ended, with the GET answer', async () => {
    await seedProwJob(env, { name: 'pj-1', ours: true });
    const waiting = fetch(`${env.url}/prowjobs/pj-1?wait=complete&timeout=30s`);
    await new Promise((r) => setTimeout(r, 100));
    env.kube.update('prowjobs', 'prow', 'pj-1', { status: { state: 'pending', build_id: '9' } });
    env.kube.update('prowjobs', 'prow', 'pj-1', { status: { state: 'success', completionTime: '2026-03-28T10:05:00Z' } });
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, job_name: 'pj-1', state: 'success', build_id: '9', completion_time: '2026-03-28T10:05:00Z', message: 'ProwJob is success' });
  });

  it('answers at once for a job that has ended, and with the current state when the timeout passes', async () => {
    await seedProwJob(env, { name: 'done', ours: true, state: 'failure' });
    await seedProwJob(env, { name: 'slow', ours: true });
    expect((await request(env.app).get('/prowjobs/done?wait=complete').expect(200)).body.state).toBe('failure');
    const timedOut = await request(env.app).get('/prowjobs/slow?wait=complete&timeout=1s').expect(200);
    expect(timedOut.body).toMatchObject({ state: 'triggered', completion_time: null });
  });

  it.each([
    ['wait=finished', 'unknown wait "finished": the only value is \'complete\''],
    ['wait=complete&timeout=forever', 'timeout must be a duration from 1s to 1h0m0s (e.g. 10m), got "forever"'],
    ['wait=complete&timeout=2h', 'timeout must be a duration from 1s to 1h0m0s (e.g. 10m), got "2h"'],
    ['timeout=10m', 'timeout needs wait=complete'],
  ])('rejects %s', async (query, message) => {
    await seedProwJob(env, { name: 'pj-1', ours: true });
    expect((await request(env.app).get(`/prowjobs/pj-1?${query}`).expect(400)).body.message).toBe(message);
  });
});
