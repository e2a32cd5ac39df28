import { type FakeKubeApi, startFakeKubeApi } from '../testing';
import { LabelSelectorError, matchesRequirements, parseLabelSelector } from './label-selector';
import { PatchApplyError, jsonPatch } from './patches';

const BASE = '/apis/prow.k8s.io/v1/namespaces/prow/prowjobs';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', n: '7' };
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['app in (db, web)', true],
    ['app notin (db,web)', false],
    ['missing notin (a)', true],
    ['missing in (a)', false],
    ['app=web,tier=front', true],
    ['app=web,tier in (back)', false],
    ['n>5', true],
    ['n<5', false],
    ['', true],
  ])('%s → %s', (selector, expected) => {
    expect(matchesRequirements(labels, parseLabelSelector(selector))).toBe(expected);
  });

  it.each(['app=web web', 'app in (a b)', 'bad key=x', '=x', 'a,', 'x>y'])('rejects %s', (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(LabelSelectorError);
  });
});

describe('JSON patch', () => {
  it('applies all operations or none', () => {
    const doc = { a: { b: 1 }, list: [1, 2] };
    expect(jsonPatch(doc, [{ op: 'add', path: '/a/c', value: 2 }, { op: 'replace', path: '/list/0', value: 9 }, { op: 'remove', path: '/a/b' }, { op: 'add', path: '/list/-', value: 3 }])).toEqual({ a: { c: 2 }, list: [9, 2, 3] });
    expect(() => jsonPatch(doc, [{ op: 'add', path: '/x', value: 1 }, { op: 'test', path: '/a/b', value: 2 }])).toThrow(PatchApplyError);
    expect(doc).toEqual({ a: { b: 1 }, list: [1, 2] });
    expect(jsonPatch({ 'a/b': { '~': 1 } }, [{ op: 'copy', from: '/a~1b/~0', path: '/c' }])).toEqual({ 'a/b': { '~': 1 }, c: 1 });
  });
});

describe('the fake API server', () => {
  let api: FakeKubeApi;
  const call = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const res = await fetch(`${api.url}${path}`, { method, headers: { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- Status or object bodies
  };
  const pj = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'prow.k8s.io/v1', kind: 'ProwJob', metadata: { name, labels }, spec: { job: 'j', type: 'periodic' }, status: { state: 'triggered' } });

  beforeEach(async () => {
    api = await startFakeKubeApi();
    for (const name of ['pj-c', 'pj-a', 'pj-e', 'pj-b', 'pj-d']) await call('POST', BASE, pj(name, { odd: String('ace'.includes(name.slice(-1))) }));
  });
  afterEach(async () => api.close());

  it('pages in name order with a continue token that pins the snapshot', async () => {
    const first = await call('GET', `${BASE}?limit=2`);
    expect(first.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['pj-a', 'pj-b']);
    expect(first.body.metadata).toMatchObject({ remainingItemCount: 3, continue: expect.any(String) });
    await call('DELETE', `${BASE}/pj-c`);
    const second = await call('GET', `${BASE}?limit=2&continue=${first.body.metadata.continue}`);
    expect(second.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['pj-c', 'pj-d']);
    expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
    const last = await call('GET', `${BASE}?limit=2&continue=${second.body.metadata.continue}`);
    expect([last.body.items.length, last.body.metadata.continue]).toEqual([1, undefined]);
    expect((await call('GET', `${BASE}?labelSelector=odd%3Dtrue`)).body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['pj-a', 'pj-e']);
  });

  it('answers 400 for a malformed continue or selector, 410 once the snapshot is compacted', async () => {
    const first = await call('GET', `${BASE}?limit=2`);
    expect(await call('GET', `${BASE}?limit=2&continue=not*base64`)).toMatchObject({ status: 400, body: { reason: 'BadRequest', message: expect.stringContaining('invalid continue token') } });
    expect(await call('GET', `${BASE}?labelSelector=a%20b%3Dc`)).toMatchObject({ status: 400, body: { reason: 'BadRequest' } });
    const exact = `resourceVersion=${first.body.metadata.resourceVersion}&resourceVersionMatch=Exact`;
    await call('DELETE', `${BASE}/pj-a`);
    expect((await call('GET', `${BASE}?${exact}`)).body.items).toHaveLength(5);
    api.compact();
    expect(await call('GET', `${BASE}?limit=2&continue=${first.body.metadata.continue}`)).toMatchObject({ status: 410, body: { reason: 'Expired' } });
    expect(await call('GET', `${BASE}?${exact}`)).toMatchObject({ status: 410, body: { reason: 'Expired' } });
    expect(await call('GET', `${BASE}?resourceVersionMatch=Exact`)).toMatchObject({ status: 422, body: { reason: 'Invalid' } });
  });

  it('patches by merge or JSON patch, refusing a stale resourceVersion with 409', async () => {
    const current = (await call('GET', `${BASE}/pj-a`)).body;
    const rv = current.metadata.resourceVersion;
    const merged = await call('PATCH', `${BASE}/pj-a`, { metadata: { resourceVersion: rv }, status: { state: 'aborted' } }, 'application/merge-patch+json');
    expect(merged).toMatchObject({ status: 200, body: { status: { state: 'aborted' }, spec: { job: 'j' } } });
    expect(await call('PATCH', `${BASE}/pj-a`, { metadata: { resourceVersion: rv }, status: { state: 'success' } }, 'application/merge-patch+json')).toMatchObject({ status: 409, body: { reason: 'Conflict' } });
    const json = [{ op: 'replace', path: '/metadata/resourceVersion', value: rv }, { op: 'replace', path: '/status/state', value: 'success' }];
    expect((await call('PATCH', `${BASE}/pj-a`, json, 'application/json-patch+json')).status).toBe(409);
    expect(await call('PATCH', `${BASE}/pj-a`, [{ op: 'test', path: '/status/state', value: 'pending' }], 'application/json-patch+json')).toMatchObject({ status: 422, body: { reason: 'Invalid' } });
    expect((await call('PATCH', `${BASE}/pj-a`, { status: {} }, 'application/strategic-merge-patch+json')).status).toBe(415);
    expect((await call('PATCH', `${BASE}/nope`, {}, 'application/merge-patch+json')).status).toBe(404);
  });

  it('replays a watch from a resourceVersion, and ends it with 410 Expired once compacted', async () => {
    const from = api.resourceVersion;
    api.update('prowjobs', 'prow', 'pj-b', { status: { state: 'pending' } });
    const events = await readWatch(`${api.url}${BASE}?watch=true&resourceVersion=${from}&fieldSelector=metadata.name%3Dpj-b`, 1);
    expect(events).toEqual([{ type: 'MODIFIED', state: 'pending' }]);
    api.compact();
    api.update('prowjobs', 'prow', 'pj-b', { status: { state: 'success', completionTime: '2026-03-28T10:05:00Z' } });
    const expired = await readWatch(`${api.url}${BASE}?watch=true&resourceVersion=${from}`, 1);
    expect(expired).toEqual([{ type: 'ERROR', state: undefined, code: 410 }]);
  });
});

async function readWatch(url: string, count: number): Promise<Array<{ type: string; state?: string; code?: number }>> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  const reader = res.body!.getReader();
  let text = '';
  while (text.split('\n').filter(Boolean).length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString('utf8');
  }
  controller.abort();
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; object: { status?: { state: string }; code?: number } })
    .map((e) => (e.type === 'ERROR' ? { type: e.type, state: undefined, code: e.object.code } : { type: e.type, state: e.object.status?.state }));
}
