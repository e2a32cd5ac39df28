// cimaster's configmap store against a real kube-apiserver (tools/kube-env): getvacant + finishtest cycles with
// 64 clients, one and two replicas. Usage: npm run bench -- cimaster-kube [--quick]
// [--baseline=path/to/older/dist/apps/cimaster/main.js]: with a baseline, each row runs the baseline and this build
// alternately, --passes times each (3), and reports both (the best pass: interference only slows a run down).
import { resolve } from 'node:path';
import { startKubeEnv } from '@ci-stack/kube-env';
import { type Child, ROOT, type Send, fmt, load, printTable, startNode } from './lib';

const quick = process.argv.includes('--quick');
const DURATION = quick ? 5_000 : 15_000;
const CLIENTS = 64;
const CLUSTERS = 80;
const BASELINE = process.argv.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length);
const PASSES = Number(process.argv.find((a) => a.startsWith('--passes='))?.slice('--passes='.length) ?? 3);
const THIS = resolve(ROOT, 'dist/apps/cimaster/main.js');

async function measure(kubeconfig: string, name: string, replicas: number, script: string): Promise<Record<string, string | number> & { perSecond: number }> {
  const args = ['--store', 'configmap', '--kubeconfig', kubeconfig, '--configmap-namespace', 'ci', '--configmap-name', name];
  const children: Child[] = [];
  for (let i = 0; i < replicas; i++) children.push(await startNode(script, args));
  for (let i = 0; i < CLUSTERS; i++) await fetch(`${children[0].url}/addcluster?cluster=c${i}&region=r`);
  let n = 0;
  // Client i talks to replica i % replicas; each cycle takes a cluster and gives it back.
  const run = (durationMs: number) =>
    Promise.all(
      children.map((child, r) =>
        load({
          base: child.url,
          concurrency: CLIENTS / replicas,
          durationMs,
          step: async (client: number, send: Send) => {
            const build = `r${r}-c${client}-${n++}`;
            const got = await send('GET', `/getvacant?build=${build}&job=bench`);
            if (got.status !== 200) return got.status;
            return (await send('GET', `/finishtest?cluster=${got.body}&build=${build}`)).status;
          },
        }),
      ),
    );
  await run(1_000);
  const cpu = children.reduce((t, c) => t + c.cpuSeconds(), 0);
  const results = await run(DURATION);
  const cpuMs = (children.reduce((t, c) => t + c.cpuSeconds(), 0) - cpu) * 1000;
  for (const c of children) await c.stop();
  const perSecond = results.reduce((s, r) => s + r.perSecond, 0);
  const worstP99 = Math.max(...results.map((r) => r.p99ms));
  const p50 = results.map((r) => r.p50ms).sort((a, b) => a - b)[Math.floor(results.length / 2)];
  const failed = results.reduce((s, r) => s + r.requests - (r.statuses['200'] ?? 0), 0);
  const cycles = results.reduce((t, r) => t + r.requests, 0);
  return { perSecond, 'cycles/s': fmt(perSecond), 'p50 ms': fmt(p50, 1), 'p99 ms': fmt(worstP99, 1), 'non-200': failed, 'cimaster CPU ms/cycle': fmt(cpuMs / cycles, 3) };
}

async function main(): Promise<void> {
  const env = await startKubeEnv({ namespaces: ['ci'] });
  const rows: Array<Record<string, string | number>> = [];
  try {
    const builds = BASELINE ? [{ label: ' (baseline)', script: resolve(BASELINE) }, { label: ' (this build)', script: THIS }] : [{ label: '', script: THIS }];
    let runs = 0;
    for (const replicas of [1, 2]) {
      const best = new Map<string, Record<string, string | number> & { perSecond: number }>();
      // Alternate the builds so that drift on a shared machine hits both alike.
      for (let pass = 0; pass < (BASELINE ? PASSES : 1); pass++) {
        // ABBA order: neither build always runs first.
        for (const build of pass % 2 ? [...builds].reverse() : builds) {
          const row = await measure(env.kubeconfigPath, `bench-${++runs}`, replicas, build.script);
          const prev = best.get(build.label);
          if (!prev || row.perSecond > prev.perSecond) best.set(build.label, row);
        }
      }
      for (const build of builds) {
        const { perSecond: _, ...row } = best.get(build.label) as Record<string, string | number> & { perSecond: number };
        rows.push({ replicas: `${replicas}${build.label}`, ...row });
      }
    }
  } finally {
    await env.stop();
  }
  printTable(`cimaster configmap store on a real kube-apiserver v1.37.2 + etcd v3.7.3, ${CLIENTS} clients, ${CLUSTERS} clusters, ${DURATION / 1000} s`, rows);
}

void main();
