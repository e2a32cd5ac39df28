// cimaster: how soon a waiting getvacant?wait= gets the cluster another build gives back (one holder, one
// waiter), on the same replica and across two, woken by the store's change notifications and, as the baseline in
// the same run, by polling alone at the old 250 ms interval (--wait-notify=false). Then how long the other
// replica takes to lead after the leader is killed with SIGKILL, at the default lease.
// Usage: npm run bench -- cimaster-wake [--quick] [--stores=memory,redis,configmap] [--no-takeover]
import { resolve } from 'node:path';
import { type KubeEnv, startKubeEnv } from '@ci-stack/kube-env';
import { startRedisServer } from '@ci-stack/pool-store/testing';
import { type Child, ROOT, fmt, percentile, printTable, startNode } from './lib';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 20 : 100;
const WARMUP = 3;
const CM = resolve(ROOT, 'dist/apps/cimaster/main.js');
const storesArg = process.argv.find((a) => a.startsWith('--stores='))?.slice('--stores='.length);
const STORES = (storesArg ?? 'memory,redis,configmap').split(',');
const MODES = { notify: [], 'poll 250 ms (before)': ['--wait-notify=false', '--wait-poll-interval=250ms'] } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const get = async (base: string, path: string) => {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, text: await res.text() };
};

/**
 * One cluster goes back and forth: `holder` gives it back with finishtest while a getvacant?wait= on `waiter` is
 * queued; the time from sending finishtest to the waiter's answer is one sample (it includes the release's own
 * write, measured alone as finishtest's answer time). The waiter then holds it.
 */
async function wakeLatencies(holder: Child, waiter: Child, cluster: string): Promise<{ wake: number[]; release: number[] }> {
  expect200(await get(holder.url, `/addcluster?cluster=${cluster}&region=r`));
  let holding = `${cluster}-h`;
  expect200(await get(holder.url, `/getvacant?build=${holding}&job=bench`));
  const samples: number[] = [];
  const releases: number[] = [];
  for (let i = 0; i < ROUNDS + WARMUP; i++) {
    const build = `${cluster}-w${i}`;
    const answered = get(waiter.url, `/getvacant?build=${build}&job=bench&wait=60s`).then((a) => ({ ...a, at: performance.now() }));
    while ((JSON.parse((await get(waiter.url, '/queue')).text) as { queue: unknown[] }).queue.length === 0) await sleep(5);
    // Release at a random point of the waiter's poll cycle (up to two 250 ms polls), as a build would.
    await sleep(20 + Math.random() * 500);
    const sent = performance.now();
    expect200(await get(holder.url, `/finishtest?cluster=${cluster}&build=${holding}`));
    const released = performance.now();
    const answer = await answered;
    if (answer.text !== cluster) throw new Error(`waiter got ${answer.status} ${answer.text}`);
    if (i >= WARMUP) {
      samples.push(answer.at - sent);
      releases.push(released - sent);
    }
    holding = build;
  }
  return { wake: samples.sort((a, b) => a - b), release: releases.sort((a, b) => a - b) };
}

function expect200(reply: { status: number; text: string }): void {
  if (reply.status !== 200) throw new Error(`unexpected answer ${reply.status}: ${reply.text}`);
}

/** The store's flags for one run; each run gets a fresh pool. */
type StoreArgs = (run: string) => string[];

async function storeArgs(store: string, cleanups: Array<() => Promise<void>>): Promise<{ label: string; args: StoreArgs; replicas: number[] }> {
  if (store === 'memory') return { label: 'memory', args: () => ['--store', 'memory'], replicas: [1] };
  if (store === 'redis') {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    return { label: 'redis', args: (run) => ['--store', 'redis', '--redis-url', redis.url, '--redis-prefix', `${run}:`], replicas: [1, 2] };
  }
  const env: KubeEnv = await startKubeEnv({ namespaces: ['ci'] });
  cleanups.push(() => env.stop());
  return { label: 'configmap (real kube-apiserver)', args: (run) => ['--store', 'configmap', '--kubeconfig', env.kubeconfigPath, '--configmap-namespace', 'ci', '--configmap-name', run], replicas: [1, 2] };
}

async function leaderStatus(child: Child): Promise<number> {
  const text = await (await fetch(child.metricsUrl)).text();
  return Number(/^cimaster_leader_status (\d)/m.exec(text)?.[1] ?? 0);
}

/** Two replicas at the default lease; the leader is killed; milliseconds until the other says it leads. */
async function takeover(args: string[]): Promise<number> {
  const children = [await startNode(CM, args), await startNode(CM, args)];
  try {
    while ((await leaderStatus(children[0])) + (await leaderStatus(children[1])) !== 1) await sleep(50);
    // Kill right after a renewal would be the worst case; a random point in the renew interval is the typical one.
    await sleep(Math.random() * 2000);
    const leader = (await leaderStatus(children[0])) === 1 ? 0 : 1;
    const killed = performance.now();
    children[leader].kill();
    const other = children[1 - leader];
    while ((await leaderStatus(other)) !== 1) await sleep(20);
    return performance.now() - killed;
  } finally {
    for (const c of children) await c.stop();
  }
}

/** One store: every replica count in both modes; the rows of the table. */
async function wakeRows(label: string, args: StoreArgs, replicas: number[]): Promise<Array<Record<string, string | number>>> {
  const rows: Array<Record<string, string | number>> = [];
  for (const count of replicas) {
    for (const [mode, flags] of Object.entries(MODES)) {
      const run = `wake-${count}-${mode.startsWith('notify') ? 'n' : 'p'}`;
      const children: Child[] = [];
      for (let i = 0; i < count; i++) children.push(await startNode(CM, [...args(run), ...flags]));
      const { wake, release } = await wakeLatencies(children[0], children[count - 1], run);
      for (const c of children) await c.stop();
      const where = count === 1 ? 'same replica' : 'other replica';
      rows.push({
        store: label,
        waiter: where,
        'woken by': mode,
        'p50 ms': fmt(percentile(wake, 50), 1),
        'p90 ms': fmt(percentile(wake, 90), 1),
        'max ms': fmt(wake[wake.length - 1], 1),
        'finishtest alone, p50 ms': fmt(percentile(release, 50), 1),
        samples: wake.length,
      });
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  const takeovers: Array<Record<string, string | number>> = [];
  const cleanups: Array<() => Promise<void>> = [];
  try {
    for (const store of STORES) {
      const { label, args, replicas } = await storeArgs(store, cleanups);
      rows.push(...(await wakeRows(label, args, replicas)));
      if (replicas.length === 1 || process.argv.includes('--no-takeover')) continue;
      const ms = [];
      for (let i = 0; i < (quick ? 1 : 3); i++) ms.push(await takeover(args(`takeover-${i}`)));
      takeovers.push({ store: label, 'takeover s (each run)': ms.map((m) => fmt(m / 1000, 1)).join(', ') });
    }
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
  printTable(`cimaster release → waiter wake-up, one holder and one waiter, ${ROUNDS} releases each (node ${process.version})`, rows);
  if (takeovers.length) printTable('leader takeover after SIGKILL, default --leader-lease-duration=12s --leader-renew-interval=2s', takeovers);
}

void main();
