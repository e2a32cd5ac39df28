// cimaster: getvacant + finishtest cycles with 64 clients per store, beside a no-op express route measured in
// the same run. Usage: npm run bench -- cimaster [--quick] [--stores=memory,file,redis,configmap] [--bundle=PATH]
// (--bundle: another build of cimaster, e.g. an older commit's, to compare with the one in dist/)
// [--baseline=PATH [--passes=3]]: runs that other build and dist/'s alternately (ABBA), --passes times each, on each
// store, and reports both side by side (each its best pass: interference on a shared machine only slows a run).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startRedisServer } from '@ci-stack/pool-store/testing';
import { type Child, type LoadResult, ROOT, type Send, fmt, load, printTable, startNode } from './lib';

const quick = process.argv.includes('--quick');
const DURATION = quick ? 3_000 : 10_000;
const CLIENTS = 64;
const CLUSTERS = 80;
const CM = resolve(process.argv.find((a) => a.startsWith('--bundle='))?.slice('--bundle='.length) ?? resolve(ROOT, 'dist/apps/cimaster/main.js'));
const storesArg = process.argv.find((a) => a.startsWith('--stores='))?.slice('--stores='.length);
const STORES = (storesArg ?? 'memory,file,redis,configmap').split(',');
const BASELINE = process.argv.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length);
const PASSES = Number(process.argv.find((a) => a.startsWith('--passes='))?.slice('--passes='.length) ?? 3);

async function runCycles(child: Child) {
  for (let i = 0; i < CLUSTERS; i++) await fetch(`${child.url}/addcluster?cluster=bench-${i}&region=r`);
  let n = 0;
  // One cycle: take a cluster (its name is the reply), give it back with the build, as a careful script does.
  const step = async (client: number, send: Send) => {
    const build = `c${client}-${n++}`;
    const got = await send('GET', `/getvacant?build=${build}&job=bench`);
    if (got.status !== 200) return got.status;
    return (await send('GET', `/finishtest?cluster=${got.body}&build=${build}`)).status;
  };
  await load({ base: child.url, concurrency: CLIENTS, durationMs: 1_000, step });
  const cpuBefore = child.cpuSeconds();
  const result = await load({ base: child.url, concurrency: CLIENTS, durationMs: DURATION, step });
  return { ...result, cpuMicrosPerCycle: ((child.cpuSeconds() - cpuBefore) * 1e6) / result.requests };
}

/** Steps whose answer was not 200, as measured (the baseline's too: a failing baseline would flatter the rest). */
const non200 = (r: LoadResult): number => r.requests - (r.statuses['200'] ?? 0);

type Cycles = Awaited<ReturnType<typeof runCycles>>;

const faster = (a: Cycles | undefined, b: Cycles): Cycles => (a && a.perSecond >= b.perSecond ? a : b);

async function runStore(store: string, script: string): Promise<Cycles> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-cimaster-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rm(dir, { recursive: true, force: true })];
  let args: string[];
  if (store === 'memory') args = ['--store', 'memory'];
  else if (store === 'file') args = ['--store', 'file', '--state-file', join(dir, 'pool.json')];
  else if (store === 'redis') {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    args = ['--store', 'redis', '--redis-url', redis.url];
  } else {
    const proc = spawn(process.execPath, [resolve(__dirname, 'fake-kube-api.js'), '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const kubeconfig = await new Promise<string>((ok) => proc.stdout?.once('data', (d: Buffer) => ok(d.toString().trim())));
    cleanups.push(() => void proc.kill());
    args = ['--store', 'configmap', '--kubeconfig', kubeconfig, '--configmap-namespace', 'ci', '--configmap-name', 'clusters'];
  }
  const child = await startNode(script, args);
  try {
    return await runCycles(child);
  } finally {
    await child.stop();
    for (const c of cleanups.reverse()) await c();
  }
}

async function main(): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  const noop = await startNode(resolve(__dirname, 'noop-server.js'), [], { readyPath: '/' });
  const noopResult = await load({ base: noop.url, concurrency: CLIENTS, durationMs: DURATION, step: async (_c, send) => (await send('GET', '/getvacant'), (await send('GET', '/finishtest')).status) });
  await noop.stop();
  rows.push({ store: 'no-op express route (2 requests)', 'cycles/s': fmt(noopResult.perSecond), 'p50 ms': fmt(noopResult.p50ms, 2), 'p99 ms': fmt(noopResult.p99ms, 2), 'non-200': non200(noopResult), 'of no-op': '', 'server CPU µs/cycle': '' });

  const builds = BASELINE ? [{ label: ' (baseline)', script: resolve(BASELINE) }, { label: ' (this build)', script: CM }] : [{ label: '', script: CM }];
  for (const store of STORES) {
    const best = new Map<string, Cycles>();
    for (let pass = 0; pass < (BASELINE ? PASSES : 1); pass++) {
      // ABBA order: neither build always runs first.
      for (const build of pass % 2 ? [...builds].reverse() : builds) best.set(build.label, faster(best.get(build.label), await runStore(store, build.script)));
    }
    const label = store === 'configmap' ? 'configmap (fake API server, 5 ms)' : store === 'file' ? 'file (fsync before rename)' : store;
    for (const build of builds) {
      const r = best.get(build.label) as Cycles;
      rows.push({ store: label + build.label, 'cycles/s': fmt(r.perSecond), 'p50 ms': fmt(r.p50ms, 2), 'p99 ms': fmt(r.p99ms, 2), 'non-200': non200(r), 'of no-op': `${fmt((100 * r.perSecond) / noopResult.perSecond, 1)} %`, 'server CPU µs/cycle': fmt(r.cpuMicrosPerCycle) });
    }
  }
  printTable(`cimaster getvacant + finishtest, ${CLIENTS} clients, ${CLUSTERS} clusters (node ${process.version}, ${DURATION / 1000} s per store)`, rows);
}

void main();
