// Every parameter of every route (taken from the route table through its OpenAPI document) gets long pathological
// strings: each answer must be a 4xx or a normal answer, and take at most 50 ms of CPU time. The time is the
// process's CPU time for the request (process.cpuUsage, client and server together), so busy neighbours do not
// count; a request over the budget is measured twice more and the cheapest kept, so one garbage collection does
// not fail the run while a slow parser, which is slow every time, does.
import type { Server } from 'node:http';
import { cheapestOf, hostileTargets, hostileValues, roomyServer, sendHostile, warmUp, type Baseline, type HostileTarget } from '@ci-stack/http-contract/testing';
import { manualTriggerDocument } from '@ci-stack/manual-trigger-api';
import { listen } from '@ci-stack/service-kit';
import { kubeApp, tokenFile } from './test-helpers';

const BUDGET_MS = 50;
// Wall time per route grows with the machine's load (the CPU time measured does not): room for a busy machine.
jest.setTimeout(60_000);
const TOKEN = 'hostile-input-token-0123456789';

/** Valid parameters for the routes whose checks come before the interesting part. */
const BASELINES: Record<string, Baseline['params']> = {
  trigger: { org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32', dry_run: true },
  abortMatching: { job: 'sddz-e2e-k8s-1.32', dry_run: true },
  prowjob: { wait: 'complete' },
};

const targets = hostileTargets(manualTriggerDocument());
const describeTarget = (t: HostileTarget): string => `${t.method} ${t.template} ${t.location} ${t.name}`;
const baselineOf = (t: HostileTarget): Baseline => ({ params: BASELINES[t.operationId.replace(/Post$/, '')], headers: { Authorization: `Bearer ${TOKEN}` } });

let env: Awaited<ReturnType<typeof kubeApp>>;
let tokens: Awaited<ReturnType<typeof tokenFile>>;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  tokens = await tokenFile(`tokens:\n  - identity: prober\n    token: ${TOKEN}\n    allow: [{verbs: [trigger, read, abort, rerun]}]\n`);
  env = await kubeApp({ auth: tokens.auth, buildIdTimeoutMs: 0 });
  server = roomyServer(env.express);
  await listen(server, 0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  await warmUp(baseUrl, targets, baselineOf);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await env.close();
  await tokens.close();
});

it('covers every parameter of every route, the headers every request may carry included', () => {
  const described = targets.map(describeTarget);
  expect(described).toEqual(
    expect.arrayContaining([
      'GET /prowjobs query since',
      'POST /prowjobs/abort body older_than',
      'POST /manual-trigger body base_ref',
      'POST /manual-trigger body env',
      'POST /manual-trigger header Idempotency-Key',
      'GET /prowjobs/{name}/events header Last-Event-ID',
      'GET /prowjobs query continue',
      'POST /prowjobs/{name}/rerun path name',
      'POST /manual-trigger header Authorization',
      'GET /jobs header Accept',
    ]),
  );
});

it.each(targets.map((t) => [describeTarget(t), t] as const))('%s: every hostile value is answered with a 4xx or a normal answer within 50 ms of CPU time', async (_name, target) => {
  const baseline = baselineOf(target);
  for (const { label, value } of hostileValues(target.location)) {
    const answer = await cheapestOf(3, BUDGET_MS, () => sendHostile(baseUrl, target, value, baseline));
    // Thrown at the first miss: a slow pattern must not run on the longer values after it.
    if (answer.status >= 500 || answer.cpuMs > BUDGET_MS) {
      throw new Error(`${label}: ${answer.status} after ${answer.tries.map((ms) => ms.toFixed(1)).join(', ')} ms of CPU time: ${answer.body.slice(0, 200)}`);
    }
  }
});
