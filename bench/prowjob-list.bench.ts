// GET /prowjobs on a real kube-apiserver holding 5,000 ProwJobs: one job's latest 50, beside the API server's
// own list of all that job's runs (what a list without the hour label would have to read) and a no-op express
// route, all in one run. The ProwJobs are built from the example config as manual-trigger builds them, labelled
// as it labels them, started over the last 7 days (sinker's default age) and created complete, so no controller
// touches them; one job instead had all its runs in the last hour (the worst case for the hour label).
// Usage: npm run bench -- prowjob-list [--quick]
import { resolve } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { startKubeEnv } from '@ci-stack/kube-env';
import { loadProwConfig } from '@ci-stack/prow-config';
import { newProwJob, postsubmitSpec, type ProwJob } from '@ci-stack/prowjob-api';
import { ProwJobClient } from '@ci-stack/prowjob-client';
import { ROOT, fmt, load, printTable, startNode } from './lib';

const quick = process.argv.includes('--quick');
const TOTAL = 5_000;
/** How many runs each job has and over how many hours they started; the rest are spread over 45 more jobs. */
const SHAPE = [
  { job: 'e2e-busy', runs: 500, hours: 168 },
  { job: 'e2e-typical', runs: 100, hours: 168 },
  { job: 'e2e-burst', runs: 500, hours: 1 },
];
const WEEK_HOURS = 168;
const HOUR = 3_600_000;
const REQUESTS = quick ? 200 : 1_000;
const PROW = { group: 'prow.k8s.io', version: 'v1', namespace: 'prow', plural: 'prowjobs' };

async function seed(objects: CustomObjectsApi): Promise<number> {
  const loaded = await loadProwConfig({ configPath: resolve(ROOT, 'examples/prow/config.yaml'), jobConfigPath: resolve(ROOT, 'examples/prow/jobs') });
  const template = loaded.index.postsubmits('tess/tessops', 'sddz-e2e-k8s-1.32')[0];
  const jobs: Array<{ job: string; hours: number }> = [];
  for (const s of SHAPE) for (let i = 0; i < s.runs; i++) jobs.push({ job: s.job, hours: s.hours });
  for (let i = 0; jobs.length < TOTAL; i++) jobs.push({ job: `e2e-other-${i % 45}`, hours: WEEK_HOURS });
  const started = Date.now();
  let bytes = 0;
  for (let i = 0; i < jobs.length; i += 32) {
    await Promise.all(
      jobs.slice(i, i + 32).map(({ job, hours }) => {
        const spec = postsubmitSpec({ ...template, name: job }, { org: 'tess', repo: 'tessops', base_ref: 'master' });
        const at = started - Math.random() * hours * HOUR;
        const labels = { 'manual-trigger.ci-stack.io/created': 'true', 'manual-trigger.ci-stack.io/triggered-by': 'bench', 'manual-trigger.ci-stack.io/created-hour': new Date(at).toISOString().slice(0, 13).replace(/[-T]/g, '') };
        const pj: ProwJob = newProwJob(spec, labels, { 'manual-trigger.ci-stack.io/triggered-by': 'bench' }, { now: new Date(at) });
        pj.status = { ...pj.status, state: 'success', completionTime: pj.status.startTime };
        bytes += JSON.stringify(pj).length;
        return objects.createNamespacedCustomObject({ ...PROW, body: pj });
      }),
    );
  }
  process.stderr.write(`seeded ${jobs.length} ProwJobs (${fmt(bytes / jobs.length / 1024, 1)} KiB each) in ${fmt((Date.now() - started) / 1000, 1)} s\n`);
  return bytes / jobs.length;
}

async function main(): Promise<void> {
  const env = await startKubeEnv({ namespaces: ['prow'] });
  const rows: Array<Record<string, string | number>> = [];
  const children: Array<{ stop(): Promise<void> }> = [];
  try {
    const objects = env.kubeConfig.makeApiClient(CustomObjectsApi);
    await seed(objects);
    const mt = await startNode(resolve(ROOT, 'dist/apps/manual-trigger/main.js'), [
      '--config-path', resolve(ROOT, 'examples/prow/config.yaml'), '--job-config-path', resolve(ROOT, 'examples/prow/jobs'),
      '--kubeconfig', env.kubeconfigPath, '--namespace', 'prow',
    ]);
    const noop = await startNode(resolve(__dirname, 'noop-server.js'), [], { readyPath: '/' });
    children.push(mt, noop);
    const run = async (what: string, fn: () => Promise<number>, check?: () => Promise<string>) => {
      for (let i = 0; i < 30; i++) await fn(); // warm-up
      const r = await load({ base: mt.url, concurrency: 1, total: REQUESTS, step: async () => fn() });
      rows.push({ what, 'p50 ms': fmt(r.p50ms, 1), 'p99 ms': fmt(r.p99ms, 1), 'req/s': fmt(r.perSecond), errors: r.errors, check: check ? await check() : '' });
    };
    const get = (base: string, path: string) => async () => (await fetch(base + path, { signal: AbortSignal.timeout(30_000) })).status;
    // The API server's own time to hand over every run of the job, through the client manual-trigger uses.
    const client = new ProwJobClient({ kubeConfig: env.kubeConfig, namespace: 'prow' });
    const apiList = (job: string) => async () => {
      let page = await client.list({ labelSelector: `manual-trigger.ci-stack.io/created=true,prow.k8s.io/job=${job}`, limit: 500 });
      while (page.continue) page = await client.list({ labelSelector: `manual-trigger.ci-stack.io/created=true,prow.k8s.io/job=${job}`, limit: 500, continue: page.continue });
      return 200;
    };
    const firstPage = (job: string) => async () => {
      const body = (await (await fetch(`${mt.url}/prowjobs?job=${job}&limit=50`)).json()) as { prowjobs: Array<{ job_name: string }>; continue: string | null };
      return `${body.prowjobs.length} items, continue ${body.continue ? 'set' : 'null'}`;
    };
    await run('no-op express route (baseline)', get(noop.url, '/'));
    for (const s of SHAPE) {
      const shape = `${s.runs} runs in ${s.hours === WEEK_HOURS ? '7 days' : `${s.hours} h`}`;
      await run(`API server: every run of ${s.job} (${shape})`, apiList(s.job));
      await run(`GET /prowjobs?job=${s.job}&limit=50 (${shape})`, get(mt.url, `/prowjobs?job=${s.job}&limit=50`), firstPage(s.job));
    }
    const second = ((await (await fetch(`${mt.url}/prowjobs?job=e2e-busy&limit=50`)).json()) as { continue: string }).continue;
    await run('second page of e2e-busy (continue)', get(mt.url, `/prowjobs?job=e2e-busy&limit=50&continue=${second}`));
  } finally {
    for (const c of children) await c.stop();
    await env.stop();
  }
  printTable(`GET /prowjobs, kube-apiserver v1.37.2 + etcd v3.7.3 holding ${fmt(TOTAL)} ProwJobs, one client, ${fmt(REQUESTS)} requests each`, rows);
}

void main();
