import request from 'supertest';
import { contract, kubeApp, seedProwJob, tokenFile } from './test-helpers';

afterEach(() => contract.verify());

const TOKENS = `tokens:
  - identity: legacy            # a grant from before verbs: trigger and read
    token: legacy-token-0123456789
    allow: [{org: tess, repo: tessops, jobs: ["sddz-*"]}]
  - identity: reader
    token: reader-token-0123456789
    allow: [{verbs: [read]}]
  - identity: trigger-only
    token: trigger-only-token-0123456789
    allow: [{verbs: [trigger]}]
  - identity: operator
    token: operator-token-0123456789
    allow: [{org: tess, repo: tessops, verbs: [read, abort, rerun]}]
  - identity: careful
    token: careful-token-0123456789
    allow:
      - {verbs: [read]}
      - {org: tess, repo: tessops, jobs: ["sddz-*"], verbs: [abort]}
`;
const as = (who: string): [string, string] => ['authorization', `Bearer ${who}-token-0123456789`];
const postsubmit = { org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32' };

describe('per-verb permissions', () => {
  let env: Awaited<ReturnType<typeof kubeApp>>;
  let tokens: Awaited<ReturnType<typeof tokenFile>>;
  beforeEach(async () => {
    tokens = await tokenFile(TOKENS);
    env = await kubeApp({ buildIdTimeoutMs: 0, auth: tokens.auth });
    await seedProwJob(env, { name: 'sddz-run', ours: true, state: 'pending' });
    await seedProwJob(env, { name: 'unit-run', ours: true, job: 'pull-tessops-unit', state: 'pending' });
    await seedProwJob(env, { name: 'nightly-run', ours: true, job: 'periodic-tessops-e2e-nightly', type: 'periodic', state: 'pending' });
  });
  afterEach(async () => {
    await env.close();
    await tokens.close();
  });

  const denied = async (req: request.Test, message: string): Promise<void> => {
    const res = await req.expect(403);
    expect(res.body).toMatchObject({ success: false, code: 'FORBIDDEN', message });
  };

  it('trigger: a grant without verbs still triggers; one without trigger does not', async () => {
    await request(env.app).post('/manual-trigger').set(...as('legacy')).send(postsubmit).expect(201);
    await denied(request(env.app).post('/manual-trigger').set(...as('reader')).send(postsubmit), 'reader may not trigger postsubmit job sddz-e2e-k8s-1.32 in tess/tessops');
  });

  it('read: get, events and list need read for the job; the list shows only what the token may read', async () => {
    await request(env.app).get('/prowjobs/sddz-run').set(...as('legacy')).expect(200);
    await denied(request(env.app).get('/prowjobs/unit-run').set(...as('legacy')), 'legacy may not read postsubmit job pull-tessops-unit in tess/tessops');
    await denied(request(env.app).get('/prowjobs/sddz-run').set(...as('trigger-only')), 'trigger-only may not read postsubmit job sddz-e2e-k8s-1.32 in tess/tessops');
    await denied(request(env.app).get('/prowjobs/sddz-run/events').set(...as('trigger-only')), 'trigger-only may not read postsubmit job sddz-e2e-k8s-1.32 in tess/tessops');
    await denied(request(env.app).get('/prowjobs/nightly-run?wait=complete').set(...as('operator')), 'operator may not read periodic job periodic-tessops-e2e-nightly in periodics');
    await denied(request(env.app).get('/prowjobs').set(...as('trigger-only')), 'trigger-only may not read jobs');
    await denied(request(env.app).get('/prowjobs?job=pull-tessops-unit').set(...as('legacy')), 'legacy may not read job pull-tessops-unit');
    const names = async (who: string): Promise<string[]> => (await request(env.app).get('/prowjobs').set(...as(who)).expect(200)).body.prowjobs.map((p: { job_name: string }) => p.job_name).sort();
    expect(await names('legacy')).toEqual(['sddz-run']);
    expect(await names('operator')).toEqual(['sddz-run', 'unit-run']);
    expect(await names('reader')).toEqual(['nightly-run', 'sddz-run', 'unit-run']);
    await request(env.app).get('/prowjobs').expect(401);
  });

  it('abort: one job, and in bulk only the jobs the token may abort; the others it can see are skipped as forbidden', async () => {
    await denied(request(env.app).post('/prowjobs/sddz-run/abort').set(...as('legacy')), 'legacy may not abort postsubmit job sddz-e2e-k8s-1.32 in tess/tessops');
    await denied(request(env.app).post('/prowjobs/nightly-run/abort').set(...as('operator')), 'operator may not abort periodic job periodic-tessops-e2e-nightly in periodics');
    await denied(request(env.app).post('/prowjobs/abort?state=pending').set(...as('reader')), 'reader may not abort jobs');
    const bulk = await request(env.app).post('/prowjobs/abort?state=pending&dry_run=true').set(...as('careful')).expect(200);
    expect(bulk.body.aborted.map((a: { job_name: string }) => a.job_name)).toEqual(['sddz-run']);
    expect(bulk.body.skipped.map((s: { job_name: string; code: string }) => [s.job_name, s.code]).sort()).toEqual([
      ['nightly-run', 'FORBIDDEN'],
      ['unit-run', 'FORBIDDEN'],
    ]);
    expect(bulk.body.skipped.find((s: { job_name: string }) => s.job_name === 'unit-run').reason).toBe('careful may not abort postsubmit job pull-tessops-unit in tess/tessops');
    const done = await request(env.app).post('/prowjobs/unit-run/abort').set(...as('operator')).send({ reason: 'stuck' }).expect(200);
    expect(done.body.description).toBe('operator successfully aborted unit-run. Reason: stuck');
    expect((await env.prowJobs.get('unit-run')).metadata.annotations?.['manual-trigger.ci-stack.io/aborted-by']).toBe('operator');
  });

  it('rerun: needs rerun for the job it repeats', async () => {
    await denied(request(env.app).post('/prowjobs/sddz-run/rerun').set(...as('reader')), 'reader may not rerun postsubmit job sddz-e2e-k8s-1.32 in tess/tessops');
    await denied(request(env.app).post('/prowjobs/sddz-run/rerun').set(...as('legacy')), 'legacy may not rerun postsubmit job sddz-e2e-k8s-1.32 in tess/tessops');
    const res = await request(env.app).post('/prowjobs/sddz-run/rerun').set(...as('operator')).expect(201);
    expect((await env.prowJobs.get(res.body.job_name)).metadata.annotations?.['manual-trigger.ci-stack.io/triggered-by']).toBe('operator');
  });
});
