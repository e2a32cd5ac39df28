import request from 'supertest';
import { contract, kubeApp, seedProwJob } from './test-helpers';

afterEach(() => contract.verify());

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met within 2 s');
}

type Env = Awaited<ReturnType<typeof kubeApp>>;

describe('POST /prowjobs/NAME/abort', () => {
  let env: Env;
  beforeEach(async () => {
    env = await kubeApp({ buildIdTimeoutMs: 0 });
  });
  afterEach(async () => env.close());

  it("moves a pending job to aborted as Deck does, recording who and why; plank's completion time is left to plank", async () => {
    await seedProwJob(env, { name: 'pj-1', ours: true, state: 'pending' });
    const res = await request(env.app).post('/prowjobs/pj-1/abort').send({ reason: 'wrong branch' }).expect(200);
    expect(res.body).toMatchObject({ success: true, message: 'ProwJob pj-1 aborted', job_name: 'pj-1', state: 'aborted', description: 'Successfully aborted pj-1. Reason: wrong branch', completion_time: null });
    const stored = await env.prowJobs.get('pj-1');
    expect(stored.metadata.annotations).toMatchObject({
      'manual-trigger.ci-stack.io/aborted-by': 'anonymous',
      'manual-trigger.ci-stack.io/aborted-at': '2026-03-28T10:00:00Z',
      'manual-trigger.ci-stack.io/abort-reason': 'wrong branch',
    });
    expect(stored.status.completionTime).toBeUndefined();
    const patches = env.kube.requests().filter((r) => r.method === 'PATCH');
    expect(patches).toEqual([{ method: 'PATCH', path: '/apis/prow.k8s.io/v1/namespaces/prow/prowjobs/pj-1', query: '', status: 200 }]);
  });

  it("applies the abort again when plank's stale update puts the job back to pending, until plank completes it", async () => {
    await seedProwJob(env, { name: 'pj-1', ours: true, state: 'pending' });
    await request(env.app).post('/prowjobs/pj-1/abort').send({ reason: 'wrong branch' }).expect(200);
    // plank's merge patch from its cache, computed before the abort: state pending, its own description.
    env.kube.update('prowjobs', 'prow', 'pj-1', { status: { state: 'pending', description: 'Job triggered.' } });
    await eventually(async () => (await env.prowJobs.get('pj-1')).status.state === 'aborted');
    expect((await env.prowJobs.get('pj-1')).status.description).toBe('Successfully aborted pj-1. Reason: wrong branch');
    expect(await env.metrics.registry.getSingleMetricAsString('manual_trigger_aborts_reapplied_total')).toMatch(/ 1$/);
    // Once plank completes the job, nothing is applied again, whatever happens later.
    env.kube.update('prowjobs', 'prow', 'pj-1', { status: { completionTime: '2026-03-28T10:00:05Z' } });
    await new Promise((r) => setTimeout(r, 100));
    env.kube.update('prowjobs', 'prow', 'pj-1', { status: { state: 'pending' } });
    await new Promise((r) => setTimeout(r, 200));
    expect((await env.prowJobs.get('pj-1')).status.state).toBe('pending');
    expect(env.kube.requests().filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });

  it('leaves a job alone that someone else put back to running after aborting it anew', async () => {
    await seedProwJob(env, { name: 'pj-1', ours: true, state: 'pending' });
    await request(env.app).post('/prowjobs/pj-1/abort').expect(200);
    env.kube.update('prowjobs', 'prow', 'pj-1', { metadata: { annotations: { 'manual-trigger.ci-stack.io/aborted-at': '2026-03-28T09:00:00Z' } }, status: { state: 'pending' } });
    await new Promise((r) => setTimeout(r, 300));
    expect((await env.prowJobs.get('pj-1')).status.state).toBe('pending');
    expect(env.kube.requests().filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('aborts a triggered job from a form or query reason too', async () => {
    await seedProwJob(env, { name: 'pj-1' });
    await request(env.app).post('/prowjobs/pj-1/abort?reason=flaky').expect(200);
    expect((await env.prowJobs.get('pj-1')).metadata.annotations?.['manual-trigger.ci-stack.io/abort-reason']).toBe('flaky');
  });

  it.each(['success', 'failure', 'aborted', 'error'] as const)('answers 409 for a job that has ended (%s) and changes nothing', async (state) => {
    const before = await seedProwJob(env, { name: 'pj-1', state });
    const res = await request(env.app).post('/prowjobs/pj-1/abort').expect(409);
    expect(res.body).toMatchObject({ code: 'PROWJOB_ENDED', message: `ProwJob pj-1 has ended (state ${state}): only triggered or pending ProwJobs can be aborted` });
    expect((await env.prowJobs.get('pj-1')).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('never overwrites what plank wrote meanwhile: on a conflict it reads again, and answers 409 if the job ended', async () => {
    await seedProwJob(env, { name: 'pj-1', state: 'pending' });
    env.kube.failNext({ verb: 'patch', name: 'pj-1' }, 409, 'Conflict');
    await request(env.app).post('/prowjobs/pj-1/abort').expect(200);
    expect(env.kube.requests().filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([409, 200]);
  });

  it('answers 409 when plank finishes the job between our read and our patch, keeping what plank wrote', async () => {
    // plank's write lands just before our patch, which still carries the resourceVersion we read
    const racing = await kubeApp({
      buildIdTimeoutMs: 0,
      wrap: (api) =>
        new Proxy(api, {
          get(target, key) {
            if (key !== 'patch') return Reflect.get(target, key, target);
            return async (name: string, change: Parameters<typeof api.patch>[1]) => {
              racing.kube.update('prowjobs', 'prow', name, { status: { state: 'success', completionTime: '2026-03-28T10:01:00Z', description: 'Job succeeded.' } });
              return target.patch(name, change);
            };
          },
        }),
    });
    try {
      await seedProwJob(racing, { name: 'pj-2', state: 'pending' });
      const res = await request(racing.app).post('/prowjobs/pj-2/abort').expect(409);
      expect(res.body.code).toBe('PROWJOB_ENDED');
      expect(racing.kube.requests().filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([409]);
      expect((await racing.prowJobs.get('pj-2')).status).toMatchObject({ state: 'success', description: 'Job succeeded.' });
    } finally {
      await racing.close();
    }
  });

  it('answers 409 for a scheduling job, 404 for an unknown one, 400 for a bad name or reason', async () => {
    await seedProwJob(env, { name: 'pj-1', state: 'scheduling' });
    expect((await request(env.app).post('/prowjobs/pj-1/abort').expect(409)).body).toMatchObject({ code: 'PROWJOB_NOT_ABORTABLE', message: 'ProwJob pj-1 is scheduling: only triggered or pending ProwJobs can be aborted' });
    await request(env.app).post('/prowjobs/nope/abort').expect(404);
    await request(env.app).post('/prowjobs/UPPER/abort').expect(400);
    expect((await request(env.app).post('/prowjobs/pj-1/abort').send({ reason: 'x'.repeat(2000) }).expect(400)).body.message).toBe("'reason' is longer than 1024 characters");
  });
});

describe('POST /prowjobs/abort (bulk)', () => {
  let env: Env;
  beforeEach(async () => {
    env = await kubeApp({ buildIdTimeoutMs: 0 });
    // Five runs of one job, a minute apart: old-1 is the oldest.
    const states = ['pending', 'triggered', 'success', 'scheduling', 'pending'] as const;
    for (const [i, state] of states.entries()) {
      await seedProwJob(env, { name: `old-${i + 1}`, ours: true, state });
      env.clock.advance(60_000);
    }
    await seedProwJob(env, { name: 'other-job', ours: true, job: 'pull-tessops-unit', state: 'pending' });
    await seedProwJob(env, { name: 'not-ours', state: 'pending' });
  });
  afterEach(async () => env.close());

  it('shows in a dry run exactly what it would do, changing nothing, then does exactly that', async () => {
    const body = { job: 'sddz-e2e-k8s-1.32', older_than: '90s', reason: 'cleanup' };
    const dry = await request(env.app).post('/prowjobs/abort').send({ ...body, dry_run: true }).expect(200);
    expect(dry.body).toEqual({
      success: true,
      message: 'Dry run: would abort 2 ProwJobs, would skip 1',
      dry_run: true,
      aborted: [
        { job_name: 'old-2', job: 'sddz-e2e-k8s-1.32', type: 'postsubmit', state: 'triggered' },
        { job_name: 'old-1', job: 'sddz-e2e-k8s-1.32', type: 'postsubmit', state: 'pending' },
      ],
      skipped: [{ job_name: 'old-4', job: 'sddz-e2e-k8s-1.32', type: 'postsubmit', state: 'scheduling', code: 'PROWJOB_NOT_ABORTABLE', reason: 'ProwJob old-4 is scheduling: only triggered or pending ProwJobs can be aborted' }],
    });
    expect(env.kube.requests().filter((r) => r.method === 'PATCH')).toEqual([]);
    const real = await request(env.app).post('/prowjobs/abort').send(body).expect(200);
    expect(real.body).toMatchObject({ message: 'Aborted 2 ProwJobs, skipped 1', dry_run: false, aborted: dry.body.aborted, skipped: dry.body.skipped });
    const states = await Promise.all(['old-1', 'old-2', 'old-3', 'old-4', 'old-5', 'other-job', 'not-ours'].map(async (n) => (await env.prowJobs.get(n)).status.state));
    expect(states).toEqual(['aborted', 'aborted', 'success', 'scheduling', 'pending', 'pending', 'pending']);
    expect(await env.metrics.registry.getSingleMetricAsString('manual_trigger_prowjobs_aborted_total')).toContain('manual_trigger_prowjobs_aborted_total{via="bulk"} 2');
  });

  it('covers every ProwJob in the namespace with all=true, and selects by state', async () => {
    const res = await request(env.app).post('/prowjobs/abort?all=true&state=pending&dry_run=1').expect(200);
    expect(res.body.aborted.map((a: { job_name: string }) => a.job_name).sort()).toEqual(['not-ours', 'old-1', 'old-5', 'other-job']);
  });

  it.each([
    ['no filter at all', {}, 'a bulk abort needs at least one filter: job, state, type, org, repo, triggered_by, since or older_than'],
    ['only all=true', { all: true }, 'a bulk abort needs at least one filter: job, state, type, org, repo, triggered_by, since or older_than'],
    ['an empty older_than', { older_than: '' }, "'older_than' is empty: give a duration (2h) or an RFC 3339 time"],
    ['a bad older_than', { older_than: 'last week' }, `'older_than' must be an RFC 3339 time (2026-03-28T10:00:00Z) or a duration back from now (24h, 90m), got "last week"`],
    ['an older_than with a number and no unit', { older_than: '1.23.4' }, `'older_than' must be a duration with a unit after every number (24h, 1h30m; a bare number is seconds) or an RFC 3339 time, got "1.23.4"`],
    ['a state that has ended', { state: 'success' }, 'state success has ended: a bulk abort considers only scheduling, triggered, pending ProwJobs'],
    ['an unknown type', { type: 'weekly', job: 'x' }, "unknown type 'weekly': must be one of presubmit, postsubmit, periodic, batch"],
    ['a bad dry_run', { job: 'x', dry_run: 'perhaps' }, `'dry_run' must be true or false, got "perhaps"`],
  ])('rejects %s with a 400 saying what to fix', async (_what, body, message) => {
    const res = await request(env.app).post('/prowjobs/abort').send(body).expect(400);
    expect(res.body).toMatchObject({ success: false, message });
    expect(env.kube.requests().filter((r) => r.method === 'PATCH')).toEqual([]);
  });
});
