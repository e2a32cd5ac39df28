// The in-repo fake API server (libs/kube testing) against the real kube-apiserver: one script of ProwJob
// requests (label selectors, limit/continue, exact resourceVersion lists, merge and JSON patches with
// resourceVersion preconditions, watches from a resourceVersion, errors) runs on both, and the transcripts of
// what each answered must be the same. Unit tests trust the fake because of this suite.
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { createNamespace, sharedKubeEnv } from '@ci-stack/kube-env';
import { startFakeKubeApi, type FakeKubeApi } from '@ci-stack/kube/testing';

interface Target {
  base: string;
  token?: string;
}
interface Reply {
  status: number;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- objects, lists and Status bodies
}

function send(target: Target, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Reply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const url = new URL(target.base + path);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method, rejectUnauthorized: false, headers: { ...(target.token ? { authorization: `Bearer ${target.token}` } : {}), ...(payload ? { 'content-type': contentType } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Reply['body']) : {} }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The first `count` events of a watch (or fewer if it ends or `ms` pass), as [type, name, state] or [ERROR, code]. */
function watchEvents(target: Target, path: string, count: number, ms = 5000): Promise<unknown[]> {
  const url = new URL(target.base + path);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const events: unknown[] = [];
    let buffer = '';
    const req = lib.request(url, { rejectUnauthorized: false, headers: target.token ? { authorization: `Bearer ${target.token}` } : {} }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buffer += d;
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines.filter(Boolean)) {
          const e = JSON.parse(line) as { type: string; object: { code?: number; metadata?: { name: string }; status?: { state: string } } };
          events.push(e.type === 'ERROR' ? ['ERROR', e.object.code] : [e.type, e.object.metadata?.name, e.object.status?.state]);
        }
        if (events.length >= count) finish();
      });
      res.on('end', finish);
    });
    const timer = setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(timer);
      req.destroy();
      resolve(events.slice(0, count));
    }
    req.on('error', (err) => (events.length >= count ? undefined : reject(err)));
    req.end();
  });
}

/** The script: each step's answer reduced to what must match (statuses, reasons, names, order, presence of tokens). */
async function transcript(target: Target, ns: string): Promise<Array<[string, unknown]>> {
  const out: Array<[string, unknown]> = [];
  const base = `/apis/prow.k8s.io/v1/namespaces/${ns}/prowjobs`;
  const names = (r: Reply): string[] => (r.body.items ?? []).map((i: { metadata: { name: string } }) => i.metadata.name);
  const status = (r: Reply): unknown[] => [r.status, r.body.kind === 'Status' ? r.body.reason : undefined];
  const pj = (name: string, labels: Record<string, string>) => ({
    apiVersion: 'prow.k8s.io/v1',
    kind: 'ProwJob',
    metadata: { name, labels },
    spec: { type: 'periodic', agent: 'kubernetes', job: 'fidelity', pod_spec: { containers: [{ name: 'test', image: 'busybox' }] } },
    status: { state: 'triggered', startTime: '2026-03-28T10:00:00Z' },
  });
  for (const [i, n] of ['c', 'a', 'e', 'b', 'd'].entries()) {
    out.push([`create fid-${n}`, status(await send(target, 'POST', base, pj(`fid-${n}`, { grp: 'ace'.includes(n) ? 'odd' : 'even', n: String(i + 1) })))]);
  }
  out.push(['create a duplicate', status(await send(target, 'POST', base, pj('fid-a', {})))]);
  out.push(['get a missing one', status(await send(target, 'GET', `${base}/fid-x`))]);

  let page = await send(target, 'GET', `${base}?limit=2`);
  out.push(['page 1 of 3', [names(page), Boolean(page.body.metadata.continue), page.body.metadata.remainingItemCount]]);
  page = await send(target, 'GET', `${base}?limit=2&continue=${page.body.metadata.continue}`);
  out.push(['page 2 of 3', [names(page), Boolean(page.body.metadata.continue), page.body.metadata.remainingItemCount]]);
  page = await send(target, 'GET', `${base}?limit=2&continue=${page.body.metadata.continue}`);
  out.push(['page 3 of 3', [names(page), Boolean(page.body.metadata.continue), page.body.metadata.remainingItemCount]]);
  page = await send(target, 'GET', `${base}?limit=1&labelSelector=${encodeURIComponent('grp=even')}`);
  out.push(['selected page 1', [names(page), Boolean(page.body.metadata.continue), page.body.metadata.remainingItemCount]]);
  page = await send(target, 'GET', `${base}?limit=1&labelSelector=${encodeURIComponent('grp=even')}&continue=${page.body.metadata.continue}`);
  out.push(['selected page 2', [names(page), Boolean(page.body.metadata.continue)]]);

  for (const selector of ['grp=odd', 'grp==odd', 'grp!=odd', 'grp in (odd,even)', 'grp notin (odd)', '!grp', 'grp', 'n>2', 'n<3,grp=odd', 'missing!=x']) {
    out.push([`select ${selector}`, names(await send(target, 'GET', `${base}?labelSelector=${encodeURIComponent(selector)}`))]);
  }
  for (const [what, query] of [
    ['a selector that does not parse', `labelSelector=${encodeURIComponent('grp in (a b)')}`],
    ['a continue that is not one', 'limit=1&continue=not-a-token'],
    ['continue with resourceVersion', `limit=1&continue=${(await send(target, 'GET', `${base}?limit=1`)).body.metadata.continue}&resourceVersion=5`],
    ['resourceVersionMatch without resourceVersion', 'resourceVersionMatch=Exact'],
  ]) {
    out.push([what, status(await send(target, 'GET', `${base}?${query}`))]);
  }

  const before = (await send(target, 'GET', base)).body.metadata.resourceVersion as string;
  out.push(['delete fid-e', status(await send(target, 'DELETE', `${base}/fid-e`))]);
  out.push(['list at the old resourceVersion', names(await send(target, 'GET', `${base}?resourceVersion=${before}&resourceVersionMatch=Exact`))]);
  out.push(['list now', names(await send(target, 'GET', base))]);

  const current = (await send(target, 'GET', `${base}/fid-a`)).body;
  const rv = current.metadata.resourceVersion as string;
  const merge = (body: unknown): Promise<Reply> => send(target, 'PATCH', `${base}/fid-a`, body, 'application/merge-patch+json');
  const json = (body: unknown): Promise<Reply> => send(target, 'PATCH', `${base}/fid-a`, body, 'application/json-patch+json');
  const ok = await merge({ metadata: { resourceVersion: rv }, status: { state: 'pending' } });
  out.push(['merge patch at the current resourceVersion', [ok.status, ok.body.status?.state, ok.body.spec?.job]]);
  out.push(['merge patch at a stale resourceVersion', status(await merge({ metadata: { resourceVersion: rv }, status: { state: 'aborted' } }))]);
  out.push(['JSON patch at a stale resourceVersion', status(await json([{ op: 'replace', path: '/metadata/resourceVersion', value: rv }, { op: 'replace', path: '/status/state', value: 'aborted' }]))]);
  out.push(['JSON patch whose test fails', status(await json([{ op: 'test', path: '/status/state', value: 'success' }]))]);
  const added = await json([{ op: 'add', path: '/metadata/annotations', value: { why: 'fidelity' } }]);
  out.push(['JSON patch that applies', [added.status, added.body.metadata?.annotations]]);
  out.push(['strategic merge patch on a custom resource', status(await send(target, 'PATCH', `${base}/fid-a`, { status: {} }, 'application/strategic-merge-patch+json'))]);
  out.push(['patch a missing object', status(await send(target, 'PATCH', `${base}/fid-x`, { status: {} }, 'application/merge-patch+json'))]);

  out.push(['merge patch without a resourceVersion', status(await send(target, 'PATCH', `${base}/fid-b`, { status: { state: 'pending' } }, 'application/merge-patch+json'))]);
  out.push(['success without a completion time (the CRD refuses it)', status(await send(target, 'PATCH', `${base}/fid-a`, { status: { state: 'success' } }, 'application/merge-patch+json'))]);
  const done = await send(target, 'PATCH', `${base}/fid-a`, { status: { state: 'success', completionTime: '2026-03-28T10:05:00Z' } }, 'application/merge-patch+json');
  out.push(['success with a completion time', [done.status, done.body.status?.state]]);
  out.push(['a container without a name', status(await send(target, 'POST', base, { ...pj('fid-y', {}), spec: { type: 'periodic', job: 'x', pod_spec: { containers: [{ image: 'busybox' }] } } }))]);
  out.push(['watch one name from a resourceVersion', await watchEvents(target, `${base}?watch=true&resourceVersion=${rv}&fieldSelector=${encodeURIComponent('metadata.name=fid-a')}`, 3, 6000)]);
  out.push(['watch a selector from a resourceVersion', await watchEvents(target, `${base}?watch=true&resourceVersion=${rv}&labelSelector=grp%3Deven`, 2, 2000)]);
  out.push(['watch from now, one name', await watchEvents(target, `${base}?watch=true&fieldSelector=${encodeURIComponent('metadata.name=fid-c')}`, 1, 2000)]);
  return out;
}

describe('the fake API server answers like the real one', () => {
  const env = sharedKubeEnv();
  let fake: FakeKubeApi;
  beforeAll(async () => {
    fake = await startFakeKubeApi();
  });
  afterAll(async () => fake?.close());

  it('for the same script of ProwJob requests', async () => {
    const ns = `fidelity-${randomBytes(3).toString('hex')}`;
    await createNamespace(env.kubeConfig, ns);
    const real = await transcript({ base: env.server, token: env.adminToken }, ns);
    const ours = await transcript({ base: fake.url }, ns);
    expect(ours).toEqual(real);
  });
});
