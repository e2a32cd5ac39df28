import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { cimasterDocument } from '@ci-stack/cimaster-api';
import { contractRecorder } from '@ci-stack/http-contract/testing';
import { ClusterPool, actors, type PoolStore } from '@ci-stack/pool';
import { BatchingPoolStore, MemoryBackend } from '@ci-stack/pool-store';
import { FakeClock } from '@ci-stack/core/testing';
import { silentLogger } from '@ci-stack/service-kit/testing';
import { createApp } from './app';
import { TokenAuth } from './auth';
import { createMetrics } from './metrics';
import { PoolEventHub } from './pool-events';

// Who may end, hold and release whose lease or hold: the probes of a caller without a token on a cimaster whose
// authentication is on with the default `requireE2eToken: false`, and the original calls with authentication off.

const HOUR = 3_600_000;
const ADMIN = { authorization: 'Bearer admin-token-0123456789' };
const E2E_PODS = { authorization: 'Bearer e2e-token-0123456789ab' };
const ALICE = { authorization: 'Bearer alice-token-0123456789' };
const TOKENS = [
  'requireE2eToken: false',
  'tokens:',
  '  - {identity: ops, role: admin, token: admin-token-0123456789}',
  '  - {identity: e2e-pods, role: e2e, token: e2e-token-0123456789ab}',
  '  - {identity: alice, role: e2e, token: alice-token-0123456789}',
].join('\n');

const contract = contractRecorder(cimasterDocument());
afterEach(() => contract.verify());

let dir: string;
let auth: TokenAuth;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cm-acting-'));
  await writeFile(join(dir, 'auth.yaml'), TOKENS);
  auth = new TokenAuth(join(dir, 'auth.yaml'));
  await auth.start();
});
afterAll(async () => {
  auth.close();
  await rm(dir, { recursive: true, force: true });
});

/** cimaster on the real pool and an in-memory store; `wrap` puts another replica's work before a write. */
function setup(opts: { auth?: TokenAuth; wrap?: (store: PoolStore) => PoolStore } = {}) {
  const clock = new FakeClock(new Date('2026-06-01T00:00:00Z'));
  const inner = new BatchingPoolStore(new MemoryBackend(), { clock });
  const store = opts.wrap ? opts.wrap(inner) : inner;
  const pool = new ClusterPool({ store, clock, leaseMs: 4 * HOUR, holdMs: 6 * HOUR, maxHoldMs: 72 * HOUR, pollMs: 10 });
  const app = createApp({
    pool,
    metrics: createMetrics(() => store.read()),
    logger: silentLogger(),
    auth: opts.auth,
    maxWaitMs: HOUR,
    ready: async () => void (await store.read()),
    events: new PoolEventHub({ snapshot: () => store.read(), clock, logger: silentLogger(), resyncMs: 50 }),
    createCluster: () => Promise.reject(new Error('not called in these tests')),
  });
  const cluster = async (name: string) => (await request(app).get(`/clusters/${name}`).expect(200)).body as { state: string; holder: { build: string; user?: string | null } | null };
  return { app: contract.wrap(app), pool, clock, store: inner, cluster };
}

/** Adds the clusters and hands each to a build: c1 to build 1, c2 to build 2, and so on. */
async function inUse(app: ReturnType<typeof setup>['app'], ...names: string[]): Promise<void> {
  for (const name of names) await request(app).get(`/addcluster?cluster=${name}&region=r`).set(ADMIN).expect(200);
  for (const [i, name] of names.entries()) await request(app).get(`/getvacant?build=${i + 1}&job=e2e`).expect(200, name);
}

describe('with auth on and requireE2eToken false, a call without a token', () => {
  it("cannot end another person's hold by naming them: releasecluster?cluster=c1&user=e2e-pods", async () => {
    const { app, cluster } = setup({ auth });
    await inUse(app, 'c1');
    await request(app).get('/holdcluster?cluster=c1&hours=2').set(E2E_PODS).expect(200);
    const named = await request(app).get('/releasecluster?cluster=c1&user=e2e-pods').set('accept', 'application/json').expect(403);
    expect(named.body).toMatchObject({ success: false, code: 'USER_NEEDS_TOKEN', message: expect.stringContaining("send 'Authorization: Bearer <token>'") });
    await request(app).get('/releasecluster?cluster=c1').expect(403, 'cluster c1 is held by e2e-pods; only they or an admin may release it');
    await request(app).get('/releasecluster?cluster=c1&build=1').expect(403, 'cluster c1 is held by e2e-pods; only they or an admin may release it');
    expect(await cluster('c1')).toMatchObject({ state: 'held', holder: { build: '1', user: 'e2e-pods' } });
    await request(app).get('/releasecluster?cluster=c1').set(E2E_PODS).expect(200, 'cluster c1 is released successfully');
  });

  it("cannot hold another build's testing cluster: holdcluster?cluster=c2&hours=72&user=mallory", async () => {
    const { app, cluster } = setup({ auth });
    await inUse(app, 'c1', 'c2');
    const mallory = await request(app).get('/holdcluster?cluster=c2&hours=72&user=mallory').expect(403);
    expect(mallory.text).toBe(
      "user=mallory needs a token: without one a hold belongs to the build that holds the cluster. Leave out user= and name the build with build=, or send 'Authorization: Bearer <token>' to act as your token's identity",
    );
    const unnamed = await request(app).get('/holdcluster?cluster=c2&hours=72').set('accept', 'application/json').expect(400);
    expect(unnamed.body).toMatchObject({ code: 'BUILD_REQUIRED', message: expect.stringMatching(/^holdcluster of cluster c2 without a token must name the build that got the cluster: add build=/) });
    const other = await request(app).get('/holdcluster?cluster=c2&hours=72&build=1').set('accept', 'application/json').expect(409);
    expect(other.body).toMatchObject({ code: 'HOLDER_MISMATCH', message: expect.stringContaining('cluster c2 is not held by build 1') });
    expect(await cluster('c2')).toMatchObject({ state: 'testing', holder: { build: '2' } });
  });

  it('holds only its own build\'s cluster, as that build, and releases only that build\'s hold', async () => {
    const { app, cluster } = setup({ auth });
    await inUse(app, 'c1', 'c2');
    await request(app).get('/holdcluster?cluster=c2&hours=1&build=2').expect(200, 'cluster c2 is held until 2026-06-01T01:00:00.000Z');
    const held = await cluster('c2');
    expect(held).toMatchObject({ state: 'held', holder: { build: '2' } });
    expect(held.holder).not.toHaveProperty('user'); // the build's hold, nobody's name
    await request(app).get('/releasecluster?cluster=c2').expect(400);
    await request(app).get('/releasecluster?cluster=c2&build=1').expect(409);
    await request(app).get('/releasecluster?cluster=c2&build=2').expect(200, 'cluster c2 is released successfully');
  });

  it('cannot free a cluster its build still uses, so the next getvacant cannot hand it out twice: finishtest?cluster=c3', async () => {
    const { app, cluster } = setup({ auth });
    await inUse(app, 'c1', 'c2', 'c3');
    const bare = await request(app).get('/finishtest?cluster=c3').expect(400);
    expect(bare.text).toMatch(/^finishtest of cluster c3 without a token must name the build that got the cluster: add build=.*\(the shell client sends it\), or send 'Authorization: Bearer <token>'$/);
    await request(app).get('/finishtest?cluster=c3&build=1').expect(409);
    await request(app).get('/getvacant?build=4&job=e2e').expect(503);
    expect(await cluster('c3')).toMatchObject({ state: 'testing', holder: { build: '3' } });
    await request(app).get('/finishtest?cluster=c3&build=3').expect(200, 'cluster c3 is finished successfully');
    await request(app).get('/getvacant?build=4&job=e2e').expect(200, 'c3');
  });

  it("is checked in the write itself: a hold asked for build 1 is refused once another replica gave the cluster to build 2", async () => {
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
    const { app, store, clock, cluster } = setup({ auth, wrap });
    const other = new ClusterPool({ store, clock, leaseMs: HOUR, holdMs: HOUR, maxHoldMs: HOUR });
    await inUse(app, 'c1');
    between = async () => {
      await other.finish('c1', { actor: actors.anonymous, build: '1' });
      await other.getVacant({ build: '2', job: 'e2e' });
    };
    await request(app).get('/holdcluster?cluster=c1&build=1').expect(409);
    expect(await cluster('c1')).toMatchObject({ state: 'testing', holder: { build: '2' } });
  });
});

describe('with auth on, a token', () => {
  it('acts as its own identity only; an admin token may act for others', async () => {
    const { app, cluster } = setup({ auth });
    await inUse(app, 'c1', 'c2');
    const forged = await request(app).get('/holdcluster?cluster=c1&user=mallory').set(ALICE).set('accept', 'application/json').expect(403);
    expect(forged.body).toMatchObject({ code: 'USER_MISMATCH', message: 'this token acts as alice, not as mallory: leave out user= (it defaults to alice), or use an admin token to act for someone else' });
    await request(app).get('/holdcluster?cluster=c1&user=alice').set(ALICE).expect(200);
    expect(await cluster('c1')).toMatchObject({ holder: { build: '1', user: 'alice' } });
    await request(app).get('/releasecluster?cluster=c1&user=alice').set(E2E_PODS).expect(403);
    await request(app).get('/releasecluster?cluster=c1').set(E2E_PODS).expect(403, 'cluster c1 is held by alice; only they or an admin may release it');
    await request(app).get('/holdcluster?cluster=c2&user=mallory').set(ADMIN).expect(200);
    expect(await cluster('c2')).toMatchObject({ holder: { build: '2', user: 'mallory' } });
    await request(app).get('/releasecluster?cluster=c2').set(ADMIN).expect(200);
    await request(app).get('/releasecluster?cluster=c1').set(ALICE).expect(200);
  });

  it('may finish without naming the build (the original form, by a caller the token names)', async () => {
    const { app } = setup({ auth });
    await inUse(app, 'c1');
    await request(app).get('/finishtest?cluster=c1').set(E2E_PODS).expect(200, 'cluster c1 is finished successfully');
  });
});

describe('with auth off, the original calls and replies are unchanged', () => {
  it('finishtest without build, holdcluster naming a user, releasecluster by anyone', async () => {
    const { app, cluster } = setup();
    await request(app).get('/addcluster?cluster=cluster-01&region=us-west&name=admin').expect(200, 'cluster cluster-01 is added successfully');
    await request(app).get('/getvacant?build=123&job=e2e-test').expect(200, 'cluster-01');
    await request(app).get('/finishtest?cluster=cluster-01').expect(200, 'cluster cluster-01 is finished successfully');
    await request(app).get('/getvacant?build=124&job=e2e-test').expect(200, 'cluster-01');
    await request(app).get('/holdcluster?cluster=cluster-01&hours=2&user=fesu').expect(200, 'cluster cluster-01 is held until 2026-06-01T02:00:00.000Z');
    expect(await cluster('cluster-01')).toMatchObject({ holder: { build: '124', user: 'fesu' } });
    await request(app).get('/releasecluster?cluster=cluster-01').expect(200, 'cluster cluster-01 is released successfully');
    await request(app).get('/getvacant?build=125&job=e2e-test').expect(200, 'cluster-01');
    await request(app).get('/holdcluster?cluster=cluster-01').expect(200);
    await request(app).get('/releasecluster?cluster=cluster-01&user=someone').expect(200, 'cluster cluster-01 is released successfully');
  });
});
