// How soon an SSE client of GET /prowjobs/NAME/events sees a ProwJob change, on a real kube-apiserver: each
// change is a merge patch; we time its arrival at every SSE client against the moment the API server answered
// the patch (it has the change) and against a direct Kubernetes watch on the same object in the same process
// (the floor any watcher could reach). 1 and 100 clients following the one job.
// Usage: npm run bench -- prowjob-events [--quick]
import { resolve } from 'node:path';
import { CustomObjectsApi, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { EventStreamParser } from '@ci-stack/http-contract';
import { startKubeEnv } from '@ci-stack/kube-env';
import { newProwJob } from '@ci-stack/prowjob-api';
import { ROOT, fmt, percentile, printTable, startNode } from './lib';

const quick = process.argv.includes('--quick');
const CHANGES = quick ? 50 : 200;
const PROW = { group: 'prow.k8s.io', version: 'v1', namespace: 'prow', plural: 'prowjobs' };
const NAME = 'bench-follow';

/** Opens one SSE stream; `arrivals` maps each description to when its event arrived. */
async function follow(url: string, arrivals: Map<string, number>, connected: () => void): Promise<AbortController> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  void (async () => {
    const decoder = new TextDecoder();
    const parser = new EventStreamParser();
    try {
      for await (const chunk of res.body ?? []) {
        for (const event of parser.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
          const description = (JSON.parse(event.data) as { description: string | null }).description ?? '';
          if (arrivals.size === 0) connected(); // the first event is the current state
          if (!arrivals.has(description)) arrivals.set(description, performance.now());
        }
      }
    } catch {
      // stopped by the benchmark
    }
  })();
  return controller;
}

/** Resolves once every stream has the event, or at the deadline. */
async function arrival(streams: Array<Map<string, number>>, description: string, deadline: number): Promise<void> {
  while (performance.now() < deadline && streams.some((s) => !s.has(description))) await new Promise((r) => setImmediate(r));
}

async function main(): Promise<void> {
  const env = await startKubeEnv({ namespaces: ['prow'] });
  const rows: Array<Record<string, string | number>> = [];
  let mt: Awaited<ReturnType<typeof startNode>> | undefined;
  try {
    const objects = env.kubeConfig.makeApiClient(CustomObjectsApi);
    const pj = newProwJob({ type: 'periodic', agent: 'kubernetes', job: 'bench', pod_spec: { containers: [{ name: 'test', image: 'busybox' }] } }, { 'manual-trigger.ci-stack.io/created': 'true' }, {}, { name: NAME });
    await objects.createNamespacedCustomObject({ ...PROW, body: pj });
    mt = await startNode(resolve(ROOT, 'dist/apps/manual-trigger/main.js'), [
      '--config-path', resolve(ROOT, 'examples/prow/config.yaml'), '--job-config-path', resolve(ROOT, 'examples/prow/jobs'),
      '--kubeconfig', env.kubeconfigPath, '--namespace', 'prow',
    ]);
    let step = 0;
    for (const followers of [1, 100]) {
      const direct = new Map<string, number>();
      const watch = await new Watch(env.kubeConfig).watch(`/apis/prow.k8s.io/v1/namespaces/prow/prowjobs`, { fieldSelector: `metadata.name=${NAME}` }, (_t, obj: { status?: { description?: string } }) => {
        const d = obj.status?.description ?? '';
        if (!direct.has(d)) direct.set(d, performance.now());
      }, () => undefined);
      const streams: Array<Map<string, number>> = [];
      const controllers: AbortController[] = [];
      let ready = 0;
      for (let i = 0; i < followers; i++) {
        const arrivals = new Map<string, number>();
        streams.push(arrivals);
        controllers.push(await follow(`${mt.url}/prowjobs/${NAME}/events`, arrivals, () => ready++));
      }
      const connectDeadline = Date.now() + 60_000;
      while (ready < followers && Date.now() < connectDeadline) await new Promise((r) => setTimeout(r, 10));
      if (ready < followers) throw new Error(`only ${ready} of ${followers} streams connected`);
      await new Promise((r) => setTimeout(r, 500)); // every stream's watch is open
      const afterAnswer: number[] = [];
      const afterWatch: number[] = [];
      let missing = 0;
      for (let i = 0; i < CHANGES; i++) {
        const description = `change ${++step}`;
        await objects.patchNamespacedCustomObject({ ...PROW, name: NAME, body: { status: { description } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
        const answered = performance.now();
        await arrival(streams, description, answered + 2000);
        const arrived = streams.map((s) => s.get(description)).filter((at): at is number => at !== undefined);
        missing += streams.length - arrived.length;
        afterAnswer.push(...arrived.map((at) => at - answered));
        afterWatch.push(...arrived.map((at) => at - (direct.get(description) ?? answered)));
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const c of controllers) c.abort();
      watch.abort();
      afterAnswer.sort((a, b) => a - b);
      afterWatch.sort((a, b) => a - b);
      rows.push({
        followers,
        events: afterAnswer.length,
        missing,
        'after patch answer p50 ms': fmt(percentile(afterAnswer, 50), 1),
        'p99 ms': fmt(percentile(afterAnswer, 99), 1),
        'after direct watch p50 ms': fmt(percentile(afterWatch, 50), 1),
        'p99 ms ': fmt(percentile(afterWatch, 99), 1),
      });
    }
  } finally {
    await mt?.stop();
    await env.stop();
  }
  printTable(`SSE delivery of a ProwJob change, kube-apiserver v1.37.2 + etcd v3.7.3, ${CHANGES} changes`, rows);
}

void main();
