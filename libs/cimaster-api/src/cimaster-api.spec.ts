import { openApiProblems } from '@ci-stack/http-contract/testing';
import { cimasterDocument } from './document';
import { readCallParams } from './params';
import { cimasterRoutes } from './routes';

const read = (id: keyof typeof cimasterRoutes & ('addcluster' | 'getvacant' | 'holdcluster' | 'clusters'), query: Record<string, unknown>, body?: unknown) => {
  try {
    return { ok: readCallParams(cimasterRoutes[id].params, query, body) };
  } catch (err) {
    return { error: (err as Error).message, details: (err as { details?: unknown }).details };
  }
};

describe('parameters', () => {
  const label = "must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)";
  it.each([
    ['cluster-01', undefined],
    ['Bad_Name', `cluster "Bad_Name" ${label}`],
    ['-x', `cluster "-x" ${label}`],
    ['a'.repeat(64), 'cluster must be at most 63 characters, got 64'],
    ['A'.repeat(64), 'cluster must be at most 63 characters, got 64'],
  ])('cluster %s', (cluster, problem) => {
    const got = read('addcluster', { cluster, region: 'r' });
    expect(got).toEqual(problem === undefined ? { ok: { cluster, region: 'r' } } : { error: problem, details: undefined });
  });

  it('reads text as a query string carries it: empty is absent, JSON numbers are their text, the body wins', () => {
    expect(read('holdcluster', { cluster: 'c1', hours: '' }, { hours: 2, user: 'ann' })).toEqual({ ok: { cluster: 'c1', hours: 2, user: 'ann' } });
    expect(read('getvacant', { build: 1, job: 'e2e', wait: '10m' })).toEqual({ ok: { build: '1', job: 'e2e', wait: 600_000 } });
    expect(read('getvacant', { build: '1', job: 'e2e', wait: '600' })).toEqual({ ok: { build: '1', job: 'e2e', wait: 600_000 } });
  });

  it('reports every problem at once, unknown parameters first', () => {
    expect(read('getvacant', { job: ['a', 'b'], color: 'red', size: '1', wait: 'soon' })).toEqual({
      error: 'unknown parameters color, size; this call takes build, job, region, wait, labels; missing parameter build; parameter job must be given once, as text; wait must be a duration like 600, 90s or 10m, got "soon"',
      details: {
        problems: [
          'unknown parameters color, size; this call takes build, job, region, wait, labels',
          'missing parameter build',
          'parameter job must be given once, as text',
          'wait must be a duration like 600, 90s or 10m, got "soon"',
        ],
      },
    });
    expect(read('holdcluster', { cluster: 'c1', hours: '0' }).error).toBe('hours must be a positive number of hours, got "0"');
    expect(read('holdcluster', { cluster: 'c1', hours: '1e3' }).error).toBe('hours must be a positive number of hours, got "1e3"');
    expect(read('addcluster', { cluster: 'c1', region: 'r', name: 'x'.repeat(129) }).error).toBe('name must be 1 to 128 printable characters');
    expect(read('clusters', { toString: 'x' }).error).toBe('unknown parameter toString; this call takes none');
  });

  it('hints at "®ion=" pasted from a web page', () => {
    expect(read('addcluster', { cluster: 'c1\u00aeion=us-west' }).error).toBe(
      'cluster "c1®ion=us-west" must be a DNS-1123 label (lowercase letters, digits and \'-\', starting and ending with a letter or digit); it contains "®": write "&" before the next parameter (e.g. &region=), not the character ®; missing parameter region',
    );
  });
});

describe('the document', () => {
  const doc = cimasterDocument();

  it('is valid OpenAPI 3.1', () => {
    expect(openApiProblems(doc)).toEqual([]);
  });

  it('describes the original calls as GET and POST, with text and JSON answers and every error code', () => {
    const get = doc.paths['/getvacant'].get;
    expect(get.parameters?.map((p) => [p.name, p.in, p.required])).toEqual([
      ['build', 'query', true],
      ['job', 'query', true],
      ['region', 'query', false],
      ['wait', 'query', false],
      ['labels', 'query', false],
    ]);
    expect(Object.keys(get.responses['200'].content ?? {})).toEqual(['text/plain', 'application/json']);
    expect(get.responses['503'].headers).toHaveProperty('Retry-After');
    expect(JSON.stringify(get.responses['503'].content?.['application/json'].schema)).toContain('NO_VACANT_CLUSTER');
    expect(doc.paths['/getvacant'].post.requestBody).toBeDefined();
    expect(JSON.stringify(doc.paths['/addcluster'].get.responses['409'])).toContain('CLUSTER_EXISTS');
    expect(doc.paths['/addcluster'].get.responses['403']).toBeDefined();
    expect(doc.paths['/createcluster'].get.responses['502']).toBeDefined();
  });

  it('gives every route but the static ones an answer for a bug', () => {
    // The console's files come from memory, and the event stream answers 200 at once (a failed read is retried, never sent).
    const isStatic = (path: string): boolean => ['/', '/healthz', '/readyz', '/openapi.json', '/client.sh', '/pool/events'].includes(path) || path === '/ui' || path.startsWith('/ui/');
    const missing = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).filter(([, op]) => !op.responses['500'] && !isStatic(path)).map(([m]) => `${m} ${path}`));
    expect(missing).toEqual([]);
  });
});
