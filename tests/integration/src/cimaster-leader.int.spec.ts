// cimaster's background-loop leader and change notifications on the real API server, with the chart's RBAC in a
// namespace of their own: two electors on a real Lease, a killed leader process whose sweeper moves to the other
// replica, and a replica that hears another's writes through its watch on the pool ConfigMap.
import { join } from 'node:path';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { applyObjects, createNamespace, serviceAccountKubeconfig, sharedKubeEnv } from '@ci-stack/kube-env';
import { transitions } from '@ci-stack/pool';
import { BatchingPoolStore, ConfigMapBackend, KubeLeaseLock, LeaderElector } from '@ci-stack/pool-store';
import { changeCounter } from '@ci-stack/pool-store/testing';
import { systemClock } from '@ci-stack/core';
import { rbacOf, renderChart } from './chart-objects';
import { type RunningService, leaderOf, metric, startService } from './services';

const NS = 'cimaster-lead';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds; the test's own timeout bounds it. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(100);
}

describe('cimaster leader election and change notifications on the real API server', () => {
  const env = sharedKubeEnv();
  let kubeconfig: string;
  let serviceAccount: KubeConfig;

  beforeAll(async () => {
    await createNamespace(env.kubeConfig, NS);
    const chart = await renderChart(NS, { prow: { namespace: 'prow' } });
    await applyObjects(env.kubeConfig, rbacOf(chart, 'cimaster'), false);
    kubeconfig = await serviceAccountKubeconfig(env.kubeConfig, join(env.dir, 'kubeconfig-cimaster-lead'), NS, 'rel-ci-stack-cimaster');
    serviceAccount = new KubeConfig();
    serviceAccount.loadFromFile(kubeconfig);
  }, 120_000);

  it('two electors on the Lease: one leads; when it dies the other takes over; never two at a time; a release hands over at once', async () => {
    const lease = 2_000;
    const elector = (identity: string) =>
      new LeaderElector({ lock: new KubeLeaseLock({ kubeConfig: serviceAccount, namespace: NS, name: 'clusters-leader', leaseDurationMs: lease, clock: systemClock }), identity, clock: systemClock, leaseDurationMs: lease, renewIntervalMs: 300 });
    const [a, b, c] = [elector('a'), elector('b'), elector('c')];
    await a.tick();
    await b.tick();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    // a dies: it stops renewing and releases nothing; b keeps trying until the Lease has been unchanged for its duration.
    for (let tries = 0; !b.isLeader(); tries++) {
      expect(tries).toBeLessThan(100);
      await sleep(300);
      await b.tick();
      expect(a.isLeader() && b.isLeader()).toBe(false);
    }
    const leases = env.kubeConfig.makeApiClient(CoordinationV1Api);
    expect((await leases.readNamespacedLease({ namespace: NS, name: 'clusters-leader' })).spec).toMatchObject({ holderIdentity: 'b', leaseDurationSeconds: 2, leaseTransitions: 1 });
    await c.tick();
    expect(c.isLeader()).toBe(false);
    await b.close();
    await c.tick();
    expect(c.isLeader()).toBe(true);
    await c.close();
    await a.close();
  }, 60_000);

  it('a replica hears another replica’s writes through its watch on the pool ConfigMap', async () => {
    const store = () => new BatchingPoolStore(new ConfigMapBackend({ kubeConfig: serviceAccount, namespace: NS, name: 'clusters' }), { clock: systemClock });
    const [mine, other] = [store(), store()];
    try {
      const heard = changeCounter();
      mine.subscribe(heard.hit);
      // A new watch reports in once and replays the current object: of three writes, at least one is heard as such.
      for (const name of ['w1', 'w2', 'w3']) {
        const seen = heard.count;
        await other.apply(transitions.addCluster(name, 'r'));
        await heard.after(seen);
      }
      for (const name of ['w1', 'w2', 'w3']) await other.apply(transitions.deleteCluster(name));
    } finally {
      await mine.close();
      await other.close();
    }
  }, 60_000);

  it('SIGKILL of the leader process: the other replica takes over the sweeper; waiters on one replica get clusters freed on the other', async () => {
    const args = ['--store', 'configmap', '--configmap-namespace', NS, '--configmap-name', 'clusters', '--kubeconfig', kubeconfig, '--test-lease', '1s', '--sweep-interval', '200ms', '--leader-lease-duration', '3s', '--leader-renew-interval', '500ms'];
    const replicas: [RunningService, RunningService] = [await startService('cimaster', args), await startService('cimaster', args)];
    const get = async (r: RunningService, path: string) => {
      const res = await fetch(`${r.url}${path}`);
      return { status: res.status, text: await res.text() };
    };
    const state = async (r: RunningService, name: string) => ((JSON.parse((await get(r, '/clusters')).text) as { clusters: Array<{ name: string; state: string }> }).clusters.find((c) => c.name === name)?.state);
    try {
      const { lead, follow } = await leaderOf(replicas);
      expect((await get(follow, '/addcluster?cluster=k1&region=r')).status).toBe(200);

      // A waiter on the follower gets the cluster the leader's caller gives back.
      expect((await get(lead, '/getvacant?build=hold&job=e2e')).text).toBe('k1');
      const waiting = get(follow, '/getvacant?build=wait&job=e2e&wait=60s');
      await eventually(async () => (JSON.parse((await get(follow, '/queue')).text) as { queue: unknown[] }).queue.length === 1);
      await get(lead, '/finishtest?cluster=k1&build=hold');
      expect(await waiting).toEqual({ status: 200, text: 'k1' });

      // The waiter's lease (1 s) is expired by the leader's sweeper, not the follower's.
      await eventually(async () => (await state(follow, 'k1')) === 'finished');
      expect([await metric(lead, 'cimaster_expirations_total{kind="lease"}'), await metric(follow, 'cimaster_expirations_total{kind="lease"}')]).toEqual([1, 0]);

      lead.process.child.kill('SIGKILL');
      expect((await get(follow, '/getvacant?build=after&job=e2e')).text).toBe('k1');
      await eventually(async () => (await state(follow, 'k1')) === 'finished');
      expect(await metric(follow, 'cimaster_leader_status')).toBe(1);
      expect(await metric(follow, 'cimaster_expirations_total{kind="lease"}')).toBe(1);
      expect((await get(follow, '/deletecluster?cluster=k1')).status).toBe(200);
    } finally {
      for (const r of replicas) await r.stop();
    }
  }, 120_000);
});
