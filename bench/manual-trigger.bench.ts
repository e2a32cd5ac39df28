// manual-trigger over HTTP, each figure beside a no-op express route measured in the same run:
// dry-run triggers (32 clients), creates against a fake API server answering in 5 ms (32 clients), and RSS
// over 100,000 dry-run requests. Usage: npm run bench -- manual-trigger [--quick]
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { type Child, ROOT, fmt, load, printTable, startNode } from './lib';

const quick = process.argv.includes('--quick');
const DURATION = quick ? 3_000 : 10_000;
const BODY = JSON.stringify({ org: 'tess', repo: 'tessops', base_ref: 'master', prowtype: 'postsubmit', prowjob: 'sddz-e2e-k8s-1.32', user: 'bench' });
const MT = resolve(ROOT, 'dist/apps/manual-trigger/main.js');
const CONFIG = ['--config-path', resolve(ROOT, 'examples/prow/config.yaml'), '--job-config-path', resolve(ROOT, 'examples/prow/jobs')];

async function fakeApi(latencyMs: number): Promise<{ kubeconfig: string; stop: () => void }> {
  const proc = spawn(process.execPath, [resolve(__dirname, 'fake-kube-api.js'), String(latencyMs), '--plank'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const kubeconfig = await new Promise<string>((ok) => proc.stdout?.once('data', (d: Buffer) => ok(d.toString().trim())));
  return { kubeconfig, stop: () => proc.kill() };
}

async function measure(child: Child, concurrency: number, step: Parameters<typeof load>[0]['step']) {
  await load({ base: child.url, concurrency, durationMs: 1_000, step }); // warm-up
  return load({ base: child.url, concurrency, durationMs: DURATION, step });
}

async function main(): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  const row = (what: string, r: Awaited<ReturnType<typeof load>>, baseline?: number) =>
    rows.push({ what, 'req/s': fmt(r.perSecond), 'p50 ms': fmt(r.p50ms, 2), 'p99 ms': fmt(r.p99ms, 2), errors: r.errors, 'of no-op': baseline ? `${fmt((100 * r.perSecond) / baseline)} %` : '' });

  const noop = await startNode(resolve(__dirname, 'noop-server.js'), [], { readyPath: '/' });
  const noopResult = await measure(noop, 32, async (_c, send) => (await send('POST', '/manual-trigger', BODY)).status);
  await noop.stop();
  row('no-op express route, 32 clients', noopResult);

  const dry = await startNode(MT, [...CONFIG, '--dry-run']);
  const dryResult = await measure(dry, 32, async (_c, send) => (await send('POST', '/manual-trigger', BODY)).status);
  row('dry-run trigger, 32 clients', dryResult, noopResult.perSecond);
  // Memory: RSS after warm-up, then after each quarter of 100,000 more requests. Flat means no upward trend
  // beyond the garbage collector's swings.
  const memory = [{ requests: 'after warm-up', rss: `${fmt(dry.rssMiB(), 1)} MiB` }];
  const quarter = quick ? 5_000 : 25_000;
  for (let i = 1; i <= 4; i++) {
    await load({ base: dry.url, concurrency: 32, total: quarter, step: async (_c, send) => (await send('POST', '/manual-trigger', BODY)).status });
    memory.push({ requests: `+${fmt(i * quarter)}`, rss: `${fmt(dry.rssMiB(), 1)} MiB` });
  }
  await dry.stop();

  const api = await fakeApi(5);
  const live = await startNode(MT, [...CONFIG, '--kubeconfig', api.kubeconfig, '--build-id-timeout', '2s']);
  const liveResult = await measure(live, 32, async (_c, send) => (await send('POST', '/manual-trigger', BODY)).status);
  await live.stop();
  api.stop();
  row('create + wait for BuildID, API at 5 ms, 32 clients', liveResult, noopResult.perSecond);

  printTable(`manual-trigger (node ${process.version}, ${DURATION / 1000} s per run)`, rows);
  printTable('manual-trigger RSS under dry-run load (32 clients)', memory);
}

void main();
