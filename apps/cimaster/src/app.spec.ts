import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { cimasterDocument, createCimasterClient } from '@ci-stack/cimaster-api';
import { ApiError } from '@ci-stack/http-contract';
import { contractRecorder, documentedRoutes, registeredRoutes } from '@ci-stack/http-contract/testing';
import { createManualTriggerClient, manualTriggerDocument } from '@ci-stack/manual-trigger-api';
import { ClusterPool, actors, type PoolStore } from '@ci-stack/pool';
import { BatchingPoolStore, FileBackend, MemoryBackend, type VersionedBackend } from '@ci-stack/pool-store';
import { listen, staticFile } from '@ci-stack/service-kit';
import { FakeClock, freePort } from '@ci-stack/core/testing';
import { silentLogger } from '@ci-stack/service-kit/testing';
import { createApp, type AppDeps } from './app';
import { TokenAuth } from './auth';
import { alwaysLeader } from './leadership';
import { createCluster } from './create-cluster';
import { createMetrics } from './metrics';
import { PoolEventHub } from './pool-events';
import { startSweeper } from './sweeper';

const HOUR = 3_600_000;

// Every answer these tests see is checked against the OpenAPI document.
const contract = contractRecorder(cimasterDocument());
afterEach(() => contract.verify());

function setup(opts: { auth?: TokenAuth; manualTriggerUrl?: string; backend?: VersionedBackend; wrap?: (store: PoolStore) => PoolStore; console?: AppDeps['console'] } = {}) {
  const clock = new FakeClock(new Date('2026-06-01T00:00:00Z'));
  const backend = opts.backend ?? new MemoryBackend();
  const inner = new BatchingPoolStore(backend, { clock });
  const store = opts.wrap ? opts.wrap(inner) : inner;
  // Waiting sleeps on real timers; the fake clock moves with them so wait deadlines pass.
  const sleep = async (ms: number) => {
    await new Promise((r) => setTimeout(r, ms));
    clock.advance(ms);
  };
  const pool = new ClusterPool({ store, clock, leaseMs: 4 * HOUR, holdMs: 6 * HOUR, maxHoldMs: 24 * HOUR, pollMs: 10, sleep });
  const metrics = createMetrics(() => store.read());
  const app = createApp({
    pool,
    metrics,
    logger: silentLogger(),
    auth: opts.auth,
    maxWaitMs: HOUR,
    ready: async () => void (await store.read()),
    console: opts.console,
    // No store notifications in these tests: the hub's re-read is the feed.
    events: new PoolEventHub({ snapshot: () => store.read(), clock, logger: silentLogger(), resyncMs: 50 }),
    createCluster: (req) => createCluster({ client: createManualTriggerClient({ baseUrl: opts.manualTriggerUrl ?? 'http://127.0.0.1:1', timeoutMs: 2000 }), org: 'tess', repo: 'tessops', job: 'sddz-e2e-k8s-1.32' }, req),
  });
  return { app: contract.wrap(app), express: app, pool, clock, metrics, store: inner, backend };
}

/** Token auth from a temporary file; `close` stops watching and removes it. */
async function tokenAuth(yaml: string): Promise<{ auth: TokenAuth; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cm-auth-'));
  await writeFile(join(dir, 'auth.yaml'), yaml);
  const auth = new TokenAuth(join(dir, 'auth.yaml'));
  await auth.start();
  return {
    auth,
    close: async () => {
      auth.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe('the original calls and replies (seed sections 4, 8 and 11)', () => {
  it('addcluster, getvacant, finishtest answer in plain text exactly as before', async () => {
    const { app } = setup();
    await request(app).get('/addcluster?cluster=new-cluster&region=us-west&name=admin').expect(200, 'cluster new-cluster is added successfully');
    await request(app).get('/addcluster?cluster=cluster-01&region=us-west&name=admin').expect(200, 'cluster cluster-01 is added successfully');
    const got = await request(app).get('/getvacant?build=123&job=e2e-test').expect(200);
    expect(got.headers['content-type']).toMatch(/^text\/plain/);
    expect(got.text).toBe('cluster-01'); // equally rested clusters go out in name order
    await request(app).get('/finishtest?cluster=cluster-01').expect(200, 'cluster cluster-01 is finished successfully');
  });

  it('hands out the least recently used cluster', async () => {
    const { app, clock } = setup();
    for (const c of ['a1', 'b1', 'c1']) await request(app).get(`/addcluster?cluster=${c}&region=r`);
    clock.advance(1000);
    expect((await request(app).get('/getvacant?build=1&job=j')).text).toBe('a1');
    clock.advance(1000);
    await request(app).get('/finishtest?cluster=a1');
    expect((await request(app).get('/getvacant?build=2&job=j')).text).toBe('b1');
    expect((await request(app).get('/getvacant?build=3&job=j')).text).toBe('c1');
    expect((await request(app).get('/getvacant?build=4&job=j')).text).toBe('a1');
  });

  it('answers JSON when asked, and POST works like GET', async () => {
    const { app } = setup();
    const added = await request(app).post('/addcluster').set('accept', 'application/json').send({ cluster: 'c1', region: 'eu' }).expect(200);
    expect(added.body).toMatchObject({ success: true, message: 'cluster c1 is added successfully', cluster: { name: 'c1', region: 'eu', state: 'finished', holder: null } });
    const got = await request(app).post('/getvacant').type('form').set('accept', 'application/json').send({ build: '9', job: 'e2e' }).expect(200);
    expect(got.body.cluster).toMatchObject({ name: 'c1', state: 'testing', holder: { build: '9', job: 'e2e' } });
    expect(got.body.cluster.lease_expires).toBe('2026-06-01T04:00:00.000Z');
  });
});

describe("requests from another site's page", () => {
  it('may read the pool and open the console, but not take, free or add a cluster (the original calls are GETs)', async () => {
    const { express, pool } = setup();
    await request(express).get('/addcluster?cluster=c1&region=r').expect(200);
    const taken = await request(express).get('/getvacant?build=1&job=e2e').set('Sec-Fetch-Site', 'cross-site').expect(403);
    expect(taken.text).toContain('GET /getvacant from another site');
    await request(express).get('/addcluster?cluster=c2&region=r').set('Origin', 'https://evil.example').expect(403);
    expect([...(await pool.snapshot()).clusters.values()].map((c) => [c.name, c.state])).toEqual([['c1', 'finished']]);
    await request(express).get('/clusters').set('Sec-Fetch-Site', 'cross-site').expect(200);
    await request(express).get('/clusters/c1').set('Sec-Fetch-Site', 'cross-site').expect(200);
    await request(express).get('/getvacant?build=1&job=e2e').set('Sec-Fetch-Site', 'same-origin').expect(200, 'c1');
  });
});

describe('transitions and errors', () => {
  it.each([
    ['/getvacant?job=e2e', 400, 'missing parameter build'],
    ['/getvacant?build=1&job=e2e&color=red', 400, 'unknown parameter color; this call takes build, job, region, wait'],
    ['/addcluster?cluster=Bad_Name&region=us-west', 400, 'cluster "Bad_Name" must be a DNS-1123 label'],
    ['/addcluster?cluster=ok&region=' + 'r'.repeat(64), 400, 'region must be at most 63 characters, got 64'],
    ['/finishtest?cluster=ghost', 404, 'cluster ghost not found'],
    ['/holdcluster?cluster=c1&hours=-1', 400, 'hours must be a positive number of hours, got "-1"'],
    ['/getvacant?build=1&job=e2e&wait=soon', 400, 'wait must be a duration like 600, 90s or 10m, got "soon"'],
    ['/nope', 404, 'no such call: GET /nope'],
    ['/addcluster?cluster=new-cluster%C2%AEion=us-west', 400, 'write "&" before the next parameter (e.g. &region=), not the character ®'],
    ['/clusters?state=testing', 400, 'unknown parameter state; this call takes none'],
    ['/clusters/Bad_Name', 400, 'cluster "Bad_Name" must be a DNS-1123 label'],
  ])('%s → %d', async (url, status, message) => {
    const { app } = setup();
    await request(app).get('/addcluster?cluster=c1&region=r');
    const res = await request(app).get(url).expect(status);
    expect(res.text).toContain(message);
  });

  it('refuses illegal transitions with 409 naming the state and holder', async () => {
    const { app } = setup();
    await request(app).get('/addcluster?cluster=c1&region=r');
    await request(app).get('/getvacant?build=77&job=e2e');
    const res = await request(app).get('/disablecluster?cluster=c1').expect(409);
    expect(res.text).toBe('cannot disable cluster c1: it is testing (held by build 77, job e2e since 2026-06-01T00:00:00.000Z); disable needs a cluster that is finished');
    const wrong = await request(app).get('/finishtest?cluster=c1&build=78').expect(409);
    expect(wrong.text).toContain('cluster c1 is not held by build 78');
  });

  it('one no-capacity status (503 with Retry-After) for every no-capacity case', async () => {
    const { app } = setup();
    const empty = await request(app).get('/getvacant?build=1&job=j').expect(503);
    expect(empty.headers['retry-after']).toBe('30');
    expect(empty.text).toBe('no vacant cluster: 0 free of 0, 0 waiting');
    await request(app).get('/addcluster?cluster=c1&region=west');
    await request(app).get('/getvacant?build=1&job=j&region=east').expect(503);
    await request(app).get('/getvacant?build=1&job=j').expect(200);
    await request(app).get('/getvacant?build=2&job=j&wait=50ms').expect(503);
  });

  it('holds, releases, disables, enables, deletes; history shows who held it and how it ended', async () => {
    const { app, clock } = setup();
    await request(app).get('/addcluster?cluster=c1&region=r');
    await request(app).get('/getvacant?build=5&job=e2e');
    clock.advance(10 * 60_000);
    await request(app).get('/holdcluster?cluster=c1&hours=2&user=fesu').expect(200, 'cluster c1 is held until 2026-06-01T02:10:00.000Z');
    await request(app).get('/releasecluster?cluster=c1').expect(200, 'cluster c1 is released successfully');
    await request(app).get('/disablecluster?cluster=c1&reason=flaky').expect(200);
    await request(app).get('/enablecluster?cluster=c1').expect(200);
    const detail = await request(app).get('/clusters/c1').expect(200);
    expect(detail.body.history.map((h: { ended: string }) => h.ended)).toEqual(['enabled', 'disabled', 'released', 'held']);
    expect(detail.body.history[3]).toMatchObject({ state: 'testing', build: '5', job: 'e2e', duration_seconds: 600 });
    await request(app).get('/deletecluster?cluster=c1').expect(200, 'cluster c1 is deleted successfully');
    await request(app).get('/clusters/c1').expect(404);
  });
});

describe('leases, holds and the queue', () => {
  it('expires an unheartbeated lease and a hold with the injected clock, recording each once', async () => {
    const { app, clock, pool, metrics } = setup();
    await request(app).get('/addcluster?cluster=c1&region=r');
    await request(app).get('/addcluster?cluster=c2&region=r');
    await request(app).get('/getvacant?build=1&job=j');
    await request(app).get('/getvacant?build=2&job=j');
    await request(app).get('/holdcluster?cluster=c2&hours=1');
    clock.advance(3 * HOUR);
    await request(app).get('/heartbeat?cluster=c1&build=1').expect(200);
    const sweeper = startSweeper({ pool, intervalMs: 60_000, metrics, logger: silentLogger(), leadership: alwaysLeader });
    await sweeper.stop();
    const state = (await request(app).get('/clusters')).body.clusters;
    expect(state.map((c: { name: string; state: string }) => [c.name, c.state])).toEqual([['c1', 'testing'], ['c2', 'finished']]);
    clock.advance(4 * HOUR);
    expect((await pool.sweep()).expired).toEqual([{ cluster: 'c1', kind: 'lease', build: '1', job: 'j' }]);
    expect(await metrics.registry.getSingleMetricAsString('cimaster_expirations_total')).toContain('cimaster_expirations_total{kind="hold"} 1');
  });

  it('serves waiters first come, first served', async () => {
    const { app } = setup();
    await request(app).get('/addcluster?cluster=c1&region=r');
    await request(app).get('/getvacant?build=0&job=j');
    const order: string[] = [];
    const queued = async (n: number): Promise<void> => {
      for (let i = 0; i < 500 && (await request(app).get('/queue')).body.queue.length < n; i++) await new Promise((r) => setImmediate(r));
    };
    const first = request(app).get('/getvacant?build=1&job=j&wait=60s').then((r) => order.push(`1:${r.status}`));
    await queued(1);
    const second = request(app).get('/getvacant?build=2&job=j&wait=60s').then((r) => order.push(`2:${r.status}`));
    await queued(2);
    const queue = await request(app).get('/queue');
    expect(queue.body.queue.map((t: { build: string; position: number }) => [t.position, t.build])).toEqual([[1, '1'], [2, '2']]);
    // One waiter's tickets keep their place in the whole queue.
    expect((await request(app).get('/queue?build=2&job=j').expect(200)).body.queue).toEqual([expect.objectContaining({ position: 2, build: '2', job: 'j' })]);
    expect((await request(app).get('/queue?build=2&job=other').expect(200)).body.queue).toEqual([]);
    expect((await request(app).get('/queue?colour=red').expect(400)).text).toBe('unknown parameter colour; this call takes build, job');
    await request(app).get('/getvacant?build=3&job=j').expect(503);
    await request(app).get('/finishtest?cluster=c1');
    await first; // the first waiter now tests on c1; its end hands c1 to the second
    await request(app).get('/finishtest?cluster=c1');
    await second;
    expect(order).toEqual(['1:200', '2:200']);
  });
});

describe('the shell client', () => {
  it('GET /client.sh serves the POSIX sh client as text', async () => {
    const { app } = setup();
    const res = await request(app).get('/client.sh').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(res.text).toContain('usage: sh cimaster.sh COMMAND');
  });

  it('getvacant and heartbeat replies carry the lease length, so a client knows how often to heartbeat', async () => {
    const { app } = setup();
    await request(app).get('/addcluster?cluster=c1&region=r');
    const got = await request(app).get('/getvacant?build=1&job=j').expect(200, 'c1');
    expect(got.headers['cimaster-lease-seconds']).toBe(String(4 * 3600));
    const beat = await request(app).get('/heartbeat?cluster=c1&build=1').set('Accept', 'application/json').expect(200);
    expect(beat.headers['cimaster-lease-seconds']).toBe(String(4 * 3600));
  });
});

describe('createcluster', () => {
  // A stand-in for manual-trigger whose answers are checked against manual-trigger's own document.
  const manualTrigger = contractRecorder(manualTriggerDocument());
  afterEach(() => manualTrigger.verify());
  async function stub(handler: express.RequestHandler) {
    const app = express().use(express.json()).post('/manual-trigger', handler);
    const server = http.createServer(manualTrigger.wrap(app));
    await listen(server, 0, '127.0.0.1');
    return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => new Promise((r) => server.close(r)) };
  }

  it('posts the creation job to manual-trigger and returns its answer', async () => {
    let seen: unknown;
    const mt = await stub((req, res) => {
      seen = req.body;
      res.status(201).json({
        success: true,
        message: 'ProwJob created successfully',
        job_name: 'pj-1',
        status_link: 'https://prow/prowjob?prowjob=pj-1',
        log_link: 'https://prow/log?job=x&id=1',
        build_id: '1',
        state: 'pending',
        type: 'postsubmit',
        job: 'sddz-e2e-k8s-1.32',
        namespace: 'prow',
      });
    });
    try {
      const { app } = setup({ manualTriggerUrl: mt.url });
      const res = await request(app).get('/createcluster?user=john&branch=master').expect(200);
      expect(res.text).toBe('cluster creation job pj-1 triggered\nstatus: https://prow/prowjob?prowjob=pj-1\nlog: https://prow/log?job=x&id=1');
      expect(seen).toEqual({ org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32', user: 'john' });
    } finally {
      await mt.close();
    }
  });

  it('503 when manual-trigger is down, 502 when it fails', async () => {
    const closedPort = await freePort();
    const down = setup({ manualTriggerUrl: `http://127.0.0.1:${closedPort}` });
    const res = await request(down.app).get('/createcluster?user=john').expect(503);
    expect(res.text).toBe(`manual-trigger at http://127.0.0.1:${closedPort}/manual-trigger is unreachable: ECONNREFUSED`);
    const mt = await stub((_req, r) => void r.status(404).json({ success: false, code: 'JOB_NOT_FOUND', message: 'Job sddz-e2e-k8s-1.32 not found in config for tess/tessops' }));
    try {
      const failing = setup({ manualTriggerUrl: mt.url });
      const bad = await request(failing.app).get('/createcluster').expect(502);
      expect(bad.text).toBe('manual-trigger refused to create the cluster (HTTP 404): Job sddz-e2e-k8s-1.32 not found in config for tess/tessops');
    } finally {
      await mt.close();
    }
  });
});

describe('auth', () => {
  it("admin calls need an admin token; e2e calls stay open unless required; releasing another user's hold needs admin", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cm-auth-'));
    try {
      await writeFile(join(dir, 'auth.yaml'), 'tokens:\n  - {identity: ops, role: admin, token: admin-token-0123456789}\n  - {identity: pods, role: e2e, token: e2e-token-0123456789ab}\n');
      const auth = new TokenAuth(join(dir, 'auth.yaml'));
      await auth.start();
      const { app } = setup({ auth });
      await request(app).get('/addcluster?cluster=c1&region=r').expect(401);
      await request(app).get('/addcluster?cluster=c1&region=r').set('authorization', 'Bearer e2e-token-0123456789ab').expect(403);
      await request(app).get('/addcluster?cluster=c1&region=r').set('authorization', 'Bearer nope-nope-nope-nope').expect(401);
      await request(app).get('/addcluster?cluster=c1&region=r').set('authorization', 'Bearer admin-token-0123456789').expect(200);
      await request(app).get('/getvacant?build=1&job=j').expect(200, 'c1');
      await request(app).get('/holdcluster?cluster=c1&user=alice').set('authorization', 'Bearer admin-token-0123456789').expect(200);
      const denied = await request(app).get('/releasecluster?cluster=c1').set('authorization', 'Bearer e2e-token-0123456789ab').expect(403);
      expect(denied.text).toBe('cluster c1 is held by alice; only they or an admin may release it');
      await request(app).get('/releasecluster?cluster=c1').set('authorization', 'Bearer admin-token-0123456789').expect(200);
      await writeFile(join(dir, 'auth.yaml'), 'requireE2eToken: true\ntokens:\n  - {identity: pods, role: e2e, token: e2e-token-0123456789ab}\n');
      await auth.reload();
      await request(app).get('/getvacant?build=2&job=j').expect(401);
      await request(app).get('/getvacant?build=2&job=j').set('authorization', 'Bearer e2e-token-0123456789ab').expect(200);
      auth.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('names that are Object.prototype keys', () => {
  it('constructor is a cluster like any other, on the file store, through every call', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cm-proto-'));
    try {
      const { app } = setup({ backend: new FileBackend(join(dir, 'pool.json')) });
      await request(app).get('/addcluster?cluster=constructor&region=us').expect(200, 'cluster constructor is added successfully');
      await request(app).get('/addcluster?cluster=constructor&region=us').expect(409, 'cluster constructor already exists (state finished, region us)');
      expect((await request(app).get('/clusters/constructor').expect(200)).body).toMatchObject({ name: 'constructor', region: 'us', state: 'finished', history: [] });
      await request(app).get('/getvacant?build=1&job=e2e').expect(200, 'constructor');
      await request(app).get('/finishtest?cluster=constructor&build=1').expect(200, 'cluster constructor is finished successfully');
      await request(app).get('/getvacant?build=2&job=e2e&region=us').expect(200, 'constructor');
      await request(app).get('/holdcluster?cluster=constructor&hours=1&user=alice').expect(200, 'cluster constructor is held until 2026-06-01T01:00:00.000Z');
      await request(app).get('/releasecluster?cluster=constructor').expect(200, 'cluster constructor is released successfully');
      await request(app).get('/addcluster?cluster=c1&region=constructor').expect(200);
      expect((await request(app).get('/clusters').expect(200)).body.clusters.map((c: { name: string; region: string }) => `${c.name}@${c.region}`)).toEqual(['c1@constructor', 'constructor@us']);
      await request(app).get('/deletecluster?cluster=constructor').expect(200, 'cluster constructor is deleted successfully');
      await request(app).get('/clusters/constructor').expect(404, 'cluster constructor not found');
      await request(app).get('/finishtest?cluster=constructor').expect(404, 'cluster constructor not found');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(['__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('%s, not a DNS label, is refused with a 400 that says so', async (name) => {
    const { app } = setup();
    for (const url of [`/clusters/${name}`, `/addcluster?cluster=${name}&region=us`, `/finishtest?cluster=${name}`, `/addcluster?cluster=c1&region=${name}`]) {
      const res = await request(app).get(url).expect(400);
      expect(res.text).toContain('must be a DNS-1123 label');
    }
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('%s is an unknown parameter, in the query and in a JSON body', async (param) => {
    const { app } = setup();
    await request(app).get(`/getvacant?build=1&job=e2e&${param}=x`).expect(400, `unknown parameter ${param}; this call takes build, job, region, wait, labels`);
    await request(app).post('/getvacant').type('json').send(`{"build":"1","job":"e2e","${param}":"x"}`).expect(400, `unknown parameter ${param}; this call takes build, job, region, wait, labels`);
    await request(app).get(`/clusters?${param}=1`).expect(400, `unknown parameter ${param}; this call takes none`);
  });
});

describe('releasing a hold between other replicas', () => {
  it("refuses to end another user's hold that began after the release was asked for", async () => {
    const tokens = await tokenAuth('tokens:\n  - {identity: ops, role: admin, token: admin-token-0123456789}\n  - {identity: alice, role: e2e, token: alice-token-0123456789}\n');
    // Another replica's work, done between the release's arrival and its write: alice's hold ends, carol's begins.
    let between: (() => Promise<void>) | undefined;
    const wrap = (store: PoolStore): PoolStore => ({
      apply: async (command) => {
        const run = between;
        between = undefined;
        await run?.();
        return store.apply(command);
      },
      read: () => store.read(),
      close: () => store.close(),
    });
    try {
      const { app, store, clock } = setup({ auth: tokens.auth, wrap });
      const other = new ClusterPool({ store, clock, leaseMs: HOUR, holdMs: HOUR, maxHoldMs: HOUR });
      const alice = { authorization: 'Bearer alice-token-0123456789' };
      await request(app).get('/addcluster?cluster=c1&region=r').set({ authorization: 'Bearer admin-token-0123456789' }).expect(200);
      await request(app).get('/getvacant?build=1&job=e2e').expect(200, 'c1');
      await request(app).get('/holdcluster?cluster=c1').set(alice).expect(200);
      between = async () => {
        await other.release('c1', { actor: actors.user('alice') });
        await other.getVacant({ build: '2', job: 'e2e' });
        await other.hold('c1', 1, { actor: actors.user('carol') });
      };
      await request(app).get('/releasecluster?cluster=c1').set(alice).expect(403, 'cluster c1 is held by carol; only they or an admin may release it');
      expect((await request(app).get('/clusters/c1')).body).toMatchObject({ state: 'held', holder: { build: '2', user: 'carol' } });
    } finally {
      await tokens.close();
    }
  });
});

describe('a corrupt store', () => {
  it('turns /readyz unready with the problem, answers 503 STORE_CORRUPT, and writes nothing over it', async () => {
    const { app, backend, metrics } = setup();
    await request(app).get('/addcluster?cluster=c1&region=r').expect(200);
    await request(app).get('/readyz').expect(200);
    const stored = await backend.load();
    const doc = JSON.parse(stored.text as string);
    delete doc.clusters[0].freedAt;
    const corrupt = JSON.stringify(doc);
    expect(await backend.save(corrupt, stored.version)).toBe('ok');
    const message = 'stored pool is corrupt: cluster c1: freedAt is missing. Nothing was changed; correct or restore the stored document';
    const ready = await request(app).get('/readyz').expect(503);
    expect(ready.body).toEqual({ status: 'not ready', checks: { store: { ok: false, message } } });
    await request(app).get('/getvacant?build=1&job=e2e').expect(503, message);
    await request(app).get('/addcluster?cluster=c2&region=r').expect(503, message);
    const json = await request(app).get('/finishtest?cluster=c1').set('accept', 'application/json').expect(503);
    expect(json.body).toEqual({ success: false, message, code: 'STORE_CORRUPT' });
    await request(app).get('/clusters').expect(503);
    expect((await backend.load()).text).toBe(corrupt);
    expect(await metrics.registry.getSingleMetricAsString('cimaster_getvacant_total')).toContain('cimaster_getvacant_total{outcome="error"} 1');
  });
});

describe('cimaster_getvacant_total', () => {
  it('counts every answer by outcome: allocated, no_capacity, invalid', async () => {
    const { app, metrics } = setup();
    await request(app).get('/addcluster?cluster=c1&region=r');
    await request(app).get('/getvacant?build=1&job=e2e').expect(200);
    await request(app).get('/getvacant?build=2&job=e2e').expect(503);
    await request(app).get('/getvacant?job=e2e').expect(400);
    await request(app).get('/getvacant?build=3&job=e2e&wait=2h').expect(400, 'wait must be at most 3600s');
    const text = await metrics.registry.getSingleMetricAsString('cimaster_getvacant_total');
    for (const line of ['{outcome="allocated"} 1', '{outcome="no_capacity"} 1', '{outcome="invalid"} 2']) expect(text).toContain(`cimaster_getvacant_total${line}`);
  });
});

describe('the typed client', () => {
  it('drives the app on a real port: typed JSON answers, refusals as ApiError with their code', async () => {
    const { app } = setup();
    const server = http.createServer(app);
    await listen(server, 0, '127.0.0.1');
    try {
      const client = createCimasterClient({ baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, timeoutMs: 5000 });
      expect(await client.call('addcluster', { cluster: 'c1', region: 'us-west', name: 'ops' })).toMatchObject({ success: true, message: 'cluster c1 is added successfully', cluster: { added_by: 'ops' } });
      const got = await client.call('getvacant', { build: '9', job: 'e2e', wait: '1s' });
      expect(got.cluster.holder).toMatchObject({ build: '9', job: 'e2e' });
      expect((await client.call('clusters', {})).clusters.map((c) => c.state)).toEqual(['testing']);
      expect((await client.call('finishtest', { cluster: 'c1', build: '9' })).already_finished).toBe(false);
      expect((await client.call('cluster', { name: 'c1' })).history[0]).toMatchObject({ state: 'testing', ended: 'finished' });
      expect(await client.call('queue', {})).toEqual({ queue: [] });
      await expect(client.call('deletecluster', { cluster: 'ghost' })).rejects.toMatchObject({ constructor: ApiError, status: 404, code: 'CLUSTER_NOT_FOUND', message: 'cluster ghost not found' });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('the web console and the pool event stream', () => {
  const assets = new Map([
    ['index.html', staticFile('index.html', '<!doctype html><title>cimaster</title>')],
    ['console-ABCDEFGH.js', staticFile('console-ABCDEFGH.js', 'export {}')],
  ]);
  const config = { service: 'cimaster', peer_url: 'http://mt.example/ui/', auth: false };

  it('serves the console, its config and its files as documented; GET / stays the probe for curl', async () => {
    const { app } = setup({ console: { assets, config } });
    const page = await request(app).get('/ui/').expect(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await request(app).get('/ui/config.json').expect(200)).body).toEqual(config);
    await request(app).get('/ui/console-ABCDEFGH.js').expect(200);
    await request(app).get('/ui').expect(301);
    await request(app).get('/ui/nope.js').expect(404);
    await request(app).get('/').expect(200, 'ok');
    expect((await request(app).get('/').set('Accept', 'text/html,*/*;q=0.8').expect(302)).headers.location).toBe('/ui/');
  });

  it('answers the documented 404 on /ui/ when started without a built console', async () => {
    const { app } = setup();
    await request(app).get('/ui/').expect(404);
    await request(app).get('/').set('Accept', 'text/html').expect(200, 'ok');
  });

  it('streams the pool, and a getvacant shows as a change event', async () => {
    const { app, pool } = setup();
    await pool.add('c1', 'us-west');
    const server = http.createServer(app);
    await listen(server, 0, '127.0.0.1');
    const port = (server.address() as { port: number }).port;
    let body = '';
    const req = http.get({ host: '127.0.0.1', port, path: '/pool/events' }, (res) => res.on('data', (d: Buffer) => (body += d.toString())));
    try {
      await waitFor(() => body.includes('event: snapshot'));
      expect(body).toContain('"name":"c1"');
      await request(app).get('/getvacant?build=7&job=e2e').expect(200, 'c1');
      await waitFor(() => body.includes('event: change'));
      expect(body).toMatch(/event: change\ndata: .*"state":"testing"/);
    } finally {
      req.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('the OpenAPI document', () => {
  it('is served at /openapi.json and lists exactly the routes the app registers', async () => {
    const { app, express: bare } = setup();
    const served = await request(app).get('/openapi.json').expect(200);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(cimasterDocument())));
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    expect(registeredRoutes(bare).map(key).sort()).toEqual(documentedRoutes(cimasterDocument()).map(key).sort());
  });

  it('answers the probes as documented', async () => {
    const { app } = setup();
    await request(app).get('/').expect(200, 'ok');
    await request(app).get('/healthz').expect(200);
    await request(app).get('/readyz').expect(200);
  });

  // Last in the file: the real answers of this suite covered every documented path, so none can drift unchecked.
  it('was checked against every documented path by the tests above', () => {
    const seenPaths = new Set([...contract.seen].map((s) => s.split(' ')[1]));
    expect(Object.keys(cimasterDocument().paths).filter((p) => !seenPaths.has(p))).toEqual([]);
  });
});

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
