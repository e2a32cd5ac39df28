import { KubeAlreadyExistsError, KubeConflictError, KubeForbiddenError, KubeGoneError, KubeInvalidError, KubeUnavailableError } from '@ci-stack/kube';
import { startFakeKubeApi, type FakeKubeApi } from '@ci-stack/kube/testing';
import { newProwJob, type ProwJob } from '@ci-stack/prowjob-api';
import { ProwJobClient, type WatchEvent } from './prowjob-client';

let api: FakeKubeApi;
let client: ProwJobClient;

beforeEach(async () => {
  api = await startFakeKubeApi();
  client = new ProwJobClient({ kubeConfig: api.kubeConfig(), namespace: 'prow', requestTimeoutMs: 2000 });
});
afterEach(async () => {
  await api.close();
});

function job(name = 'pj-1', labels: Record<string, string> = { team: 'ci' }): ProwJob {
  return newProwJob({ type: 'periodic', agent: 'kubernetes', job: 'nightly', pod_spec: { containers: [{ name: 'test', image: 'x' }] } }, labels, {}, { name });
}

it('creates, gets and lists ProwJobs through the real client', async () => {
  const created = await client.create(job());
  expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
  expect((await client.get('pj-1')).spec.job).toBe('nightly');
  expect((await client.list({ labelSelector: 'team=ci' })).items.map((p) => p.metadata.name)).toEqual(['pj-1']);
  expect((await client.list({ labelSelector: 'team=other' })).items).toEqual([]);
});

it('pages with limit and continue on one snapshot; a compacted snapshot is KubeGoneError, a bad token KubeInvalidError', async () => {
  for (const n of [3, 1, 4, 2]) await client.create(job(`pj-${n}`, { team: n % 2 ? 'odd' : 'even' }));
  const first = await client.list({ labelSelector: 'team in (odd,even)', limit: 3 });
  expect(first.items.map((p) => p.metadata.name)).toEqual(['pj-1', 'pj-2', 'pj-3']);
  await client.create(job('pj-0', { team: 'odd' }));
  const rest = await client.list({ labelSelector: 'team in (odd,even)', limit: 3, continue: first.continue });
  expect([rest.items.map((p) => p.metadata.name), rest.continue, rest.resourceVersion]).toEqual([['pj-4'], undefined, first.resourceVersion]);
  const exact = await client.list({ resourceVersion: first.resourceVersion, resourceVersionMatch: 'Exact' });
  expect(exact.items).toHaveLength(4);
  api.compact();
  await expect(client.list({ limit: 3, continue: first.continue })).rejects.toBeInstanceOf(KubeGoneError);
  await expect(client.list({ limit: 3, continue: 'garbage!' })).rejects.toBeInstanceOf(KubeInvalidError);
});

it('patches by merge or JSON patch; a stale resourceVersion is KubeConflictError and changes nothing', async () => {
  const created = await client.create(job());
  const rv = created.metadata.resourceVersion;
  const aborted = await client.patch('pj-1', { type: 'merge', patch: { status: { state: 'aborted', description: 'stop' } }, resourceVersion: rv });
  expect(aborted.status).toMatchObject({ state: 'aborted', description: 'stop', startTime: created.status.startTime });
  await expect(client.patch('pj-1', { type: 'merge', patch: { status: { state: 'success' } }, resourceVersion: rv })).rejects.toBeInstanceOf(KubeConflictError);
  await expect(client.patch('pj-1', { type: 'json', operations: [{ op: 'replace', path: '/status/state', value: 'error' }], resourceVersion: rv })).rejects.toBeInstanceOf(KubeConflictError);
  expect((await client.get('pj-1')).status.state).toBe('aborted');
  const annotated = await client.patch('pj-1', { type: 'json', operations: [{ op: 'add', path: '/metadata/annotations/x', value: 'y' }], resourceVersion: aborted.metadata.resourceVersion });
  expect(annotated.metadata.annotations?.x).toBe('y');
});

it('watches one ProwJob from a resourceVersion and reports why the watch ended', async () => {
  const created = await client.create(job());
  await client.create(job('pj-other'));
  api.update('prowjobs', 'prow', 'pj-1', { status: { state: 'pending' } });
  const seen: WatchEvent[] = [];
  const watch = client.watch('pj-1', created.metadata.resourceVersion, (e) => {
    seen.push(e);
    if (e.prowJob.status.state === 'success') watch.stop();
  });
  api.update('prowjobs', 'prow', 'pj-other', { status: { state: 'pending' } });
  api.update('prowjobs', 'prow', 'pj-1', { status: { state: 'success', completionTime: '2026-03-28T10:05:00Z' } });
  expect(await watch.ended).toBe('stopped');
  expect(seen.map((e) => [e.type, e.prowJob.metadata.name, e.prowJob.status.state])).toEqual([
    ['MODIFIED', 'pj-1', 'pending'],
    ['MODIFIED', 'pj-1', 'success'],
  ]);
  api.compact();
  const stale = client.watch('pj-1', created.metadata.resourceVersion, () => undefined);
  expect(await stale.ended).toBe('gone');
  let added: () => void = () => undefined;
  const connected = new Promise<void>((r) => (added = r));
  const current = client.watch('pj-1', undefined, (e) => e.type === 'ADDED' && added());
  await connected;
  api.closeWatches();
  expect(await current.ended).toBe('closed');
});

it('reuses one kept-alive connection for its calls', async () => {
  await client.create(job());
  const before = api.connections;
  for (let i = 0; i < 5; i++) await client.get('pj-1');
  await client.list({ limit: 1 });
  expect(api.connections - before).toBeLessThanOrEqual(1);
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
