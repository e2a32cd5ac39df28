import { createManualTriggerClient } from '@ci-stack/manual-trigger-api';
import { ClusterPool, actors } from '@ci-stack/pool';
import { BatchingPoolStore, MemoryBackend } from '@ci-stack/pool-store';
import { silentLogger } from '@ci-stack/service-kit/testing';
import { FakeClock } from '@ci-stack/core/testing';
import { manualTriggerJobs } from './create-cluster';
import { JobFollower } from './job-follower';
import { JobStreams } from './job-streams';
import { runLoop, type Loop } from './loop';
import { createMetrics } from './metrics';
import { Reconciler } from './reconciler';
import { FakeManualTrigger } from './testing/fake-manual-trigger';

const HOUR = 3_600_000;
const POLL = 10_000;
const RECHECK = 10 * 60_000;

/** Waits for something the streams do in the background (a deadline for a hang, not a timing assertion). */
async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`gave up waiting: ${what}`);
}

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function setup(opts: { maxStreams?: number } = {}) {
  const fake = new FakeManualTrigger();
  const url = await fake.start();
  const client = createManualTriggerClient({ baseUrl: url, timeoutMs: 5000 });
  const clock = new FakeClock(new Date('2026-06-01T00:00:00Z'));
  const store = new BatchingPoolStore(new MemoryBackend(), { clock });
  const pool = new ClusterPool({ store, clock, leaseMs: 4 * HOUR, holdMs: HOUR, maxHoldMs: HOUR, cleanup: { maxAttempts: 3 } });
  const leadership = { leading: true, isLeader: () => leadership.leading };
  let loop: Loop | undefined;
  let ends = 0;
  const streams = new JobStreams({
    polling: manualTriggerJobs({ client, org: 'tess', repo: 'tessops' }),
    client,
    clock,
    logger: silentLogger(),
    leadership,
    config: { maxStreams: opts.maxStreams ?? 50, trustMs: POLL, retryBaseMs: 5, retryMaxMs: 20, recheckMs: RECHECK },
    onEnd: () => {
      ends++;
      loop?.wake();
    },
    random: () => 0.5,
  });
  const follower = new JobFollower({
    pool,
    jobs: streams,
    clock,
    logger: silentLogger(),
    config: { createJob: 'create-cluster', cleanupJob: 'clean-cluster', branch: 'master', provisionTimeoutMs: 2 * HOUR, cleanupTimeoutMs: HOUR, triggerGraceMs: 35_000 },
  });
  const reconciler = new Reconciler({ pool, follower, clock, logger: silentLogger() });
  running.push({ stop: () => fake.stop() }, { stop: () => streams.closeAll() });
  const state = async (name: string) => (await pool.snapshot()).clusters.get(name);
  return {
    fake,
    clock,
    pool,
    streams,
    follower,
    reconciler,
    leadership,
    state,
    ends: () => ends,
    provision: async (name: string) => (await follower.provision({ name, region: 'r' })).answer.job_name as string,
    /** The lifecycle loop as main runs it, with a poll interval no test waits for. */
    startLoop: () => {
      loop = runLoop({ name: 'lifecycle', intervalMs: HOUR, leadership, logger: silentLogger(), round: () => reconciler.round() });
      running.push(loop);
      return loop;
    },
    /** The stream has delivered `description`: `status` answers it without reading the ProwJob. */
    heard: (name: string, description: string) =>
      until(`${name}: ${description} from the stream`, async () => {
        const reads = fake.reads.length;
        const s = await streams.status(name);
        return s.description === description && fake.reads.length === reads;
      }),
  };
}

describe('following ProwJobs through their event streams', () => {
  it('applies an outcome as the event arrives, with the poll interval an hour away and no read of the ProwJob', async () => {
    const s = await setup();
    const loop = s.startLoop();
    const job = await s.provision('c1');
    loop.wake(); // as createcluster does
    await until('the stream of pj-1 is open', () => s.fake.openStreams(job) === 1);
    s.fake.set(job, 'pending', 'running');
    await s.heard(job, 'running');
    const reads = s.fake.reads.length;
    s.fake.set(job, 'success');
    await until('c1 finished', async () => (await s.state('c1'))?.state === 'finished');
    expect((await s.state('c1'))?.history[0]).toMatchObject({ state: 'provisioning', ended: 'provisioned', prowJob: job });
    expect(s.fake.reads.length).toBe(reads);
    expect(s.ends()).toBe(1);
    await until('the stream closed', () => s.streams.openStreams === 0 && s.fake.openStreams() === 0);
  });

  it('a failed cleanup is seen on its stream, and the next attempt gets a stream of its own', async () => {
    const s = await setup();
    await s.pool.add('c1', 'r');
    await s.pool.getVacant({ build: '1', job: 'e2e' });
    await s.pool.finish('c1', { actor: actors.open });
    await s.reconciler.round();
    await until('a stream for pj-1', () => s.fake.openStreams('pj-1') === 1);
    s.fake.set('pj-1', 'failure', 'namespace stuck');
    await until('pj-1 ended', () => s.ends() === 1);
    await s.reconciler.round(); // applies the failure
    await s.reconciler.round(); // triggers the next attempt
    expect(await s.state('c1')).toMatchObject({ state: 'cleaning', job: { attempt: 2, name: 'pj-2' } });
    await until('only pj-2 streams', () => s.fake.openStreams('pj-2') === 1 && s.streams.openStreams === 1);
  });

  it('a dropped stream resumes with Last-Event-ID and gets what it missed', async () => {
    const s = await setup();
    const job = await s.provision('c1');
    await s.reconciler.round();
    s.fake.set(job, 'pending', 'running');
    await s.heard(job, 'running');
    s.fake.drop(job);
    s.fake.set(job, 'success'); // while nobody listens
    await until('pj-1 ended', () => s.ends() === 1);
    const reads = s.fake.reads.length;
    await s.reconciler.round();
    expect((await s.state('c1'))?.state).toBe('finished');
    expect(s.fake.reads.length).toBe(reads);
    expect(s.fake.eventRequests).toEqual([
      { name: job, lastEventId: undefined },
      { name: job, lastEventId: '102' },
    ]);
  });

  it('answers without events (204) leave the job to the polls after three, not a request for as long as it is followed', async () => {
    const s = await setup();
    const job = await s.provision('c1');
    s.fake.eventsRoute = 204;
    await s.reconciler.round();
    await until('three event requests', () => s.fake.eventRequests.length >= 3);
    await new Promise((r) => setTimeout(r, 100)); // retries are 5-20 ms apart here: more would have come
    expect(s.fake.eventRequests).toHaveLength(3);
    s.fake.set(job, 'success');
    await s.reconciler.round();
    expect((await s.state('c1'))?.state).toBe('finished');
  });

  it('a ProwJob deleted while followed fails the cluster as polling would', async () => {
    const s = await setup();
    const job = await s.provision('c1');
    await s.reconciler.round();
    await until('the stream is open', () => s.fake.openStreams(job) === 1);
    s.fake.delete(job);
    await until('pj-1 gone', () => s.ends() === 1);
    await s.reconciler.round();
    expect((await s.state('c1'))?.problem?.reason).toBe(`ProwJob ${job} no longer exists`);
  });

  it.each([404, 405] as const)('a manual-trigger without event streams (%i): every job is polled, and streams are tried again later', async (status) => {
    const s = await setup();
    s.fake.eventsRoute = status;
    const first = await s.provision('c1');
    const second = await s.provision('c2');
    await s.reconciler.round();
    await until('the refusal handled', () => s.fake.eventRequests.length === 2 && s.streams.openStreams === 0);
    s.fake.set(first, 'failure', 'boom');
    const reads = s.fake.reads.filter((n) => n === second).length;
    await s.reconciler.round();
    await s.reconciler.round();
    expect((await s.state('c1'))?.problem?.reason).toBe(`creation job ${first} ended in failure: boom`);
    expect(s.fake.reads.filter((n) => n === second).length).toBe(reads + 2);
    expect(s.fake.eventRequests).toHaveLength(2); // one try per job, none since
    s.fake.eventsRoute = 'served';
    s.clock.advance(RECHECK);
    await s.reconciler.round();
    await until('a stream for c2', () => s.fake.openStreams(second) === 1);
  });

  it('closes the stream of a job the cluster no longer follows (provision timeout)', async () => {
    const s = await setup();
    const job = await s.provision('c1');
    await s.reconciler.round();
    await until('the stream is open', () => s.fake.openStreams(job) === 1 && s.streams.openStreams === 1);
    s.clock.advance(2 * HOUR);
    await s.reconciler.round();
    expect((await s.state('c1'))?.state).toBe('failed');
    await until('the stream closed', () => s.fake.openStreams(job) === 0 && s.streams.openStreams === 0);
  });

  it('holds at most --max-followed-streams; the jobs beyond are polled and get a stream when one frees', async () => {
    const s = await setup({ maxStreams: 2 });
    const metrics = createMetrics(() => s.pool.snapshot(), { followedStreams: () => s.streams.openStreams });
    const [a, b, c] = [await s.provision('c1'), await s.provision('c2'), await s.provision('c3')];
    await s.reconciler.round();
    await until('two streams', () => s.fake.openStreams() === 2);
    expect([s.fake.openStreams(a), s.fake.openStreams(b), s.fake.openStreams(c)]).toEqual([1, 1, 0]);
    expect(await metrics.registry.getSingleMetricAsString('cimaster_followed_job_streams')).toContain('cimaster_followed_job_streams 2');
    const before = s.fake.reads.filter((n) => n === c).length;
    await s.reconciler.round();
    expect(s.fake.reads.filter((n) => n === c).length).toBe(before + 1);
    s.fake.set(a, 'success');
    await until('pj-1 ended', () => s.ends() === 1);
    await s.reconciler.round();
    await until('the third job streams', () => s.fake.openStreams(c) === 1);
    expect(s.fake.openStreams()).toBe(2);
    expect(s.fake.eventRequests.map((r) => r.name)).toEqual([a, b, c]);
  });

  it('a stream that says nothing for a poll interval is checked by a read (the safety net)', async () => {
    const s = await setup();
    const job = await s.provision('c1');
    await s.reconciler.round();
    s.fake.set(job, 'pending', 'running');
    await s.heard(job, 'running');
    const reads = s.fake.reads.length;
    await s.reconciler.round();
    expect(s.fake.reads.length).toBe(reads);
    s.clock.advance(POLL);
    await s.reconciler.round();
    expect(s.fake.reads.length).toBe(reads + 1);
  });

  it('streams are held by the leader only', async () => {
    const s = await setup();
    const job = await s.provision('c1');
    await s.reconciler.round();
    await until('the stream is open', () => s.fake.openStreams(job) === 1);
    s.leadership.leading = false;
    await s.streams.closeAll();
    await s.follower.announce(await s.pool.snapshot()); // a round that was running when leadership went
    expect(s.streams.openStreams).toBe(0);
    await until('closed on the server', () => s.fake.openStreams() === 0);
    s.leadership.leading = true;
    await s.reconciler.round();
    await until('open again on the new leader', () => s.fake.openStreams(job) === 1);
  });
});
