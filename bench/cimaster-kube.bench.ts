// cimaster's configmap store against a real kube-apiserver (tools/kube-env): getvacant + finishtest cycles with
// 64 clients, one and two replicas. Usage: npm run bench -- cimaster-kube [--quick]
import { resolve } from 'node:path';
import { startKubeEnv } from '@ci-stack/kube-env';
import { type Child, ROOT, type Send, fmt, load, printTable, startNode } from './lib';

const quick = process.argv.includes('--quick');
const DURATION = quick ? 5_000 : 15_000;
const CLIENTS = 64;
const CLUSTERS = 80;

async function main(): Promise<void> {
  const env = await startKubeEnv({ namespaces: ['ci'] });
  const rows: Array<Record<string, string | number>> = [];
  try {
    for (const replicas of [1, 2]) {
      const name = `bench-${replicas}`;
      const args = ['--store', 'configmap', '--kubeconfig', env.kubeconfigPath, '--configmap-namespace', 'ci', '--configmap-name', name];
      const children: Child[] = [];
      for (let i = 0; i < replicas; i++) children.push(await startNode(resolve(ROOT, 'dist/apps/cimaster/main.js'), args));
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
      const results = await run(DURATION);
      for (const c of children) await c.stop();
      const perSecond = results.reduce((s, r) => s + r.perSecond, 0);
      const worstP99 = Math.max(...results.map((r) => r.p99ms));
      const p50 = results.map((r) => r.p50ms).sort((a, b) => a - b)[Math.floor(results.length / 2)];
      const failed = results.reduce((s, r) => s + r.requests - (r.statuses['200'] ?? 0), 0);
      rows.push({ replicas, 'cycles/s': fmt(perSecond), 'p50 ms': fmt(p50, 1), 'p99 ms': fmt(worstP99, 1), 'non-200': failed });
    }
  } finally {
    await env.stop();
  }
  printTable(`cimaster configmap store on a real kube-apiserver v1.37.2 + etcd v3.7.3, ${CLIENTS} clients, ${CLUSTERS} clusters, ${DURATION / 1000} s`, rows);
}

void main();
