// `jobs ls|abort|rerun|follow` against a stand-in for manual-trigger's list, event, abort and rerun routes whose
// every answer is checked against those routes' contract (the service does not serve them yet).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import express from 'express';
import { buildOpenApi } from '@ci-stack/http-contract';
import { contractRecorder } from '@ci-stack/http-contract/testing';
import { prowJobOpsRoutes, unknownRoute, type ProwJobSummary } from '@ci-stack/manual-trigger-api';

jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '..', '..', '..');
let dir: string;
let CLI: string;
const contract = contractRecorder(buildOpenApi({ info: { title: 'manual-trigger operations', version: '0', description: '' }, routes: prowJobOpsRoutes, unknownRoute }));
afterEach(() => contract.verify());

const summary = (over: Partial<ProwJobSummary>): ProwJobSummary => ({
  job_name: 'pj-1',
  job: 'e2e',
  type: 'postsubmit',
  state: 'pending',
  build_id: '42',
  description: null,
  status_link: null,
  log_link: null,
  url: null,
  namespace: 'prow',
  start_time: '2026-03-28T10:00:00Z',
  pending_time: null,
  completion_time: null,
  pod_name: null,
  refs: { org: 'tess', repo: 'tessops' },
  triggered_by: 'ops',
  rerun_of: null,
  ended: false,
  ...over,
});

const seen: Array<{ method: string; url: string; body: unknown; headers: http.IncomingHttpHeaders }> = [];
let server: http.Server;
let url: string;
let streams = 0;

beforeAll(async () => {
  // Its own copy of the bundle: the other CLI suite rebuilds dist/ while this one runs.
  dir = await mkdtemp(join(tmpdir(), 'ci-stack-ops-'));
  execFileSync(process.execPath, [join(ROOT, 'tools/scripts/build-app.mjs'), 'tools/cli', '--bin', `--outdir=${dir}`], { stdio: 'ignore' });
  CLI = join(dir, 'main.js');
  const app = express().use(express.json());
  app.use((req, _res, next) => {
    seen.push({ method: req.method, url: req.url, body: req.body, headers: req.headers });
    next();
  });
  app.get('/prowjobs', (req, res) => {
    const page = req.query.continue ? [summary({ job_name: 'pj-3', state: 'failure', ended: true })] : [summary({}), summary({ job_name: 'pj-2', state: 'success', ended: true })];
    res.json({ prowjobs: page, continue: req.query.continue ? null : 'tok-2' });
  });
  app.post('/prowjobs/abort', (req, res) => {
    res.json({ success: true, message: `Dry run: would abort 1 ProwJob, would skip 1`, dry_run: req.body.dry_run === true, aborted: [{ job_name: 'pj-1', job: 'e2e', type: 'postsubmit', state: 'pending' }], skipped: [{ job_name: 'pj-9', job: 'e2e', type: 'postsubmit', state: 'pending', code: 'FORBIDDEN', reason: 'ops may not abort e2e' }] });
  });
  app.post('/prowjobs/:name/abort', (req, res) => {
    res.json({ success: true, message: `ProwJob ${req.params.name} aborted`, job_name: req.params.name, state: 'aborted' });
  });
  app.post('/prowjobs/:name/rerun', (req, res) => {
    res.status(201).json({ success: true, message: 'ProwJob created successfully', job_name: 'pj-new', status_link: null, log_link: null, build_id: null, state: 'triggered', type: 'postsubmit', job: 'e2e', rerun_of: req.params.name, dropped_env: ['EXTRA', 'KUBECONFIG'] });
  });
  // The first connection breaks after one event; the second resumes from its id and sees the end.
  app.get('/prowjobs/:name/events', (req, res) => {
    streams++;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('retry: 100\n\n');
    if (!req.get('last-event-id')) {
      res.write(`id: 7\nevent: status\ndata: ${JSON.stringify(summary({ job_name: req.params.name }))}\n\n`);
      setTimeout(() => res.socket?.destroy(), 50);
      return;
    }
    res.end(`id: 9\nevent: status\ndata: ${JSON.stringify(summary({ job_name: req.params.name, state: 'success', ended: true, description: 'Job succeeded.' }))}\n\n`);
  });
  server = http.createServer(contract.wrap(app));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(CLI, args, { env: { PATH: process.env.PATH, HOME: '/nonexistent', MANUAL_TRIGGER_URL: url, MANUAL_TRIGGER_TOKEN: 'mt-token-0123456789' }, timeout: 30_000 }, (err, stdout, stderr) =>
      done({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

it('jobs ls sends the filters and pages with the continue token', async () => {
  const first = await cli(['jobs', 'ls', '--state', 'pending', '--org', 'tess', '--since', '24h', '--all', '--limit', '2']);
  expect(first.code).toBe(0);
  expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/prowjobs?state=pending&org=tess&since=24h&all=true&limit=2', headers: { authorization: 'Bearer mt-token-0123456789' } });
  expect(first.stdout).toMatch(/^NAME\s+JOB\s+TYPE\s+STATE\s+BUILD\s+STARTED\s+BY\npj-1\s+e2e\s+postsubmit\s+pending\s+42\s+2026-03-28T10:00:00Z\s+ops\npj-2 /);
  expect(first.stdout).toContain('\nmore: ci-stack jobs ls --continue tok-2\n');
  const next = JSON.parse((await cli(['-o', 'json', 'jobs', 'ls', '--continue', 'tok-2'])).stdout);
  expect(next).toMatchObject({ prowjobs: [{ job_name: 'pj-3' }], continue: null });
});

it('jobs abort: one ProwJob with a reason, or every match of the filters with a dry run first', async () => {
  expect(await cli(['jobs', 'abort', 'pj-1', '--reason', 'stuck'])).toMatchObject({ code: 0, stdout: 'ProwJob pj-1 aborted\n' });
  expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/prowjobs/pj-1/abort', body: { reason: 'stuck' } });
  const bulk = await cli(['jobs', 'abort', '--job', 'e2e', '--older-than', '2h', '--dry-run']);
  expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/prowjobs/abort', body: { job: 'e2e', older_than: '2h', dry_run: true } });
  expect(bulk.stdout).toMatch(/^Dry run: would abort 1 ProwJob, would skip 1\n\nwould abort:\nNAME\s+JOB\s+STATE\npj-1\s+e2e\s+pending\n\nskipped:\nNAME\s+JOB\s+WHY\npj-9\s+e2e\s+ops may not abort e2e\n$/);
});

it('jobs rerun passes the mode and the Idempotency-Key, and shows the env overrides it dropped', async () => {
  const run = await cli(['jobs', 'rerun', 'pj-1', '--mode', 'latest', '--idempotency-key', 'again-1']);
  expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ProwJob created successfully\nprowjob: +pj-new\n/) });
  expect(run.stdout).toMatch(/\ndropped env: +EXTRA, KUBECONFIG \(no longer allowed\)\n/);
  expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/prowjobs/pj-1/rerun', body: { mode: 'latest' }, headers: { 'idempotency-key': 'again-1' } });
});

it('jobs follow reads the event stream, resumes after a broken connection with Last-Event-ID, and exits 0 on success', async () => {
  streams = 0;
  const run = await cli(['jobs', 'follow', 'pj-5']);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toBe('pj-5  pending  build 42\npj-5  success  build 42  Job succeeded.\n');
  expect(streams).toBe(2);
  expect(seen.filter((s) => s.url === '/prowjobs/pj-5/events').map((s) => s.headers['last-event-id'])).toEqual([undefined, '7']);
});
