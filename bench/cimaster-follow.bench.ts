// cimaster's lifecycle: how soon a cluster in cleaning is vacant again once its cleanup ProwJob has ended in the API
// server, following the job through manual-trigger's event stream (--follow-events, the default) and, as the
// baseline in the same run, by polling alone (--follow-events=false), both at the default --job-poll-interval 10s.
// A real kube-apiserver, manual-trigger and cimaster (memory store); the benchmark plays plank: it ends the ProwJob
// with a merge patch and times, from the API server's answer to the patch, the answer of a getvacant?wait= queued
// for that cluster. Each job ends at a random point of the 10 s poll cycle, as a real job would.
// Usage: npm run bench -- cimaster-follow [--quick]
import { resolve } from 'node:path';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startKubeEnv } from '@ci-stack/kube-env';
import { type Child, ROOT, fmt, percentile, printTable, startNode } from './lib';

const quick = process.argv.includes('--quick');
const SAMPLES = quick ? 5 : 20;
const POLL_MS = 10_000;
const CLEANUP = 'sddz-e2e-cluster-cleanup';
const PROW = { group: 'prow.k8s.io', version: 'v1', namespace: 'prow', plural: 'prowjobs' };
const MODES = { 'event streams (--follow-events)': ['--follow-events=true'], 'polling only (before)': ['--follow-events=false'] } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function get(base: string, path: string): Promise<string> {
  const res = await fetch(`${base}${path}`, { headers: { accept: 'application/json' } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text}`);
  return text;
}

async function metric(child: Child, name: string): Promise<number> {
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(await (await fetch(child.metricsUrl)).text())?.[1] ?? NaN);
}

/** One sample: a used cluster is finished, its cleanup job triggered, then ended; ms from the patch to vacant. */
async function sample(cm: Child, objects: CustomObjectsApi, cluster: string, streaming: boolean): Promise<number> {
  await get(cm.url, `/addcluster?cluster=${cluster}&region=${cluster}`);
  await get(cm.url, `/getvacant?build=b-${cluster}&job=bench&region=${cluster}`);
  await get(cm.url, `/finishtest?cluster=${cluster}`);
  let job: string | undefined;
  while (!job) {
    job = (JSON.parse(await get(cm.url, `/clusters/${cluster}`)) as { job?: { name?: string | null } }).job?.name ?? undefined;
    if (!job) await sleep(10);
  }
  while (streaming && (await metric(cm, 'cimaster_followed_job_streams')) < 1) await sleep(10);
  await sleep(Math.random() * POLL_MS); // anywhere in the poll cycle
  const waiter = get(cm.url, `/getvacant?build=w-${cluster}&job=bench&region=${cluster}&wait=2m`).then((text) => ({ text, at: performance.now() }));
  while ((JSON.parse(await get(cm.url, '/queue')) as { queue: unknown[] }).queue.length === 0) await sleep(5);
  const body = { status: { state: 'success', description: 'Job succeeded.', completionTime: new Date().toISOString() } };
  await objects.patchNamespacedCustomObject({ ...PROW, name: job, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  const ended = performance.now();
  const vacant = await waiter;
  if ((JSON.parse(vacant.text) as { message: string }).message !== cluster) throw new Error(`waiter got ${vacant.text}`);
  return vacant.at - ended;
}

/** A cimaster of its own with `flags`, and its samples, sorted. */
async function samples(mt: Child, objects: CustomObjectsApi, flags: readonly string[]): Promise<number[]> {
  const cm = await startNode(resolve(ROOT, 'dist/apps/cimaster/main.js'), ['--store', 'memory', '--manual-trigger-url', mt.url, '--cleanup-job', CLEANUP, '--job-poll-interval', `${POLL_MS}ms`, ...flags]);
  try {
    const streaming = flags[0] === '--follow-events=true';
    const ms: number[] = [];
    for (let i = 0; i < SAMPLES; i++) ms.push(await sample(cm, objects, `${streaming ? 'ev' : 'po'}-${i}`, streaming));
    return ms.sort((a, b) => a - b);
  } finally {
    await cm.stop();
  }
}

async function main(): Promise<void> {
  const env = await startKubeEnv({ namespaces: ['prow'] });
  const rows: Array<Record<string, string | number>> = [];
  let mt: Child | undefined;
  try {
    const objects = env.kubeConfig.makeApiClient(CustomObjectsApi);
    mt = await startNode(resolve(ROOT, 'dist/apps/manual-trigger/main.js'), [
      ...['--config-path', resolve(ROOT, 'examples/prow/config.yaml'), '--job-config-path', resolve(ROOT, 'examples/prow/jobs')],
      ...['--kubeconfig', env.kubeconfigPath, '--namespace', 'prow', '--build-id-timeout', '0s', '--allowed-env', 'CLUSTER_NAME,CLUSTER_REGION,CLUSTER_LABELS'],
    ]);
    for (const [mode, flags] of Object.entries(MODES)) {
      const ms = await samples(mt, objects, flags);
      rows.push({ mode, samples: ms.length, 'p50 ms': fmt(percentile(ms, 50), 1), 'p90 ms': fmt(percentile(ms, 90), 1), 'max ms': fmt(ms[ms.length - 1], 1), 'mean ms': fmt(ms.reduce((a, b) => a + b, 0) / ms.length, 1) });
    }
  } finally {
    await mt?.stop();
    await env.stop();
  }
  printTable(`ProwJob ended in the API server → cluster vacant (cleanup job), --job-poll-interval 10s, ${SAMPLES} jobs each`, rows);
}

void main();
