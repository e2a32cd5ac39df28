import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { staticFile } from '@ci-stack/service-kit';
import { ApiError } from '@ci-stack/http-contract';
import { documentedRoutes, registeredRoutes } from '@ci-stack/http-contract/testing';
import { createManualTriggerClient, manualTriggerDocument } from '@ci-stack/manual-trigger-api';
import { listen } from '@ci-stack/service-kit';
import { KubeAlreadyExistsError, KubeNotFoundError, KubeUnavailableError, toKubeError } from '@ci-stack/kube';
import type { ProwJob } from '@ci-stack/prowjob-api';
import { loadProwConfig, type LoadedProwConfig } from '@ci-stack/prow-config';
import { TokenAuthenticator } from './auth';
import { contract, exampleConfig, kubeApp, testApp } from './test-helpers';
import type { ProwJobApi } from './prowjob-api';

afterEach(() => contract.verify());

const postsubmit = { org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32', user: 'fesu' };

/** An in-memory ProwJobApi with failure knobs. */
function fakeApi(opts: { buildId?: string; failCreate?: Error; listMisses?: boolean } = {}) {
  const store = new Map<string, ProwJob>();
  let rv = 1;
  const api: ProwJobApi & { store: Map<string, ProwJob> } = {
    namespace: 'prow',
    store,
    async create(pj) {
      if (opts.failCreate) throw opts.failCreate;
      if (store.has(pj.metadata.name)) throw new KubeAlreadyExistsError('conflict', 'KUBE_ALREADY_EXISTS', 'exists');
      const created = { ...structuredClone(pj), metadata: { ...pj.metadata, resourceVersion: String(rv++) } };
      store.set(pj.metadata.name, created);
      return created;
    },
    async get(name) {
      const pj = store.get(name);
      if (!pj) throw new KubeNotFoundError('not-found', 'KUBE_NOT_FOUND', 'not found');
      return pj;
    },
    async list(query) {
      if (opts.listMisses) return { items: [], resourceVersion: String(rv) };
      const [k, v] = (query.labelSelector ?? '').split('=');
      return { items: [...store.values()].filter((pj) => pj.metadata.labels?.[k] === v), resourceVersion: String(rv) };
    },
    async patch() {
      throw new Error('not used by these tests');
    },
    watch() {
      throw new Error('not used by these tests');
    },
    async waitForBuildId(created) {
      if (!opts.buildId) return { prowJob: created, assigned: false };
      const done = { ...created, status: { ...created.status, state: 'pending' as const, build_id: opts.buildId, url: `https://prow.tessprow/view/${opts.buildId}` } };
      store.set(created.metadata.name, done);
      return { prowJob: done, assigned: true };
    },
    async ping() {
      return undefined;
    },
  };
  return api;
}

describe("requests from another site's page", () => {
  it('may read the catalog but not trigger: a form there must not create ProwJobs', async () => {
    const { express } = await testApp();
    const body = { org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32' };
    const refused = await request(express).post('/manual-trigger').set('Sec-Fetch-Site', 'cross-site').type('form').send(body).expect(403);
    expect(refused.body).toMatchObject({ success: false, code: 'CROSS_SITE_REQUEST' });
    await request(express).get('/jobs').set('Sec-Fetch-Site', 'cross-site').expect(200);
    await request(express).post('/manual-trigger').set('Sec-Fetch-Site', 'same-origin').send(body).expect(200);
  });
});

describe('POST /manual-trigger: validation and messages', () => {
  it.each([
    ['presubmit without PR', { ...postsubmit, prowtype: 'presubmit' }, 400, "Pull request number is required for presubmit jobs. Please provide 'pullrequest' parameter."],
    ['unknown job', { ...postsubmit, prowjob: 'nope' }, 404, 'Job nope not found in config for tess/tessops'],
    ['unknown repo', { ...postsubmit, repo: 'other' }, 404, 'Job sddz-e2e-k8s-1.32 not found in config for tess/other'],
    ['unknown periodic', { prowtype: 'periodic', prowjob: 'nope' }, 404, 'Job nope not found in config for periodics'],
    ['missing fields', { prowtype: 'postsubmit' }, 400, 'Missing required parameters: org, repo, base_ref, prowjob'],
    ['bad prowtype', { ...postsubmit, prowtype: 'nightly' }, 400, "Invalid prowtype 'nightly': must be one of presubmit, postsubmit, periodic"],
    ['PR not a positive integer', { ...postsubmit, prowtype: 'presubmit', pullrequest: -3 }, 400, "'pullrequest' must be a positive integer, got -3"],
    ['PR not a number', { ...postsubmit, prowtype: 'presubmit', pullrequest: '12a' }, 400, `'pullrequest' must be a positive integer, got "12a"`],
    ['wrong field type', { ...postsubmit, org: 5 }, 400, "'org' must be a string, got number"],
    ['branch not allowed by any variant', { ...postsubmit, base_ref: 'feature-x' }, 400, 'Job sddz-e2e-k8s-1.32 is not configured to run on branch feature-x of tess/tessops (postsubmit: branches: master; skip_branches: none | presubmit: branches: master, release-.*; skip_branches: none)'],
    ['env not allowed', { ...postsubmit, env: { PATH: '/x' } }, 400, 'env PATH may not be overridden; allowed: E2E_FOCUS'],
    ['bad sha', { ...postsubmit, base_sha: 'xyz' }, 400, "'base_sha' must be a git commit SHA (7 to 64 hex digits)"],
    ['bad dry_run', { ...postsubmit, dry_run: 'yes' }, 400, `'dry_run' must be true or false, got "yes"`],
    ['base_ref longer than Git allows', { ...postsubmit, base_ref: `release-${'é'.repeat(124)}` }, 400, "'base_ref' is 256 bytes long, more than Git's 255 for a branch name"],
  ])('%s', async (_name, body, status, message) => {
    const { app } = await testApp();
    const res = await request(app).post('/manual-trigger').send(body).expect(status);
    expect(res.body).toMatchObject({ success: false, message });
  });

  it("lists every variant's branch filters when none may run on base_ref, so the caller sees which to ask for", async () => {
    const { app } = await testApp();
    const res = await request(app).post('/manual-trigger').send({ ...postsubmit, base_ref: 'feature-x' }).expect(400);
    expect(res.body).toMatchObject({
      code: 'BRANCH_NOT_ALLOWED',
      details: {
        variants: [
          { type: 'postsubmit', branches: ['master'], skip_branches: [] },
          { type: 'presubmit', branches: ['master', 'release-.*'], skip_branches: [] },
        ],
      },
    });
  });

  it('rejects invalid JSON, a body over 64 KiB and a non-object body with 4xx and keeps serving', async () => {
    const { app } = await testApp();
    const bad = await request(app).post('/manual-trigger').set('content-type', 'application/json').send('{"org":').expect(400);
    expect(bad.body).toMatchObject({ success: false, code: 'INVALID_JSON' });
    await request(app).post('/manual-trigger').send({ ...postsubmit, pad: 'x'.repeat(70_000) }).expect(413);
    const arr = await request(app).post('/manual-trigger').set('content-type', 'application/json').send('[1]').expect(400);
    expect(arr.body.message).toBe('request body must be a JSON object');
    await request(app).post('/manual-trigger').send(postsubmit).expect(200);
  });
});

describe('POST /manual-trigger with dry_run (the console preview)', () => {
  it.each([
    ['a JSON body', (r: request.Test) => r.send({ ...postsubmit, dry_run: true })],
    ['the query string', (r: request.Test) => r.query({ dry_run: 'true' }).send(postsubmit)],
  ])('builds the ProwJob and creates nothing, with dry_run in %s', async (_name, send) => {
    const api = fakeApi({ buildId: '1' });
    const { app } = await testApp({ prowJobs: api });
    const res = await send(request(app).post('/manual-trigger')).expect(200);
    expect(res.body).toMatchObject({ success: true, dry_run: true, message: 'Dry run: ProwJob built but not created', build_id: null });
    expect(res.body.prowjob.spec.job).toBe('sddz-e2e-k8s-1.32');
    expect(api.store.size).toBe(0);
  });

  it('still refuses a caller the token does not allow to trigger the job', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mt-auth-'));
    await writeFile(join(dir, 'auth.yaml'), 'tokens:\n  - identity: bob\n    token: bob-token-0123456789abc\n    allow:\n      - {jobs: ["other-*"]}\n');
    const auth = new TokenAuthenticator(join(dir, 'auth.yaml'));
    await auth.start();
    try {
      const { app } = await testApp({ prowJobs: fakeApi(), auth });
      await request(app).post('/manual-trigger').set('authorization', 'Bearer bob-token-0123456789abc').send({ ...postsubmit, dry_run: true }).expect(403);
    } finally {
      auth.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('POST /manual-trigger: building the ProwJob', () => {
  it('dry-run returns the would-be ProwJob with AUTHOR replaced, not duplicated, and the audit annotations', async () => {
    const { app } = await testApp();
    const res = await request(app).post('/manual-trigger').set('x-request-id', 'req-1').send({ ...postsubmit, env: { E2E_FOCUS: 'sig-node' } }).expect(200);
    expect(res.body).toMatchObject({ success: true, dry_run: true, type: 'postsubmit', state: 'triggered', log_link: null, build_id: null });
    expect(Object.keys(res.body).slice(0, 5)).toEqual(['success', 'message', 'job_name', 'status_link', 'log_link']);
    const pj = res.body.prowjob as ProwJob;
    expect(res.body.status_link).toBe(`https://prow.tessprow/prowjob?prowjob=${pj.metadata.name}`);
    const env = pj.spec.pod_spec!.containers![0].env!;
    expect(env.filter((e) => e.name === 'AUTHOR')).toEqual([{ name: 'AUTHOR', value: 'fesu' }]);
    expect(env).toContainEqual({ name: 'E2E_FOCUS', value: 'sig-node' });
    expect(env).toContainEqual({ name: 'KUBECONFIG', value: '/etc/e2e-kubeconfig/config' });
    expect(pj.metadata.annotations).toMatchObject({
      'prow.k8s.io/job': 'sddz-e2e-k8s-1.32',
      'manual-trigger.ci-stack.io/triggered-by': 'anonymous',
      'manual-trigger.ci-stack.io/endpoint': 'POST /manual-trigger',
      'manual-trigger.ci-stack.io/request-id': 'req-1',
      'manual-trigger.ci-stack.io/env-overrides': 'AUTHOR,E2E_FOCUS',
    });
    expect(pj.spec.refs).toMatchObject({ org: 'tess', repo: 'tessops', base_ref: 'master', repo_link: 'https://github.corp.example.com/tess/tessops' });
    expect(pj.status).toEqual({ state: 'triggered', startTime: '2026-03-28T10:00:00Z' });
  });

  it("starts the ProwJob in state scheduling when Prow's scheduler is enabled, as Prow does", async () => {
    const loaded = await exampleConfig();
    const { app } = await testApp({ config: { ...loaded, config: { ...loaded.config, scheduler: { enabled: true } } } });
    const res = await request(app).post('/manual-trigger').send(postsubmit).expect(200);
    expect((res.body.prowjob as ProwJob).status.state).toBe('scheduling');
  });

  it('runs a presubmit job as a postsubmit when asked (seed 4.1), recording the override', async () => {
    const { app } = await testApp();
    const res = await request(app).post('/manual-trigger').send({ ...postsubmit, prowjob: 'pull-tessops-unit', base_ref: 'feature-branch' }).expect(200);
    const pj = res.body.prowjob as ProwJob;
    expect(pj.spec.type).toBe('postsubmit');
    expect(pj.metadata.labels?.['prow.k8s.io/type']).toBe('postsubmit');
    expect(pj.metadata.annotations?.['manual-trigger.ci-stack.io/type-override']).toBe('presubmit->postsubmit');
  });

  it('builds a presubmit with the pull request in refs and labels', async () => {
    const { app } = await testApp();
    const res = await request(app).post('/manual-trigger').query({ ...postsubmit, prowtype: 'presubmit', pullrequest: '123', pull_sha: 'abcdef1' }).expect(200);
    const pj = res.body.prowjob as ProwJob;
    expect(pj.spec.refs?.pulls).toEqual([{ number: 123, author: 'fesu', sha: 'abcdef1', link: 'https://github.corp.example.com/tess/tessops/pull/123' }]);
    expect(pj.metadata.labels?.['prow.k8s.io/refs.pull']).toBe('123');
  });

  it('accepts a form body and periodics by name only', async () => {
    const { app } = await testApp();
    const res = await request(app).post('/manual-trigger').type('form').send({ prowtype: 'periodic', prowjob: 'periodic-tessops-e2e-nightly' }).expect(200);
    expect(res.body.prowjob.spec).toMatchObject({ type: 'periodic', report: true });
    expect(res.body.prowjob.spec.refs).toBeUndefined();
  });
});

describe('env names that are Object.prototype keys', () => {
  const body = (env: string) => JSON.stringify({ ...postsubmit, user: undefined }).replace(/}$/, `,"env":${env}}`);

  it('refuses __proto__ like any variable the operator did not allow, instead of dropping it', async () => {
    const { app } = await testApp();
    const res = await request(app).post('/manual-trigger').type('json').send(body('{"__proto__":"x"}')).expect(400);
    expect(res.body.message).toBe('env __proto__ may not be overridden; allowed: E2E_FOCUS');
  });

  it('sets __proto__ and constructor when allowed, as any other variable', async () => {
    const { app } = await testApp({ allowedEnv: ['__proto__', 'constructor'] });
    const res = await request(app).post('/manual-trigger').type('json').send(body('{"__proto__":"a","constructor":"b"}')).expect(200);
    const pj = res.body.prowjob as ProwJob;
    expect(pj.spec.pod_spec!.containers![0].env).toEqual(expect.arrayContaining([{ name: '__proto__', value: 'a' }, { name: 'constructor', value: 'b' }]));
    expect(pj.metadata.annotations?.['manual-trigger.ci-stack.io/env-overrides']).toBe('__proto__,constructor');
  });
});

describe('POST /manual-trigger: creating', () => {
  it('creates the ProwJob, waits for the build id and answers with links', async () => {
    const api = fakeApi({ buildId: '20260328-100000' });
    const { app, metrics } = await testApp({ prowJobs: api });
    const res = await request(app).post('/manual-trigger').send(postsubmit).expect(201);
    expect(res.body).toMatchObject({
      success: true,
      message: 'ProwJob created successfully',
      build_id: '20260328-100000',
      state: 'pending',
      log_link: 'https://prow.tessprow/log?job=sddz-e2e-k8s-1.32&id=20260328-100000',
      url: 'https://prow.tessprow/view/20260328-100000',
      namespace: 'prow',
    });
    expect(api.store.size).toBe(1);
    expect(await metrics.registry.getSingleMetricAsString('manual_trigger_prowjobs_created_total')).toContain('manual_trigger_prowjobs_created_total{type="postsubmit"} 1');
  });

  it('answers success without a log link when plank does not assign a build id in time', async () => {
    const { app } = await testApp({ prowJobs: fakeApi() });
    const res = await request(app).post('/manual-trigger').send(postsubmit).expect(201);
    expect(res.body).toMatchObject({ success: true, build_id: null, log_link: null, state: 'triggered' });
    expect(res.body.status_link).toMatch(/^https:\/\/prow.tessprow\/prowjob\?prowjob=/);
  });

  it('maps an unreachable Kubernetes API to 503 with a short message', async () => {
    const failCreate = new KubeUnavailableError('unavailable', 'KUBE_UNAVAILABLE', 'Kubernetes API unreachable: ECONNREFUSED');
    const { app, metrics } = await testApp({ prowJobs: fakeApi({ failCreate }) });
    const res = await request(app).post('/manual-trigger').send(postsubmit).expect(503);
    expect(res.body).toEqual({ success: false, code: 'KUBE_UNAVAILABLE', message: 'Kubernetes API unreachable: ECONNREFUSED' });
    expect(await metrics.registry.getSingleMetricAsString('manual_trigger_prowjob_create_failures_total')).toContain('{type="postsubmit",reason="KUBE_UNAVAILABLE"} 1');
  });

  it("answers a refused create with 500 KUBE_FORBIDDEN naming the permission to grant, counted under its own reason", async () => {
    const failCreate = toKubeError({ code: 403, body: { reason: 'Forbidden', message: 'prowjobs.prow.k8s.io is forbidden' } }, { verb: 'create', resource: 'prowjobs', group: 'prow.k8s.io', namespace: 'prow' });
    const { app, metrics } = await testApp({ prowJobs: fakeApi({ failCreate }) });
    const res = await request(app).post('/manual-trigger').send(postsubmit).expect(500);
    expect(res.body).toMatchObject({ success: false, code: 'KUBE_FORBIDDEN' });
    expect(res.body.message).toContain('grant this service\'s account verb "create" on resource "prowjobs" (apiGroup prow.k8s.io) in namespace prow');
    expect(await metrics.registry.getSingleMetricAsString('manual_trigger_prowjob_create_failures_total')).toContain('{type="postsubmit",reason="KUBE_FORBIDDEN"} 1');
  });

  it('returns the same ProwJob for a retried Idempotency-Key, per identity', async () => {
    const api = fakeApi({ buildId: '1' });
    const { app } = await testApp({ prowJobs: api });
    const first = await request(app).post('/manual-trigger').set('Idempotency-Key', 'run-42').send(postsubmit).expect(201);
    const again = await request(app).post('/manual-trigger').set('Idempotency-Key', 'run-42').send(postsubmit).expect(200);
    expect(again.body).toMatchObject({ job_name: first.body.job_name, idempotent_replay: true });
    await request(app).post('/manual-trigger').set('Idempotency-Key', 'run-43').send(postsubmit).expect(201);
    expect(api.store.size).toBe(2);
    await request(app).post('/manual-trigger').set('Idempotency-Key', 'bad key with spaces').send(postsubmit).expect(400);
  });

  it('judges the Idempotency-Key window the same way when a racing replica created the job first', async () => {
    // The list misses the job (another replica is creating it), so the create collides with it; a job the API
    // server has only a creationTimestamp for is still within the window.
    const api = fakeApi({ buildId: '1', listMisses: true });
    const { app } = await testApp({ prowJobs: api });
    const first = await request(app).post('/manual-trigger').set('Idempotency-Key', 'run-7').send(postsubmit).expect(201);
    const stored = api.store.get(first.body.job_name)!;
    api.store.set(first.body.job_name, { ...stored, metadata: { ...stored.metadata, creationTimestamp: stored.status!.startTime }, status: { state: 'pending' } as ProwJob['status'] });
    const again = await request(app).post('/manual-trigger').set('Idempotency-Key', 'run-7').send(postsubmit).expect(200);
    expect(again.body).toMatchObject({ job_name: first.body.job_name, idempotent_replay: true });
    expect(api.store.size).toBe(1);
  });

  it('GET /prowjobs/NAME reports state, build id and links; unknown names are 404', async () => {
    const api = fakeApi({ buildId: '7' });
    const { app } = await testApp({ prowJobs: api });
    const created = await request(app).post('/manual-trigger').send(postsubmit).expect(201);
    const res = await request(app).get(`/prowjobs/${created.body.job_name}`).expect(200);
    expect(res.body).toMatchObject({ job_name: created.body.job_name, state: 'pending', build_id: '7', start_time: '2026-03-28T10:00:00Z' });
    await request(app).get('/prowjobs/does-not-exist').expect(404);
  });
});

describe('authentication and authorization', () => {
  let dir: string;
  let auth: TokenAuthenticator;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'auth-'));
    await writeFile(
      join(dir, 'tokens.yaml'),
      'tokens:\n  - identity: cimaster\n    token: cimaster-token-0123456789\n    allow:\n      - {org: tess, repo: tessops, jobs: ["sddz-*"], types: [postsubmit]}\n  - identity: admin\n    token: admin-token-0123456789abc\n    allow: [{}]\n',
    );
    auth = new TokenAuthenticator(join(dir, 'tokens.yaml'));
    await auth.start();
  });
  afterEach(async () => {
    auth.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('401 without or with an unknown token, 403 outside the allowlist, identity becomes the default user', async () => {
    const { app } = await testApp({ auth });
    const noToken = await request(app).post('/manual-trigger').send(postsubmit).expect(401);
    expect(noToken.headers['www-authenticate']).toContain('Bearer');
    await request(app).post('/manual-trigger').set('authorization', 'Bearer wrong-token-0123456789').send(postsubmit).expect(401);
    const denied = await request(app).post('/manual-trigger').set('authorization', 'Bearer cimaster-token-0123456789').send({ ...postsubmit, prowjob: 'pull-tessops-unit' }).expect(403);
    expect(denied.body.message).toBe('cimaster may not trigger postsubmit job pull-tessops-unit in tess/tessops');
    const { user: _user, ...noUser } = postsubmit;
    const ok = await request(app).post('/manual-trigger').set('authorization', 'Bearer cimaster-token-0123456789').send(noUser).expect(200);
    expect(ok.body.prowjob.metadata.annotations['manual-trigger.ci-stack.io/triggered-by']).toBe('cimaster');
    expect(ok.body.prowjob.spec.pod_spec.containers[0].env).toContainEqual({ name: 'AUTHOR', value: 'cimaster' });
    await request(app).get('/jobs').expect(401);
    await request(app).get('/jobs').set('authorization', 'Bearer admin-token-0123456789abc').expect(200);
  });

  it('reloads the token file and keeps the last good one when the new file is bad', async () => {
    await writeFile(join(dir, 'tokens.yaml'), 'tokens:\n  - identity: newbie\n    token: newbie-token-0123456789\n');
    await auth.reload();
    expect(auth.authenticate('Bearer newbie-token-0123456789').identity).toBe('newbie');
    expect(() => auth.authenticate('Bearer admin-token-0123456789abc')).toThrow('unknown bearer token');
    await writeFile(join(dir, 'tokens.yaml'), 'tokens: 5\n');
    await auth.reload();
    expect(auth.lastError).toContain("expected a top-level 'tokens' list");
    expect(auth.authenticate('Bearer newbie-token-0123456789').identity).toBe('newbie');
  });
});

describe('catalog and probes', () => {
  it('GET /jobs lists triggerable jobs with filters', async () => {
    const { app } = await testApp();
    const all = await request(app).get('/jobs').expect(200);
    expect(all.body.count).toBe(8);
    const periodic = await request(app).get('/jobs?type=periodic').expect(200);
    expect(periodic.body.jobs.map((j: { name: string }) => j.name)).toEqual(['periodic-cluster-pool-audit', 'periodic-tessops-e2e-nightly']);
    const post = await request(app).get('/jobs?org=tess&repo=tessops&type=postsubmit').expect(200);
    expect(post.body.count).toBe(3);
    await request(app).get('/jobs?type=weekly').expect(400);
  });

  it('answers probes and an unknown route with JSON 404', async () => {
    const { app } = await testApp({ prowJobs: fakeApi() });
    await request(app).get('/').expect(200);
    await request(app).get('/healthz').expect(200);
    const ready = await request(app).get('/readyz').expect(200);
    expect(ready.body.checks).toEqual({ config: { ok: true }, kubernetes: { ok: true } });
    const missing = await request(app).get('/nope').expect(404);
    expect(missing.body).toMatchObject({ success: false, code: 'NOT_FOUND' });
  });
});

describe('the typed client', () => {
  it('drives the app on a real port: typed answers, refusals as ApiError with their code', async () => {
    const { app } = await testApp({ prowJobs: fakeApi({ buildId: '11' }) });
    const server = http.createServer(app);
    await listen(server, 0, '127.0.0.1');
    try {
      const client = createManualTriggerClient({ baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, timeoutMs: 5000 });
      const created = await client.call('trigger', { ...postsubmit, env: { E2E_FOCUS: 'x' } }, { headers: { 'Idempotency-Key': 'k-1' } });
      expect(created).toMatchObject({ success: true, build_id: '11', state: 'pending', namespace: 'prow' });
      expect(await client.call('trigger', postsubmit, { headers: { 'Idempotency-Key': 'k-1' } })).toMatchObject({ job_name: created.job_name, idempotent_replay: true });
      expect((await client.call('prowjob', { name: created.job_name })).build_id).toBe('11');
      expect((await client.call('jobs', { type: 'periodic' })).count).toBe(2);
      await expect(client.call('trigger', { ...postsubmit, prowjob: 'nope' })).rejects.toMatchObject({ constructor: ApiError, status: 404, code: 'JOB_NOT_FOUND' });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('the typed client on list, events, abort and rerun', () => {
  it('lists, follows to the end, aborts one and in bulk, reruns and waits, with typed answers', async () => {
    const env = await kubeApp({ buildIdTimeoutMs: 0 });
    try {
      const client = createManualTriggerClient({ baseUrl: env.url, timeoutMs: 5000 });
      const first = await client.call('trigger', postsubmit);
      env.clock.advance(60_000);
      const second = await client.call('trigger', postsubmit);
      const page = await client.call('list', { job: 'sddz-e2e-k8s-1.32', limit: 1 });
      expect(page.prowjobs.map((p) => p.job_name)).toEqual([second.job_name]);
      expect((await client.call('list', { job: 'sddz-e2e-k8s-1.32', continue: page.continue as string })).prowjobs.map((p) => p.job_name)).toEqual([first.job_name]);
      const states: string[] = [];
      let lastId = '';
      for await (const event of client.stream('events', { name: first.job_name })) {
        states.push(event.data.state);
        lastId = event.id ?? lastId;
        if (states.length === 1) expect(await client.call('abort', { name: first.job_name, reason: 'typed' })).toMatchObject({ state: 'aborted' });
      }
      expect(states).toEqual(['triggered', 'aborted']);
      expect(await drain(client.stream('events', { name: first.job_name }, { lastEventId: lastId }))).toEqual([]); // 204: nothing more will come
      const dry = await client.call('abortMatching', { job: 'sddz-e2e-k8s-1.32', dry_run: true });
      expect(dry.aborted.map((a) => a.job_name)).toEqual([second.job_name]);
      const rerun = await client.call('rerun', { name: first.job_name, mode: 'latest' });
      expect(rerun).toMatchObject({ rerun_of: first.job_name, job: 'sddz-e2e-k8s-1.32' });
      expect((await client.call('prowjob', { name: first.job_name, wait: 'complete', timeout: '1s' })).state).toBe('aborted');
      await expect(client.call('abort', { name: first.job_name })).rejects.toMatchObject({ constructor: ApiError, status: 409, code: 'PROWJOB_ENDED' });
      await expect(client.call('list', { continue: 'nope' })).rejects.toMatchObject({ status: 400, code: 'INVALID_CONTINUE' });
    } finally {
      await env.close();
    }
  });
});

async function drain<T>(events: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe('the web console', () => {
  const assets = new Map([
    ['index.html', staticFile('index.html', '<!doctype html><title>manual-trigger</title>')],
    ['console-ABCDEFGH.css', staticFile('console-ABCDEFGH.css', 'body{}')],
  ]);
  const config = { service: 'manual-trigger', peer_url: null, auth: true, allowed_env: ['E2E_FOCUS'], dry_run_only: false };

  it('serves the console, its config and its files as documented; a browser opening / is sent there', async () => {
    const { app } = await testApp({ console: { assets, config } });
    expect((await request(app).get('/ui/').expect(200)).headers['content-security-policy']).not.toContain('unsafe');
    expect((await request(app).get('/ui/config.json').expect(200)).body).toEqual(config);
    const css = await request(app).get('/ui/console-ABCDEFGH.css').expect(200);
    await request(app).get('/ui/console-ABCDEFGH.css').set('If-None-Match', css.headers.etag as string).expect(304);
    await request(app).get('/ui').expect(301);
    await request(app).get('/ui/missing.js').expect(404);
    await request(app).get('/').expect(200, 'ok');
    await request(app).get('/').set('Accept', 'text/html').expect(302);
  });
});

describe('the OpenAPI document', () => {
  it('is served at /openapi.json and lists exactly the routes the app registers', async () => {
    const { app, express } = await testApp();
    const served = await request(app).get('/openapi.json').expect(200);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(manualTriggerDocument())));
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    expect(registeredRoutes(express).map(key).sort()).toEqual(documentedRoutes(manualTriggerDocument()).map(key).sort());
  });

  it('refuses a malformed ProwJob name and a bad catalog filter as documented', async () => {
    const { app } = await testApp({ prowJobs: fakeApi() });
    const bad = await request(app).get('/prowjobs/Not_A_Name').expect(400);
    expect(bad.body).toMatchObject({ success: false, code: 'INVALID_REQUEST', message: 'ProwJob name must be a Kubernetes object name' });
    const type = await request(app).get('/jobs?type=weekly').expect(400);
    expect(type.body.message).toBe('type must be one of presubmit, postsubmit, periodic, batch');
    await request(app).get('/jobs?org[x]=y&type=periodic').expect(200);
  });

  // Last in the file: the real answers of this suite covered every documented path, so none can drift unchecked.
  it('was checked against every documented path by the tests above', () => {
    const seenPaths = new Set([...contract.seen].map((s) => s.split(' ')[1]));
    expect(Object.keys(manualTriggerDocument().paths).filter((p) => !seenPaths.has(p))).toEqual([]);
  });
});

describe('POST /manual-trigger for a Gerrit repository (keyed https://HOST/PATH)', () => {
  const gerrit = { org: 'https://linux-review.googlesource.com', repo: 'linux/kernel/git/torvalds/linux', base_ref: 'master', user: 'fesu', dry_run: true };
  let dir: string;
  let config: LoadedProwConfig;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mt-gerrit-'));
    const key = `${gerrit.org}/${gerrit.repo}`;
    const job = (name: string): string => `  - name: ${name}\n    spec: {containers: [{image: busybox, command: [x]}]}\n`;
    await writeFile(join(dir, 'config.yaml'), 'pod_namespace: pods\n');
    await writeFile(join(dir, 'jobs.yaml'), `presubmits:\n  "${key}":\n${job('linux-pre')}postsubmits:\n  "${key}":\n${job('linux-post')}`);
    config = await loadProwConfig({ configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'jobs.yaml') });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("builds a postsubmit with the refs Prow's Gerrit adapter fills", async () => {
    const { app } = await testApp({ prowJobs: fakeApi({ buildId: '1' }), config });
    const sha = 'a'.repeat(40);
    const res = await request(app).post('/manual-trigger').send({ ...gerrit, prowtype: 'postsubmit', prowjob: 'linux-post', base_sha: sha }).expect(200);
    expect(res.body.prowjob.spec).toMatchObject({ type: 'postsubmit', job: 'linux-post' });
    expect(res.body.prowjob.spec.refs).toEqual({
      org: 'linux-review.googlesource.com',
      repo: 'linux/kernel/git/torvalds/linux',
      base_ref: 'master',
      base_sha: sha,
      clone_uri: 'https://linux-review.googlesource.com/linux/kernel/git/torvalds/linux',
      repo_link: 'https://linux.googlesource.com/linux/kernel/git/torvalds/linux',
      base_link: `https://linux.googlesource.com/linux/kernel/git/torvalds/linux/+/${sha}`,
    });
  });

  it('refuses a presubmit with a 400 that says it needs a change and revision', async () => {
    const { app } = await testApp({ prowJobs: fakeApi({ buildId: '1' }), config });
    const res = await request(app).post('/manual-trigger').send({ ...gerrit, prowtype: 'presubmit', prowjob: 'linux-pre', pullrequest: 12345 }).expect(400);
    expect(res.body).toMatchObject({ success: false, code: 'GERRIT_CHANGE_NOT_SUPPORTED', message: expect.stringContaining('needs a change number and revision') });
  });
});
