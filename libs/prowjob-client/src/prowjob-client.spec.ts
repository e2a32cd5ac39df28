import { KubeAlreadyExistsError, KubeForbiddenError, KubeUnavailableError } from '@ci-stack/kube';
import { startFakeKubeApi, type FakeKubeApi } from '@ci-stack/kube/testing';
import { newProwJob, type ProwJob } from '@ci-stack/prowjob-api';
import { ProwJobClient } from './prowjob-client';

let api: FakeKubeApi;
let client: ProwJobClient;

beforeEach(async () => {
  api = await startFakeKubeApi();
  client = new ProwJobClient({ kubeConfig: api.kubeConfig(), namespace: 'prow', requestTimeoutMs: 2000 });
});
afterEach(async () => {
  await api.close();
});

function job(name = 'pj-1'): ProwJob {
  return newProwJob({ type: 'periodic', agent: 'kubernetes', job: 'nightly', pod_spec: { containers: [{ image: 'x' }] } }, { team: 'ci' }, {}, { name });
}

it('creates, gets and lists ProwJobs through the real client', async () => {
  const created = await client.create(job());
  expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
  expect((await client.get('pj-1')).spec.job).toBe('nightly');
  expect((await client.list('team=ci')).map((p) => p.metadata.name)).toEqual(['pj-1']);
  expect(await client.list('team=other')).toEqual([]);
});

it('translates AlreadyExists, Forbidden and an unreachable API server', async () => {
  await client.create(job());
  await expect(client.create(job())).rejects.toBeInstanceOf(KubeAlreadyExistsError);
  api.forbid('prowjobs', ['create']);
  const refused = client.create(job('pj-2'));
  await expect(refused).rejects.toBeInstanceOf(KubeForbiddenError);
  await expect(refused).rejects.toMatchObject({
    kind: 'misconfigured',
    message: expect.stringContaining(`grant this service's account verb "create" on resource "prowjobs" (apiGroup prow.k8s.io) in namespace ${client.namespace}.`),
  });
  api.setDown(true);
  await expect(client.get('pj-1')).rejects.toBeInstanceOf(KubeUnavailableError);
});

it('waits for the build id with a watch and returns as soon as plank sets it', async () => {
  api.simulatePlank({ delayMs: 150, buildId: () => '1234' });
  const created = await client.create(job());
  const started = Date.now();
  const result = await client.waitForBuildId(created, 5000);
  expect(result).toMatchObject({ assigned: true, rewatches: 0 });
  expect(result.prowJob.status).toMatchObject({ state: 'pending', build_id: '1234' });
  expect(Date.now() - started).toBeLessThan(4000);
  expect(api.requests().filter((r) => r.method === 'GET' && !r.path.endsWith('?watch'))).toEqual([]);
});

it('re-establishes a watch the server closed', async () => {
  const created = await client.create(job());
  const waiting = client.waitForBuildId(created, 5000);
  await new Promise((r) => setTimeout(r, 100));
  api.closeWatches();
  await new Promise((r) => setTimeout(r, 100));
  api.update('prowjobs', 'prow', 'pj-1', { status: { state: 'pending', build_id: '77' } });
  const result = await waiting;
  expect(result.assigned).toBe(true);
  expect(result.prowJob.status.build_id).toBe('77');
  expect(result.rewatches).toBeGreaterThanOrEqual(1);
});

it('recovers from 410 Gone by reading the object again', async () => {
  const created = await client.create(job());
  api.failNextWatchWithGone();
  api.update('prowjobs', 'prow', 'pj-1', { status: { state: 'pending', build_id: '88' } });
  const result = await client.waitForBuildId(created, 3000);
  expect(result).toMatchObject({ assigned: true, rewatches: 1 });
  expect(result.prowJob.status.build_id).toBe('88');
});

it('gives up at the deadline with what it knows', async () => {
  const created = await client.create(job());
  const result = await client.waitForBuildId(created, 300);
  expect(result.assigned).toBe(false);
  expect(result.prowJob.status.state).toBe('triggered');
});
