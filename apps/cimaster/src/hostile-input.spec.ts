// Every parameter of every route (taken from the route table through its OpenAPI document) gets long pathological
// strings: each answer must be a 4xx or a normal answer (a 503 with Retry-After, no vacant cluster, is one), and
// take at most 50 ms of CPU time. The time is the process's CPU time for the request (process.cpuUsage, client and
// server together), so busy neighbours do not count; a request over the budget is measured twice more and the
// cheapest kept, so one garbage collection does not fail the run while a slow parser, which is slow every time, does.
import type { Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cimasterDocument } from '@ci-stack/cimaster-api';
import { cheapestOf, hostileTargets, hostileValues, roomyServer, sendHostile, warmUp, type Baseline, type HostileTarget } from '@ci-stack/http-contract/testing';
import { ClusterPool } from '@ci-stack/pool';
import { BatchingPoolStore, MemoryBackend } from '@ci-stack/pool-store';
import { listen } from '@ci-stack/service-kit';
import { FakeClock } from '@ci-stack/core/testing';
import { silentLogger } from '@ci-stack/service-kit/testing';
import { createApp } from './app';
import { TokenAuth } from './auth';
import { createMetrics } from './metrics';
import { PoolEventHub } from './pool-events';

const BUDGET_MS = 50;
// Wall time per route grows with the machine's load (the CPU time measured does not): room for a busy machine.
jest.setTimeout(60_000);
const HOUR = 3_600_000;
const TOKEN = 'hostile-input-admin-0123456789';

/** Valid parameters for the calls whose checks come before the interesting part. */
const BASELINES: Record<string, Baseline['params']> = {
  getvacant: { build: 'b1', job: 'j1' },
  finishtest: { cluster: 'c1' },
  heartbeat: { cluster: 'c1', build: 'b1' },
  holdcluster: { cluster: 'c1' },
  releasecluster: { cluster: 'c1' },
  addcluster: { cluster: 'c1', region: 'r1' },
  disablecluster: { cluster: 'c1' },
  enablecluster: { cluster: 'c1' },
  deletecluster: { cluster: 'c1' },
};

const targets = hostileTargets(cimasterDocument());
const describeTarget = (t: HostileTarget): string => `${t.method} ${t.template} ${t.location} ${t.name}`;
const baselineOf = (t: HostileTarget): Baseline => ({ params: BASELINES[t.operationId.replace(/Post$/, '')], headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'application/json' } });

let server: Server;
let baseUrl: string;
let dir: string;
let auth: TokenAuth;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-hostile-'));
  await writeFile(join(dir, 'auth.yaml'), `tokens:\n  - {identity: prober, role: admin, token: ${TOKEN}}\n`);
  auth = new TokenAuth(join(dir, 'auth.yaml'));
  await auth.start();
  const clock = new FakeClock(new Date('2026-06-01T00:00:00Z'));
  const store = new BatchingPoolStore(new MemoryBackend(), { clock });
  const pool = new ClusterPool({ store, clock, leaseMs: 4 * HOUR, holdMs: 6 * HOUR, maxHoldMs: 24 * HOUR, pollMs: 10 });
  const app = createApp({
    pool,
    metrics: createMetrics(() => store.read()),
    logger: silentLogger(),
    auth,
    maxWaitMs: HOUR,
    ready: async () => void (await store.read()),
    events: new PoolEventHub({ snapshot: () => store.read(), clock, logger: silentLogger() }),
    createCluster: async () => ({ success: true, message: 'ProwJob created successfully', job_name: 'pj-1', status_link: null, log_link: null, build_id: null, state: 'triggered', type: 'postsubmit', job: 'create' }),
  });
  server = roomyServer(app);
  await listen(server, 0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  await warmUp(baseUrl, targets, baselineOf);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  auth.close();
  await rm(dir, { recursive: true, force: true });
});

it('covers every parameter of every call, as query and as body, the headers every request may carry included', () => {
  expect(targets.map(describeTarget)).toEqual(
    expect.arrayContaining([
      'GET /getvacant query labels',
      'POST /getvacant body wait',
      'GET /holdcluster query hours',
      'POST /addcluster body labels',
      'GET /clusters/{name} path name',
      'GET /getvacant header Authorization',
      'POST /getvacant header Content-Type',
    ]),
  );
});

it.each(targets.map((t) => [describeTarget(t), t] as const))('%s: every hostile value is answered with a 4xx or a normal answer within 50 ms of CPU time', async (_name, target) => {
  const baseline = baselineOf(target);
  for (const { label, value } of hostileValues(target.location)) {
    const answer = await cheapestOf(3, BUDGET_MS, () => sendHostile(baseUrl, target, value, baseline));
    const noCapacity = answer.status === 503 && answer.retryAfter !== undefined;
    // Thrown at the first miss: a slow pattern must not run on the longer values after it.
    if ((answer.status >= 500 && !noCapacity) || answer.cpuMs > BUDGET_MS) {
      throw new Error(`${label}: ${answer.status} after ${answer.tries.map((ms) => ms.toFixed(1)).join(', ')} ms of CPU time: ${answer.body.slice(0, 200)}`);
    }
  }
});
