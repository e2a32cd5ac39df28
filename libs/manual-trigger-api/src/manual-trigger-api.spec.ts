import { openApiProblems } from '@ci-stack/http-contract/testing';
import { manualTriggerDocument } from './document';
import { prowJobOpsRoutes } from './prowjob-ops';
import { isTimeOrDuration } from './params';
import { parseTriggerParams } from './trigger-request';

describe('trigger parameters', () => {
  const post = { org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'job-a' };

  it('reads a JSON body, a form or the query string, trimming text and taking repeated env=NAME=value', () => {
    expect(parseTriggerParams({ env: ['A=1', 'B=x=y'] }, { ...post, org: ' tess ', pullrequest: ' 12 ' })).toEqual({
      ok: true,
      request: { org: 'tess', repo: 'tessops', baseRef: 'master', type: 'postsubmit', job: 'job-a', pullRequest: 12, env: { A: '1', B: 'x=y' }, dryRun: false },
    });
    expect(parseTriggerParams({ dry_run: 'true' }, post)).toMatchObject({ ok: true, request: { dryRun: true } });
    expect(parseTriggerParams({}, { ...post, dry_run: true })).toMatchObject({ ok: true, request: { dryRun: true } });
    expect(parseTriggerParams({}, { ...post, dry_run: 'yes' })).toEqual({ ok: false, problems: [`'dry_run' must be true or false, got "yes"`] });
    expect(parseTriggerParams({}, { prowtype: 'periodic', prowjob: 'nightly', org: null, repo: '' })).toMatchObject({ ok: true, request: { type: 'periodic', job: 'nightly', org: '', env: {} } });
  });

  it('reports every problem, in the order and words of the original service', () => {
    const got = parseTriggerParams({}, { org: 5, prowtype: 'nightly', pullrequest: 'x', base_sha: 'zz', env: { '1A': 'v', B: 3 } });
    expect(got).toEqual({
      ok: false,
      problems: [
        "'org' must be a string, got number",
        "Invalid prowtype 'nightly': must be one of presubmit, postsubmit, periodic",
        'Missing required parameters: repo, base_ref, prowjob',
        `'pullrequest' must be a positive integer, got "x"`,
        "'base_sha' must be a git commit SHA (7 to 64 hex digits)",
        'env name "1A" is not a valid variable name',
        'env B must be a string value',
      ],
    });
    expect(parseTriggerParams({}, { ...post, prowtype: 'presubmit', pullrequest: 0 })).toEqual({ ok: false, problems: ["'pullrequest' must be a positive integer, got 0"] });
    expect(parseTriggerParams({}, { ...post, prowtype: 'presubmit' })).toEqual({ ok: false, problems: ["Pull request number is required for presubmit jobs. Please provide 'pullrequest' parameter."] });
  });

  it("takes a base_ref of up to 255 bytes, Git's limit, and says how long a longer one is", () => {
    expect(parseTriggerParams({}, { ...post, base_ref: 'r'.repeat(255) })).toMatchObject({ ok: true });
    expect(parseTriggerParams({}, { ...post, base_ref: 'r'.repeat(256) })).toEqual({ ok: false, problems: ["'base_ref' is 256 bytes long, more than Git's 255 for a branch name"] });
    expect(parseTriggerParams({}, { ...post, base_ref: 'é'.repeat(128) })).toEqual({ ok: false, problems: ["'base_ref' is 256 bytes long, more than Git's 255 for a branch name"] });
    expect(parseTriggerParams({}, { ...post, base_ref: 'r'.repeat(100_000) })).toMatchObject({ ok: false });
  });
});

describe('the document', () => {
  const doc = manualTriggerDocument();

  it('is valid OpenAPI 3.1', () => {
    expect(openApiProblems(doc)).toEqual([]);
  });

  it('describes the trigger body, its conditional requirements, the Idempotency-Key and every error code', () => {
    const op = doc.paths['/manual-trigger'].post;
    const body = (op.requestBody as { content: Record<string, { schema: Record<string, unknown> }> }).content['application/json'].schema;
    expect(Object.keys(body.properties as object)).toEqual(['org', 'repo', 'base_ref', 'prowtype', 'prowjob', 'pullrequest', 'user', 'base_sha', 'pull_sha', 'env', 'dry_run']);
    expect((body.properties as Record<string, unknown>).prowtype).toMatchObject({ type: 'string', enum: ['presubmit', 'postsubmit', 'periodic'], maxLength: 256 });
    expect((body.properties as Record<string, unknown>).base_ref).toMatchObject({ type: 'string', maxLength: 255 });
    expect(JSON.stringify(body.allOf)).toContain('"then":{"required":["pullrequest"]}');
    expect(op.parameters).toEqual([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false })]);
    expect(Object.keys(op.responses)).toEqual(['200', '201', '400', '401', '403', '404', '413', '415', '500', '503']);
    expect(JSON.stringify(op.responses['404'])).toContain('JOB_NOT_FOUND');
    expect(op.responses['401'].headers).toHaveProperty('WWW-Authenticate');
  });
});

describe('the list, follow, abort and rerun routes', () => {
  const doc = manualTriggerDocument();

  it('are in the document with every answer, errors included', () => {
    const status = (path: string, method: string) => Object.keys(doc.paths[path][method].responses);
    expect(status('/prowjobs', 'get')).toEqual(['200', '400', '401', '403', '410', '413', '415', '500', '503']);
    expect(status('/prowjobs/{name}/events', 'get')).toEqual(['200', '204', '400', '401', '403', '404', '413', '415', '500', '503']);
    expect(status('/prowjobs/{name}/abort', 'post')).toContain('409');
    expect(status('/prowjobs/{name}/rerun', 'post')).toEqual(['200', '201', '400', '401', '403', '404', '413', '415', '500', '503']);
    expect(JSON.stringify(doc.paths['/prowjobs'].get.responses['410'])).toContain('CONTINUE_EXPIRED');
    expect(JSON.stringify(doc.paths['/prowjobs/{name}'].get.parameters)).toContain('"wait"');
  });

  it('check parameters with messages that say what to fix', () => {
    const problems = (schema: { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } }, input: unknown) => schema.safeParse(input).error?.issues.map((i) => i.message) ?? [];
    expect(problems(prowJobOpsRoutes.list.params, { limit: '0', since: 'yesterday', state: 'done' })).toEqual([
      "unknown state 'done': must be one of scheduling, triggered, pending, success, failure, aborted, error",
      `'since' must be an RFC 3339 time (2026-03-28T10:00:00Z) or a duration back from now (24h, 90m), got "yesterday"`,
      'limit must be an integer from 1 to 500, got "0"',
    ]);
    expect(prowJobOpsRoutes.list.params.parse({ limit: '20', since: '2026-03-28T10:00:00Z', all: 'true' })).toMatchObject({ limit: 20, since: '2026-03-28T10:00:00Z', all: true });
    expect(problems(prowJobOpsRoutes.abortMatching.params, { older_than: '90 minutes', dry_run: 'perhaps' })).toEqual([
      `'older_than' must be an RFC 3339 time (2026-03-28T10:00:00Z) or a duration back from now (24h, 90m), got "90 minutes"`,
      `'dry_run' must be true or false, got "perhaps"`,
    ]);
    expect(problems(prowJobOpsRoutes.rerun.params, { mode: 'newest' })).toEqual(["unknown mode 'newest': must be one of original, latest"]);
  });
});

describe('points in time (since, older_than)', () => {
  // The pattern the parameter used to be checked with: the reference for what it accepts (short inputs only: it
  // backtracks exponentially on a long run of digits that does not match).
  const OLD = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d)?)+$/;
  const ALPHABET = ['1', '2', '.', 'n', 'u', 'µ', 'm', 's', 'h', 'd', 'x'];
  const documented = new RegExp((manualTriggerDocument().paths['/prowjobs'].get.parameters as Array<{ name: string; schema: { pattern: string } }>).find((p) => p.name === 'since')!.schema.pattern, 'u');

  function* strings(maxLength: number): Generator<string> {
    let layer = [''];
    for (let n = 1; n <= maxLength; n++) {
      layer = layer.flatMap((prefix) => ALPHABET.map((c) => prefix + c));
      yield* layer;
    }
  }

  it('accept exactly the durations the old pattern accepted, in the check and in the document (every string of up to 5 characters)', () => {
    const mismatches: string[] = [];
    for (const text of strings(5)) {
      if (isTimeOrDuration(text) !== OLD.test(text)) mismatches.push(`check ${JSON.stringify(text)}`);
      if (documented.test(text) !== OLD.test(text)) mismatches.push(`document ${JSON.stringify(text)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it.each(['24h', '90m', '1h30m', '1.5h', '1.23.4', '7d12h', '10', '2026-03-28T10:00:00Z', '2026-03-28T10:00:00.5+02:00'])('accept %j', (text) => {
    expect(isTimeOrDuration(text)).toBe(true);
    expect(documented.test(text)).toBe(true);
  });

  it.each(['', 'h', '1.', '.5h', '1.2.3', '1n', '1hs', '1 h', '2026-13-45T10:00:00Z', '1'.repeat(100_000) + 'x', '1.1'.repeat(30_000) + '.'])('refuse %#', (text) => {
    expect(isTimeOrDuration(text)).toBe(false);
  });
});
