import request from 'supertest';
import { contract, kubeApp, seedProwJob } from './test-helpers';

afterEach(() => contract.verify());

const postsubmit = { org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32', user: 'fesu' };
type Env = Awaited<ReturnType<typeof kubeApp>>;
type Item = Record<string, unknown> & { job_name: string; job: string; state: string };

/** Triggers through the API (so the ProwJob carries our labels), one minute apart. */
async function trigger(env: Env, body: Record<string, unknown> = postsubmit): Promise<string> {
  env.clock.advance(60_000);
  const res = await request(env.app).post('/manual-trigger').send(body).expect(201);
  return res.body.job_name as string;
}

describe('GET /prowjobs', () => {
  let env: Env;
  beforeEach(async () => {
    env = await kubeApp({ buildIdTimeoutMs: 0 });
  });
  afterEach(async () => env.close());

  it('lists the ProwJobs manual-trigger created, newest first, each with the GET fields plus refs and triggered_by; all=true adds the others', async () => {
    const a = await trigger(env);
    const b = await trigger(env, { prowtype: 'periodic', prowjob: 'periodic-tessops-e2e-nightly' });
    env.clock.advance(60_000);
    await seedProwJob(env, { name: 'foreign', job: 'made-by-horologium', type: 'periodic' });
    const c = await trigger(env);
    const res = await request(env.app).get('/prowjobs').expect(200);
    expect(res.body.prowjobs.map((p: Item) => p.job_name)).toEqual([c, b, a]);
    expect(res.body.continue).toBeNull();
    expect(res.body.prowjobs[0]).toEqual({
      job_name: c,
      job: 'sddz-e2e-k8s-1.32',
      type: 'postsubmit',
      state: 'triggered',
      build_id: null,
      description: null,
      status_link: `https://prow.tessprow/prowjob?prowjob=${c}`,
      log_link: null,
      url: null,
      namespace: 'prow',
      start_time: '2026-03-28T10:04:00Z',
      pending_time: null,
      completion_time: null,
      pod_name: null,
      refs: { org: 'tess', repo: 'tessops', base_ref: 'master', repo_link: 'https://github.corp.example.com/tess/tessops' },
      triggered_by: 'anonymous',
      rerun_of: null,
      ended: false,
    });
    const get = await request(env.app).get(`/prowjobs/${c}`).expect(200);
    for (const field of ['job_name', 'job', 'type', 'state', 'build_id', 'status_link', 'log_link', 'namespace', 'description', 'start_time', 'pending_time', 'completion_time', 'pod_name']) {
      expect([field, res.body.prowjobs[0][field]]).toEqual([field, get.body[field]]);
    }
    const all = await request(env.app).get('/prowjobs?all=true').expect(200);
    expect(all.body.prowjobs.map((p: Item) => p.job_name)).toEqual([c, 'foreign', b, a]);
    expect(all.body.prowjobs[1]).toMatchObject({ triggered_by: null, refs: null, job: 'made-by-horologium' });
  });

  it('selects by label in the API server and checks the rest (state, since) itself', async () => {
    const first = await trigger(env);
    const periodic = await trigger(env, { prowtype: 'periodic', prowjob: 'periodic-tessops-e2e-nightly' });
    const unit = await trigger(env, { ...postsubmit, prowjob: 'pull-tessops-unit', base_ref: 'feature-x' });
    env.kube.update('prowjobs', 'prow', first, { status: { state: 'pending' } });
    const names = async (query: string): Promise<string[]> => (await request(env.app).get(`/prowjobs?${query}`).expect(200)).body.prowjobs.map((p: Item) => p.job_name);
    expect(await names('job=sddz-e2e-k8s-1.32')).toEqual([first]);
    expect(await names('type=periodic')).toEqual([periodic]);
    // The nightly periodic clones tess/tessops (extra_refs), which is what Prow's refs labels say too.
    expect(await names('org=tess&repo=tessops')).toEqual([unit, periodic, first]);
    expect(await names('state=pending')).toEqual([first]);
    expect(await names('state=triggered&type=postsubmit')).toEqual([unit]);
    expect(await names('triggered_by=anonymous&job=pull-tessops-unit')).toEqual([unit]);
    expect(await names('triggered_by=someone-else')).toEqual([]);
    expect(await names('since=2026-03-28T10:02:00Z')).toEqual([unit, periodic]);
    expect(await names('since=30s')).toEqual([unit]);
    const selectors = env.kube
      .requests()
      .filter((r) => r.method === 'GET' && r.path.endsWith('/prowjobs') && r.query.includes('limit=500'))
      .map((r) => new URLSearchParams(r.query).get('labelSelector'));
    for (const base of [
      'manual-trigger.ci-stack.io/created=true,prow.k8s.io/job=sddz-e2e-k8s-1.32,',
      'manual-trigger.ci-stack.io/created=true,prow.k8s.io/refs.org=tess,prow.k8s.io/refs.repo=tessops,',
      'manual-trigger.ci-stack.io/created=true,prow.k8s.io/job=pull-tessops-unit,manual-trigger.ci-stack.io/triggered-by=anonymous,',
    ]) {
      expect(selectors).toContain(`${base}manual-trigger.ci-stack.io/created-hour in (2026032811,2026032810)`);
    }
  });

  it('pages with continue: no item twice or missed while jobs come and go, null at the end', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push(await trigger(env));
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const query: string = token ? `?limit=3&continue=${token}` : '?limit=3';
      const res = await request(env.app).get(`/prowjobs${query}`).expect(200);
      seen.push(...res.body.prowjobs.map((p: Item) => p.job_name));
      token = res.body.continue;
      if (pages++ === 0) await trigger(env); // a new job after the first page belongs to a later list, not this one
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual([...made].reverse());
  });

  it('answers 400 for a continue it did not issue or issued for other filters, 410 once it is older than 10 minutes', async () => {
    for (let i = 0; i < 3; i++) await trigger(env);
    const first = await request(env.app).get('/prowjobs?limit=1').expect(200);
    const garbage = await request(env.app).get('/prowjobs?limit=1&continue=%%%').expect(400);
    expect(garbage.body).toMatchObject({ code: 'INVALID_CONTINUE', message: 'continue is not a token this service issued; list again without continue' });
    const other = await request(env.app).get(`/prowjobs?limit=1&type=periodic&continue=${first.body.continue}`).expect(400);
    expect(other.body.message).toMatch(/issued for other filters/);
    env.clock.advance(9 * 60_000);
    await request(env.app).get(`/prowjobs?limit=1&continue=${first.body.continue}`).expect(200);
    env.clock.advance(2 * 60_000);
    const expired = await request(env.app).get(`/prowjobs?limit=1&continue=${first.body.continue}`).expect(410);
    expect(expired.body).toMatchObject({ success: false, code: 'CONTINUE_EXPIRED', message: expect.stringContaining('list again without continue') });
    // A token whose time is set far ahead would never expire: refused.
    const forged = JSON.parse(Buffer.from(first.body.continue, 'base64url').toString('utf8')) as { a: number };
    forged.a = env.clock.now().getTime() + 3_600_000;
    const future = Buffer.from(JSON.stringify(forged)).toString('base64url');
    expect((await request(env.app).get(`/prowjobs?limit=1&continue=${future}`).expect(400)).body.code).toBe('INVALID_CONTINUE');
  });

  it('reads the newest hours first and stops once it has a page, yet pages through every hour, the unlabeled and the old in order', async () => {
    const now = new Date('2026-03-28T10:30:00Z').getTime();
    const expected: Array<{ name: string; at: number }> = [];
    // Runs at these many hours ago; 'legacy' ones lack the hour label (created before it existed).
    const plan: Array<[string, number, boolean]> = [
      ['h0', 0, true], ['h0', 0.2, true], ['h0', 0.3, true], ['h0', 0.4, true], ['h0', 0.45, true],
      ['h3', 3, true], ['h3', 3.5, true], ['h30', 30, true], ['h100', 100, true], ['h200', 200, true], ['h400', 400, true],
      ['legacy', 2, false], ['legacy', 150, false], ['legacy', 300, false],
    ];
    for (const [i, [tag, hoursAgo, labelled]] of plan.entries()) {
      env.clock.set(new Date(now - hoursAgo * 3_600_000));
      const name = `${tag}-${i}`;
      await seedProwJob(env, { name, ours: true, labels: labelled ? {} : { 'manual-trigger.ci-stack.io/created-hour': '' } });
      if (!labelled) await env.prowJobs.patch(name, { type: 'json', operations: [{ op: 'remove', path: '/metadata/labels/manual-trigger.ci-stack.io~1created-hour' }] });
      expected.push({ name, at: now - hoursAgo * 3_600_000 });
    }
    env.clock.set(new Date(now));
    const order = expected.sort((a, b) => b.at - a.at).map((e) => e.name);
    const lists = (): number => env.kube.requests().filter((r) => r.method === 'GET' && r.path.endsWith('/prowjobs')).length;
    const before = lists();
    const first = await request(env.app).get('/prowjobs?limit=3').expect(200);
    expect(first.body.prowjobs.map((p: Item) => p.job_name)).toEqual(order.slice(0, 3));
    expect(lists() - before).toBe(2); // the unlabeled, then the newest hours, which hold more than a page
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const res: request.Response = await request(env.app).get(`/prowjobs?limit=4${token ? `&continue=${token}` : ''}`).expect(200);
      seen.push(...res.body.prowjobs.map((p: Item) => p.job_name));
      token = res.body.continue;
    } while (token);
    expect(seen).toEqual(order);
    const recent = await request(env.app).get('/prowjobs?since=4h&limit=50').expect(200);
    expect(recent.body.prowjobs.map((p: Item) => p.job_name)).toEqual(order.filter((n) => /^(h0-|h3-|legacy-11$)/.test(n)));
  });

  it.each([
    ['state=done', "unknown state 'done': must be one of scheduling, triggered, pending, success, failure, aborted, error"],
    ['type=nightly', "unknown type 'nightly': must be one of presubmit, postsubmit, periodic, batch"],
    ['since=yesterday', `'since' must be an RFC 3339 time (2026-03-28T10:00:00Z) or a duration back from now (24h, 90m), got "yesterday"`],
    ['since=2026-13-45T99:00:00Z', `'since' must be an RFC 3339 time (2026-03-28T10:00:00Z) or a duration back from now (24h, 90m), got "2026-13-45T99:00:00Z"`],
    ['since=1h30', `'since' must be a duration with a unit after every number (24h, 1h30m; a bare number is seconds) or an RFC 3339 time, got "1h30"`],
    ['limit=0', 'limit must be an integer from 1 to 500, got "0"'],
    ['limit=501', 'limit must be an integer from 1 to 500, got "501"'],
    ['limit=ten', 'limit must be an integer from 1 to 500, got "ten"'],
    ['all=maybe', `'all' must be true or false, got "maybe"`],
  ])('rejects %s with a message saying what to fix', async (query, message) => {
    const res = await request(env.app).get(`/prowjobs?${query}`).expect(400);
    expect(res.body).toMatchObject({ success: false, code: 'INVALID_REQUEST', message });
  });

  it('collects every problem at once and accepts the filters as a JSON body too', async () => {
    const res = await request(env.app).get('/prowjobs?state=x&limit=-1').expect(400);
    expect(res.body.details.problems).toHaveLength(2);
    const name = await trigger(env);
    const viaBody = await request(env.app).get('/prowjobs').send({ job: 'sddz-e2e-k8s-1.32', limit: 5 }).expect(200);
    expect(viaBody.body.prowjobs.map((p: Item) => p.job_name)).toEqual([name]);
  });
});
