// Prow config: load a ~4,000-job config (wall time, peak RSS in a fresh process), lookups per second, time to
// build one ProwJob, and how long a reload blocks the event loop. Usage: npm run bench -- prow-config
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ConfigWatcher, loadProwConfig } from '@ci-stack/prow-config';
import { generateProwConfig } from '@ci-stack/prow-config/testing';
import { newProwJob, presubmitSpec, type Refs } from '@ci-stack/prowjob-api';
import { fmt, percentile, printTable } from './lib';

async function sizeOf(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--load-once') {
    // Child mode: one cold load, then report wall time and peak RSS of this process.
    const t0 = performance.now();
    const loaded = await loadProwConfig({ configPath: process.argv[3], jobConfigPath: process.argv[4] });
    const ms = performance.now() - t0;
    const counts = loaded.index.counts();
    process.stdout.write(JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, jobs: counts.presubmits + counts.postsubmits + counts.periodics }));
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'bench-prow-'));
  try {
    const paths = await generateProwConfig({ dir, jobs: 4000, seed: 11 });
    const size = await sizeOf(paths.jobConfigPath);
    const loads = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath, [process.argv[1], '--load-once', paths.configPath, paths.jobConfigPath], { encoding: 'utf8' })) as { ms: number; maxRssMiB: number; jobs: number });
    const loadMs = loads.map((l) => l.ms).sort((a, b) => a - b);

    const loaded = await loadProwConfig(paths);
    const pres = loaded.index.list({ type: 'presubmit' });
    const keys = pres.map((j) => [`${j.org}/${j.repo}`, j.name] as const);
    let found = 0;
    const lookups = 3_000_000;
    const l0 = performance.now();
    for (let i = 0; i < lookups; i++) {
      const [repo, name] = keys[i % keys.length];
      if (loaded.index.presubmit(repo, name, 'master')) found++;
    }
    const lookupsPerSecond = lookups / ((performance.now() - l0) / 1000);

    const buildUs: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const [repo, name] = keys[i % keys.length];
      const job = loaded.index.presubmit(repo, name, 'master');
      if (!job) continue;
      const [org, r] = repo.split('/');
      const refs: Refs = { org, repo: r, base_ref: 'master', base_sha: 'abc', pulls: [{ number: i, author: 'a', sha: 'def' }] };
      const s = performance.now();
      newProwJob(presubmitSpec(job, refs), job.labels, job.annotations);
      buildUs.push((performance.now() - s) * 1000);
    }
    buildUs.sort((a, b) => a - b);

    // A reload runs while a 1 ms timer keeps ticking: the longest event-loop delay is how long requests would wait.
    const watcher = new ConfigWatcher({ paths, debounceMs: 50 });
    await watcher.start();
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    const reloads = 5;
    let done = 0;
    const reloaded = new Promise<void>((resolveAll) => {
      watcher.on('reload', () => {
        if (++done === reloads) resolveAll();
        else void watcher.reload();
      });
    });
    histogram.enable();
    void watcher.reload();
    await reloaded;
    histogram.disable();
    await watcher.close();

    printTable(`Prow config: ${fmt(loads[0].jobs)} jobs in ${fmt(size.files)} files, ${fmt(size.bytes / 1048576, 1)} MiB of YAML (node ${process.version})`, [
      { measure: 'cold load, median of 5 (fresh process)', value: `${fmt(percentile(loadMs, 50))} ms`, target: '≤ 1,500 ms' },
      { measure: 'peak RSS of that process, max of 5', value: `${fmt(Math.max(...loads.map((l) => l.maxRssMiB)))} MiB`, target: '≤ 300 MB' },
      { measure: 'lookup (org/repo, name, branch)', value: `${fmt(lookupsPerSecond)} /s`, target: '≥ 1,000,000 /s' },
      { measure: 'build one ProwJob, median', value: `${fmt(percentile(buildUs, 50), 1)} µs`, target: '≤ 50 µs' },
      { measure: 'build one ProwJob, p99', value: `${fmt(percentile(buildUs, 99), 1)} µs`, target: '' },
      { measure: `longest event-loop block during ${reloads} reloads`, value: `${fmt(histogram.max / 1e6, 1)} ms`, target: '≤ 50 ms' },
    ]);
    if (found === 0) throw new Error('no lookups hit');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
