// manual-trigger's list, events, abort and rerun against the real API server and real plank, running with
// exactly the RBAC the chart grants and with per-verb tokens. The harness plays kubelet (pods/status).
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { applyObjects, serviceAccountKubeconfig, sharedKubeEnv, waitUntil } from '@ci-stack/kube-env';
import { newProwJob, type ProwJob } from '@ci-stack/prowjob-api';
import { rbacOf, renderChart } from './chart-objects';
import { startFakeKubelet } from './fake-kubelet';
import { ROOT, type RunningService, startService } from './services';
import { openEvents } from './sse-client';

const RELEASE_NS = 'ci';
const SA = 'rel-ci-stack-manual-trigger';
const PROW = { group: 'prow.k8s.io', version: 'v1', namespace: 'prow', plural: 'prowjobs' };
const TOKENS = `tokens:
  - {identity: it-admin, token: it-admin-token-0123456789, allow: [{verbs: [trigger, read, abort, rerun]}]}
  - {identity: it-reader, token: it-reader-token-0123456789, allow: [{verbs: [read]}]}
  - {identity: it-trigger, token: it-trigger-token-0123456789, allow: [{verbs: [trigger]}]}
`;
const POSTSUBMIT = { org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32' };

/** The list's order: start time, newest first; names in order within one second. */
function newestFirst(prowJobs: ProwJob[]): string[] {
  const started = (pj: ProwJob): number => Date.parse(pj.status.startTime);
  return [...prowJobs].sort((x, y) => started(y) - started(x) || (x.metadata.name < y.metadata.name ? -1 : 1)).map((pj) => pj.metadata.name);
}

interface Answer {
  status: number;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers of several shapes
}

describe('manual-trigger ProwJob operations end to end (real kube-apiserver, plank)', () => {
  const env = sharedKubeEnv();
  const objects = env.kubeConfig.makeApiClient(CustomObjectsApi);
  const core = env.kubeConfig.makeApiClient(CoreV1Api);
  let service: RunningService;
  let dir: string;

  const call = async (method: string, path: string, as: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${as}-token-0123456789`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: res.status === 204 ? {} : ((await res.json()) as Answer['body']) };
  };
  const trigger = async (body: Record<string, unknown> = POSTSUBMIT): Promise<Answer['body']> => {
    const res = await call('POST', '/manual-trigger', 'it-admin', body);
    expect([res.status, res.body.message]).toEqual([201, 'ProwJob created successfully']);
    return res.body;
  };
  const prowJob = async (name: string): Promise<ProwJob> => (await objects.getNamespacedCustomObject({ ...PROW, name })) as ProwJob;
  const podGone = async (name: string): Promise<boolean> => core.readNamespacedPod({ namespace: 'test-pods', name }).then(() => false, (e: { code?: number }) => e.code === 404);

  beforeAll(async () => {
    const chart = await renderChart(RELEASE_NS, { prow: { namespace: 'prow' } });
    await applyObjects(env.kubeConfig, rbacOf(chart, 'manual-trigger'), false);
    const kubeconfig = await serviceAccountKubeconfig(env.kubeConfig, join(env.dir, 'kubeconfig-prowjob-ops'), RELEASE_NS, SA);
    // An own copy of the Prow config, so a test can change it (plank keeps the original; it runs the ProwJob's spec).
    dir = await mkdtemp(join(tmpdir(), 'prowjob-ops-'));
    await cp(join(ROOT, 'examples/prow'), join(dir, 'prow'), { recursive: true });
    await writeFile(join(dir, 'tokens.yaml'), TOKENS);
    service = await startService('manual-trigger', [
      '--config-path', join(dir, 'prow/config.yaml'), '--job-config-path', join(dir, 'prow/jobs'),
      '--kubeconfig', kubeconfig, '--build-id-timeout', '30s', '--auth-config', join(dir, 'tokens.yaml'),
      '--config-debounce', '100ms', '--allowed-env', 'E2E_FOCUS',
    ]);
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('triggers a job, finds it in the list, follows its events to pending and, once its pod finishes, to success', async () => {
    const created = await trigger({ ...POSTSUBMIT, env: { E2E_FOCUS: 'events' } });
    const listed = await call('GET', '/prowjobs?job=sddz-e2e-k8s-1.32&triggered_by=it-admin&limit=5', 'it-admin');
    expect(listed.status).toBe(200);
    expect(listed.body.prowjobs[0]).toMatchObject({ job_name: created.job_name, build_id: created.build_id, triggered_by: 'it-admin', refs: { org: 'tess', repo: 'tessops', base_ref: 'master' } });

    const stream = await openEvents(`${service.url}/prowjobs/${created.job_name}/events`, { authorization: 'Bearer it-admin-token-0123456789' });
    expect(stream.status).toBe(200);
    const pending = await stream.until((e) => e.data.state === 'pending');
    expect(pending.data).toMatchObject({ job_name: created.job_name, build_id: created.build_id, ended: false, status_link: `https://prow.example.com/prowjob?prowjob=${created.job_name}` });
    const waiting = call('GET', `/prowjobs/${created.job_name}?wait=complete&timeout=2m`, 'it-admin');
    const podName = (await prowJob(created.job_name)).status.pod_name;
    const kubelet = startFakeKubelet(env.kubeConfig, 'test-pods', (pod) => (pod.metadata?.name === podName ? 'Succeeded' : undefined));
    const success = await stream.until((e) => e.data.state === 'success').finally(() => kubelet.stop());
    expect(success.data).toMatchObject({ ended: true, completion_time: expect.any(String), description: 'Job succeeded.' });
    await stream.ended;
    expect(stream.events.map((e) => e.data.state)).toEqual(['pending', 'success']);
    expect((await waiting).body).toMatchObject({ state: 'success', job_name: created.job_name });
    const resumed = await fetch(`${service.url}/prowjobs/${created.job_name}/events`, { headers: { authorization: 'Bearer it-admin-token-0123456789', 'last-event-id': success.id } });
    expect(resumed.status).toBe(204);
  });

  it('aborts a pending job: plank deletes its pod and the ProwJob ends aborted; a second abort is 409', async () => {
    const created = await trigger();
    const podName = (await prowJob(created.job_name)).status.pod_name as string;
    expect(await podGone(podName)).toBe(false);
    const aborted = await call('POST', `/prowjobs/${created.job_name}/abort`, 'it-admin', { reason: 'integration test' });
    expect(aborted).toMatchObject({ status: 200, body: { state: 'aborted', description: `it-admin successfully aborted ${created.job_name}. Reason: integration test` } });
    await waitUntil('plank to delete the pod', () => podGone(podName), { timeoutMs: 60_000 });
    await waitUntil('plank to complete the aborted ProwJob', async () => Boolean((await prowJob(created.job_name)).status.completionTime), { timeoutMs: 60_000 });
    const stored = await prowJob(created.job_name);
    expect(stored.status.state).toBe('aborted');
    expect(stored.metadata.annotations).toMatchObject({ 'manual-trigger.ci-stack.io/aborted-by': 'it-admin', 'manual-trigger.ci-stack.io/abort-reason': 'integration test' });
    const again = await call('POST', `/prowjobs/${created.job_name}/abort`, 'it-admin');
    expect(again).toMatchObject({ status: 409, body: { code: 'PROWJOB_ENDED', message: `ProwJob ${created.job_name} has ended (state aborted): only triggered or pending ProwJobs can be aborted` } });
  });

  it('reruns mode=latest from the changed config (new spec, same refs) and mode=original with the old spec', async () => {
    const old = await trigger({ ...POSTSUBMIT, base_sha: 'abcdef1234567' });
    const file = join(dir, 'prow/jobs/tess/tessops/tessops-postsubmits.yaml');
    const reloads = async (): Promise<number> => Number(/manual_trigger_config_reloads_total\{result="success"\} (\d+)/.exec(await (await fetch(service.metricsUrl)).text())?.[1] ?? 0);
    const before = await reloads();
    await writeFile(file, (await readFile(file, 'utf8')).replace('gcr.io/k8s-testimages/kubekins-e2e:latest', 'gcr.io/k8s-testimages/kubekins-e2e:v20260328'));
    await waitUntil('manual-trigger to reload its config', async () => (await reloads()) > before, { timeoutMs: 30_000 });

    const latest = await call('POST', `/prowjobs/${old.job_name}/rerun?mode=latest`, 'it-admin');
    expect(latest).toMatchObject({ status: 201, body: { success: true, rerun_of: old.job_name, type: 'postsubmit', job: 'sddz-e2e-k8s-1.32', build_id: expect.stringMatching(/^\d+$/) } });
    const [oldJob, latestJob] = [await prowJob(old.job_name), await prowJob(latest.body.job_name)];
    expect(latestJob.spec.pod_spec?.containers?.[0].image).toBe('gcr.io/k8s-testimages/kubekins-e2e:v20260328');
    expect(latestJob.spec.refs).toEqual(oldJob.spec.refs);
    expect(latestJob.metadata.annotations?.['manual-trigger.ci-stack.io/rerun-of']).toBe(old.job_name);
    expect(latestJob.metadata.labels?.['manual-trigger.ci-stack.io/rerun-of']).toBe(old.job_name);

    const original = await call('POST', `/prowjobs/${old.job_name}/rerun?mode=original`, 'it-admin');
    expect(original.status).toBe(201);
    expect((await prowJob(original.body.job_name)).spec).toEqual(oldJob.spec);
    const listed = await call('GET', `/prowjobs?job=sddz-e2e-k8s-1.32&triggered_by=it-admin&limit=10`, 'it-admin');
    const rerunOf = (name: string): unknown => listed.body.prowjobs.find((p: { job_name: string }) => p.job_name === name)?.rerun_of;
    expect([rerunOf(latest.body.job_name), rerunOf(original.body.job_name), rerunOf(old.job_name)]).toEqual([old.job_name, old.job_name, null]);
    for (const name of [old.job_name, latest.body.job_name, original.body.job_name]) await call('POST', `/prowjobs/${name}/abort`, 'it-admin');
  });

  it('bulk-aborts with a dry run first that names exactly what the real run then aborts', async () => {
    const a = await trigger({ ...POSTSUBMIT, prowjob: 'post-tessops-build-image' });
    const b = await trigger({ ...POSTSUBMIT, prowjob: 'post-tessops-build-image' });
    const filters = { job: 'post-tessops-build-image', triggered_by: 'it-admin', reason: 'bulk test' };
    const dry = await call('POST', '/prowjobs/abort', 'it-admin', { ...filters, dry_run: true });
    expect(dry.status).toBe(200);
    expect(dry.body.aborted.map((x: { job_name: string }) => x.job_name)).toEqual(newestFirst([await prowJob(a.job_name), await prowJob(b.job_name)]));
    expect(dry.body.skipped).toEqual([]);
    expect([(await prowJob(a.job_name)).status.state, (await prowJob(b.job_name)).status.state]).toEqual(['pending', 'pending']);
    const real = await call('POST', '/prowjobs/abort', 'it-admin', filters);
    expect(real.body).toMatchObject({ dry_run: false, aborted: dry.body.aborted, skipped: [] });
    // The answer reports what was aborted; the stored state may still read `pending` for a moment: plank can
    // overwrite an abort with a stale update right after creating the pod, and manual-trigger applies it again
    // (manual_trigger_aborts_reapplied_total) until plank completes it. So wait for that end, within the keeper's bound.
    for (const created of [a, b]) {
      await waitUntil(`${created.job_name} to end aborted`, async () => {
        const { status } = await prowJob(created.job_name);
        return status.state === 'aborted' && Boolean(status.completionTime);
      }, { timeoutMs: 60_000 });
    }
    const podsGone = async (): Promise<boolean> => (await podGone(a.job_name)) && (await podGone(b.job_name));
    await waitUntil('plank to delete both pods', podsGone, { timeoutMs: 60_000 }).catch(async (err: Error) => {
      const seen = await Promise.all([a, b].map(async (c) => ({ name: c.job_name, status: (await prowJob(c.job_name)).status, podGone: await podGone(c.job_name) })));
      throw new Error(`${err.message}\n${JSON.stringify(seen, null, 2)}`);
    });
    const nothingLeft = await call('POST', '/prowjobs/abort', 'it-admin', { ...filters, dry_run: true });
    expect(nothingLeft.body).toMatchObject({ aborted: [], skipped: [] });
  });

  it('pages through 300 ProwJobs with limit=50, newest first, each exactly once', async () => {
    const names = Array.from({ length: 300 }, (_, i) => `paging-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < names.length; i += 20) {
      await Promise.all(
        names.slice(i, i + 20).map((name) => {
          const pj = newProwJob({ type: 'periodic', agent: 'kubernetes', job: 'paging-job', pod_spec: { containers: [{ name: 'test', image: 'busybox' }] } }, { 'manual-trigger.ci-stack.io/created': 'true' }, {}, { name });
          pj.status = { ...pj.status, state: 'success', completionTime: pj.status.startTime }; // complete: plank leaves it alone
          return objects.createNamespacedCustomObject({ ...PROW, body: pj });
        }),
      );
    }
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const res: Answer = await call('GET', `/prowjobs?job=paging-job&limit=50${token ? `&continue=${token}` : ''}`, 'it-admin');
      expect(res.status).toBe(200);
      seen.push(...res.body.prowjobs.map((p: { job_name: string }) => p.job_name));
      token = res.body.continue;
      pages++;
    } while (token);
    expect(pages).toBe(6);
    const all = ((await objects.listNamespacedCustomObject({ ...PROW, labelSelector: 'prow.k8s.io/job=paging-job' })) as { items: ProwJob[] }).items;
    expect(seen).toEqual(newestFirst(all));
    expect(new Set(seen).size).toBe(300);
    const bad = await call('GET', '/prowjobs?job=paging-job&limit=50&continue=bm90LW91cnM', 'it-admin');
    expect([bad.status, bad.body.code]).toEqual([400, 'INVALID_CONTINUE']);
  });

  it('denies each verb to a token without it: 403 naming the verb and the job', async () => {
    const created = await trigger();
    const denied = async (answer: Promise<Answer>, message: string): Promise<void> => expect(await answer).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', message } });
    const job = 'postsubmit job sddz-e2e-k8s-1.32 in tess/tessops';
    await denied(call('POST', '/manual-trigger', 'it-reader', POSTSUBMIT), `it-reader may not trigger ${job}`);
    await denied(call('GET', `/prowjobs/${created.job_name}`, 'it-trigger'), `it-trigger may not read ${job}`);
    await denied(call('GET', `/prowjobs/${created.job_name}/events`, 'it-trigger'), `it-trigger may not read ${job}`);
    await denied(call('GET', '/prowjobs?job=sddz-e2e-k8s-1.32', 'it-trigger'), 'it-trigger may not read job sddz-e2e-k8s-1.32');
    await denied(call('POST', `/prowjobs/${created.job_name}/abort`, 'it-reader'), `it-reader may not abort ${job}`);
    await denied(call('POST', '/prowjobs/abort', 'it-reader', { job: 'sddz-e2e-k8s-1.32' }), 'it-reader may not abort job sddz-e2e-k8s-1.32');
    await denied(call('POST', `/prowjobs/${created.job_name}/rerun`, 'it-reader'), `it-reader may not rerun ${job}`);
    expect((await call('GET', `/prowjobs/${created.job_name}`, 'it-reader')).status).toBe(200);
    await call('POST', `/prowjobs/${created.job_name}/abort`, 'it-admin');
  });

  it.each([
    ['an unknown state', 'GET', '/prowjobs?state=finished', undefined, 400],
    ['an unknown type', 'GET', '/prowjobs?type=weekly', undefined, 400],
    ['an unknown mode', 'POST', '/prowjobs/some-job/rerun?mode=newest', undefined, 400],
    ['a bad since', 'GET', '/prowjobs?since=last-week', undefined, 400],
    ['a bad older_than', 'POST', '/prowjobs/abort', { older_than: 'ages' }, 400],
    ['limit out of range', 'GET', '/prowjobs?limit=1000', undefined, 400],
    ['a bulk abort without filters', 'POST', '/prowjobs/abort', {}, 400],
    ['a name that is not a Kubernetes object name', 'POST', '/prowjobs/Bad_Name/abort', undefined, 400],
    ['an unknown ProwJob', 'GET', '/prowjobs/no-such-prowjob/events', undefined, 404],
  ])('answers %s with a clear 4xx', async (_what, method, path, body, status) => {
    const res = await call(method, path, 'it-admin', body);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ success: false, code: expect.any(String), message: expect.any(String) });
    expect(res.body.message).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});
