import request from 'supertest';
import type { ProwJob } from '@ci-stack/prowjob-api';
import { contract, kubeApp, seedProwJob } from './test-helpers';

afterEach(() => contract.verify());

type Env = Awaited<ReturnType<typeof kubeApp>>;
const presubmit = { org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'presubmit', prowjob: 'sddz-e2e-k8s-1.32', pullrequest: 12, pull_sha: 'abcdef1', user: 'fesu', env: { E2E_FOCUS: 'sig-node' } };
const KUBEKINS = 'gcr.io/k8s-testimages/kubekins-e2e:latest';

/** Triggers a presubmit, then makes its stored spec look like an older config built it (another image). */
async function oldRun(env: Env): Promise<ProwJob> {
  const created = await request(env.app).post('/manual-trigger').set('x-request-id', 'req-old').send(presubmit).expect(201);
  const pj = await env.prowJobs.get(created.body.job_name);
  const containers = pj.spec.pod_spec!.containers!.map((c) => ({ ...c, image: 'kubekins-e2e:from-last-month' }));
  env.kube.update('prowjobs', 'prow', pj.metadata.name, { spec: { pod_spec: { containers } }, status: { state: 'failure', completionTime: '2026-03-28T10:30:00Z' } });
  env.clock.advance(3_600_000);
  return env.prowJobs.get(pj.metadata.name);
}

describe('POST /prowjobs/NAME/rerun', () => {
  let env: Env;
  beforeEach(async () => {
    env = await kubeApp({ buildIdTimeoutMs: 2000 });
    env.kube.simulatePlank({ delayMs: 5, buildId: () => '20260328-110000' });
  });
  afterEach(async () => env.close());

  it('mode=original copies the old spec; the new ProwJob says whose rerun of what it is, and the answer is a trigger answer', async () => {
    const old = await oldRun(env);
    const res = await request(env.app).post(`/prowjobs/${old.metadata.name}/rerun?mode=original`).set('x-request-id', 'req-rerun').expect(201);
    expect(res.body).toMatchObject({
      success: true,
      message: `ProwJob created successfully as a rerun of ${old.metadata.name}`,
      build_id: '20260328-110000',
      state: 'pending',
      type: 'presubmit',
      job: 'sddz-e2e-k8s-1.32',
      rerun_of: old.metadata.name,
      log_link: 'https://prow.tessprow/log?job=sddz-e2e-k8s-1.32&id=20260328-110000',
    });
    expect(Object.keys(res.body).slice(0, 5)).toEqual(['success', 'message', 'job_name', 'status_link', 'log_link']);
    const rerun = await env.prowJobs.get(res.body.job_name);
    expect(rerun.spec).toEqual(old.spec);
    expect(rerun.status).toMatchObject({ state: 'pending', startTime: '2026-03-28T11:00:00Z', description: 'Successfully reran ' + old.metadata.name + '.' });
    expect(rerun.metadata.labels).toMatchObject({ 'manual-trigger.ci-stack.io/rerun-of': old.metadata.name, 'manual-trigger.ci-stack.io/created': 'true', 'prow.k8s.io/refs.pull': '12' });
    expect(rerun.metadata.annotations).toMatchObject({
      'manual-trigger.ci-stack.io/rerun-of': old.metadata.name,
      'manual-trigger.ci-stack.io/endpoint': 'POST /prowjobs/NAME/rerun',
      'manual-trigger.ci-stack.io/request-id': 'req-rerun',
      'manual-trigger.ci-stack.io/env-overrides': 'AUTHOR,E2E_FOCUS',
    });
    const listed = await request(env.app).get('/prowjobs?limit=1').expect(200);
    expect(listed.body.prowjobs[0]).toMatchObject({ job_name: res.body.job_name, rerun_of: old.metadata.name });
  });

  it('mode=latest rebuilds from the current config with the same refs, keeping the env overrides the operator still allows', async () => {
    const old = await oldRun(env);
    const res = await request(env.app).post(`/prowjobs/${old.metadata.name}/rerun`).send({ mode: 'latest' }).expect(201);
    const rerun = await env.prowJobs.get(res.body.job_name);
    expect(rerun.spec.pod_spec!.containers!.map((c) => c.image)).toEqual([KUBEKINS]);
    expect(rerun.spec.refs).toEqual(old.spec.refs);
    expect(rerun.spec.type).toBe('presubmit');
    const env0 = rerun.spec.pod_spec!.containers![0].env!;
    expect(env0.filter((e) => ['AUTHOR', 'E2E_FOCUS'].includes(e.name))).toEqual([
      { name: 'AUTHOR', value: 'fesu' },
      { name: 'E2E_FOCUS', value: 'sig-node' },
    ]);
    expect(rerun.metadata.annotations?.['manual-trigger.ci-stack.io/rerun-of']).toBe(old.metadata.name);
  });

  describe('env overrides --allowed-env no longer allows', () => {
    /** An old run made while --allowed-env also allowed KUBECONFIG and EXTRA (the config sets KUBECONFIG through a preset). */
    async function runWithOldOverrides(): Promise<ProwJob> {
      const old = await oldRun(env);
      const containers = old.spec.pod_spec!.containers!.map((c) => ({
        ...c,
        env: [...c.env!.map((e) => (e.name === 'KUBECONFIG' ? { name: 'KUBECONFIG', value: '/tmp/elsewhere' } : e)), { name: 'EXTRA', value: 'x' }],
      }));
      env.kube.update('prowjobs', 'prow', old.metadata.name, { metadata: { annotations: { 'manual-trigger.ci-stack.io/env-overrides': 'AUTHOR,E2E_FOCUS,EXTRA,KUBECONFIG' } }, spec: { pod_spec: { containers } } });
      return env.prowJobs.get(old.metadata.name);
    }
    const envOf = (pj: ProwJob) => Object.fromEntries(pj.spec.pod_spec!.containers![0].env!.map((e) => [e.name, e.value]));

    it.each(['original', 'latest'])('mode=%s applies only the overrides allowed now and says which it dropped; each dropped one is what the config gives, or unset', async (mode) => {
      const old = await runWithOldOverrides();
      expect(envOf(old)).toMatchObject({ KUBECONFIG: '/tmp/elsewhere', EXTRA: 'x' });
      const res = await request(env.app).post(`/prowjobs/${old.metadata.name}/rerun?mode=${mode}`).expect(201);
      expect(res.body.dropped_env).toEqual(['EXTRA', 'KUBECONFIG']);
      const rerun = await env.prowJobs.get(res.body.job_name);
      const vars = envOf(rerun);
      expect(vars).toMatchObject({ AUTHOR: 'fesu', E2E_FOCUS: 'sig-node', KUBECONFIG: '/etc/e2e-kubeconfig/config' });
      expect(vars).not.toHaveProperty('EXTRA');
      expect(rerun.metadata.annotations?.['manual-trigger.ci-stack.io/env-overrides']).toBe('AUTHOR,E2E_FOCUS');
    });

    it('says it dropped nothing when every recorded override is still allowed', async () => {
      const old = await oldRun(env);
      const res = await request(env.app).post(`/prowjobs/${old.metadata.name}/rerun`).expect(201);
      expect(res.body.dropped_env).toEqual([]);
      expect(envOf(await env.prowJobs.get(res.body.job_name))).toMatchObject({ E2E_FOCUS: 'sig-node' });
    });
  });

  it('mode=latest answers 404 with the job name when the job left the config; batch jobs need mode=original', async () => {
    await seedProwJob(env, { name: 'gone-job', job: 'removed-from-config', state: 'failure' });
    const res = await request(env.app).post('/prowjobs/gone-job/rerun?mode=latest').expect(404);
    expect(res.body).toMatchObject({ code: 'JOB_NOT_FOUND', message: 'Job removed-from-config not found in config for tess/tessops' });
    await seedProwJob(env, { name: 'batch-run', type: 'batch', state: 'failure' });
    expect((await request(env.app).post('/prowjobs/batch-run/rerun?mode=latest').expect(400)).body.code).toBe('RERUN_NOT_SUPPORTED');
    await request(env.app).post('/prowjobs/batch-run/rerun?mode=original').expect(201);
  });

  it("mode=latest refuses an old ProwJob's base_ref longer than Git allows before the config's branch patterns see it", async () => {
    await seedProwJob(env, { name: 'long-ref', state: 'failure' });
    env.kube.update('prowjobs', 'prow', 'long-ref', { spec: { refs: { org: 'tess', repo: 'tessops', base_ref: 'a'.repeat(300) } } });
    const res = await request(env.app).post('/prowjobs/long-ref/rerun?mode=latest').expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_REQUEST', message: "'base_ref' is 300 bytes long, more than Git's 255 for a branch name" });
  });

  it('returns the same rerun for a retried Idempotency-Key', async () => {
    const old = await oldRun(env);
    const first = await request(env.app).post(`/prowjobs/${old.metadata.name}/rerun?mode=latest`).set('Idempotency-Key', 'rerun-1').expect(201);
    const again = await request(env.app).post(`/prowjobs/${old.metadata.name}/rerun?mode=latest`).set('Idempotency-Key', 'rerun-1').expect(200);
    expect(again.body).toMatchObject({ job_name: first.body.job_name, idempotent_replay: true, rerun_of: old.metadata.name });
    await request(env.app).post(`/prowjobs/${old.metadata.name}/rerun`).set('Idempotency-Key', 'has spaces').expect(400);
    expect(await env.metrics.registry.getSingleMetricAsString('manual_trigger_prowjob_reruns_total')).toContain('manual_trigger_prowjob_reruns_total{mode="latest"} 1');
  });

  it('rejects an unknown mode, a bad name and an unknown ProwJob', async () => {
    await seedProwJob(env, { name: 'pj-1' });
    expect((await request(env.app).post('/prowjobs/pj-1/rerun?mode=newest').expect(400)).body.message).toBe("unknown mode 'newest': must be one of original, latest");
    await request(env.app).post('/prowjobs/-bad-/rerun').expect(400);
    await request(env.app).post('/prowjobs/nope/rerun').expect(404);
  });
});
