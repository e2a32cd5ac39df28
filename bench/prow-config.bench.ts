// Prow config on a generated ~4,000-job config: our check-config against Prow's own checkconfig, whole processes
// side by side in one run (wall time, CPU time, peak RSS; rounds alternate which runs first); then, in this
// process, a load that keeps the jobs (manual-trigger's start-up), lookups per second, building one ProwJob, and
// how long a reload blocks the event loop.
// Usage: npm run bench -- prow-config [--rounds=5] [--baseline=path/to/an/older/check-config/main.js]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ensureBinaries } from '@ci-stack/kube-env';
import { ConfigWatcher, loadProwConfig } from '@ci-stack/prow-config';
import { generateProwConfig } from '@ci-stack/prow-config/testing';
import { newProwJob, presubmitSpec, type Refs } from '@ci-stack/prowjob-api';
import { ROOT, fmt, percentile, printTable } from './lib';

const GNU_TIME = '/usr/bin/time';

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

interface Run {
  wallMs: number;
  cpuMs: number;
  maxRssMiB: number;
  ok: boolean;
}

/** One whole process under GNU time: wall clock measured here, CPU and peak RSS as the kernel counted them. */
function timed(command: string[]): Run {
  const started = performance.now();
  const res = spawnSync(GNU_TIME, ['-f', '%U %S %M', ...command], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - started;
  const last = res.stderr.trim().split('\n').pop() ?? '';
  const [user, sys, rssKb] = last.split(' ').map(Number);
  return { wallMs, cpuMs: (user + sys) * 1000, maxRssMiB: rssKb / 1024, ok: res.status === 0 };
}

/**
 * The longest stretch the event loop did not turn, counted in this process's CPU time rather than wall time: a
 * stretch in which the process was not running (other processes had the cores) does not count, so the figure
 * holds on a busy machine. On an idle one it equals the wall-clock figure.
 */
function cpuBlockMonitor(): { stop(): number } {
  let wall = performance.now();
  let cpu = process.cpuUsage();
  let longest = 0;
  const timer = setInterval(() => {
    const nowWall = performance.now();
    const used = process.cpuUsage(cpu);
    longest = Math.max(longest, Math.min(nowWall - wall, (used.user + used.system) / 1000));
    wall = nowWall;
    cpu = process.cpuUsage();
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      return longest;
    },
  };
}

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** The contestants, run in turn for `rounds` rounds, each round starting with another one. */
function sideBySide(contestants: Array<[string, string[]]>, rounds: number): Array<Record<string, string>> {
  const runs = new Map<string, Run[]>(contestants.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contestants.length; k++) {
      const [name, command] = contestants[(round + k) % contestants.length];
      const run = timed(command);
      if (!run.ok) throw new Error(`${name} failed: ${command.join(' ')}`);
      runs.get(name)!.push(run);
    }
  }
  const prowWall = median(runs.get('Prow checkconfig (Go)')!.map((r) => r.wallMs));
  const prowRss = median(runs.get('Prow checkconfig (Go)')!.map((r) => r.maxRssMiB));
  return contestants.map(([name]) => {
    const mine = runs.get(name)!;
    const wall = median(mine.map((r) => r.wallMs));
    const rss = median(mine.map((r) => r.maxRssMiB));
    return {
      command: name,
      wall: `${fmt(wall / 1000, 2)} s`,
      cpu: `${fmt(median(mine.map((r) => r.cpuMs)) / 1000, 2)} s`,
      'peak RSS': `${fmt(rss)} MiB`,
      'wall vs Prow': `${fmt(wall / prowWall, 2)}×`,
      'RSS vs Prow': `${fmt(rss / prowRss, 2)}×`,
    };
  });
}

async function inProcess(paths: { configPath: string; jobConfigPath: string }): Promise<Array<Record<string, string>>> {
  const loadMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const out = execFileSync(process.execPath, [process.argv[1], '--load-once', paths.configPath, paths.jobConfigPath], { encoding: 'utf8' });
    loadMs.push((JSON.parse(out) as { ms: number }).ms);
  }
  const loaded = await loadProwConfig(paths);
  const keys = loaded.index.list({ type: 'presubmit' }).map((j) => [`${j.org}/${j.repo}`, j.name] as const);
  let found = 0;
  const lookups = 3_000_000;
  const l0 = performance.now();
  for (let i = 0; i < lookups; i++) {
    const [repo, name] = keys[i % keys.length];
    if (loaded.index.presubmit(repo, name, 'master')) found++;
  }
  const lookupsPerSecond = lookups / ((performance.now() - l0) / 1000);
  if (found === 0) throw new Error('no lookups hit');

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

  // Reloads run while the event loop is watched at 1 ms resolution: the longest delay is how long a request waits.
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
  const r0 = performance.now();
  histogram.enable();
  const cpuBlocks = cpuBlockMonitor();
  void watcher.reload();
  await reloaded;
  const longestCpuBlock = cpuBlocks.stop();
  histogram.disable();
  await watcher.close();
  // The same watch over an idle event loop for as long: what the machine alone (other processes, the scheduler)
  // adds to the figure above.
  const idle = monitorEventLoopDelay({ resolution: 1 });
  idle.enable();
  await new Promise((resolve) => setTimeout(resolve, performance.now() - r0));
  idle.disable();

  return [
    { measure: 'load keeping the jobs (manual-trigger start-up), median of 3', value: `${fmt(median(loadMs))} ms`, target: '' },
    { measure: 'lookup (org/repo, name, branch)', value: `${fmt(lookupsPerSecond)} /s`, target: '≥ 1,000,000 /s' },
    { measure: 'build one ProwJob, median', value: `${fmt(percentile(buildUs, 50), 1)} µs`, target: '≤ 50 µs' },
    { measure: 'build one ProwJob, p99', value: `${fmt(percentile(buildUs, 99), 1)} µs`, target: '' },
    { measure: `longest event-loop block during ${reloads} reloads`, value: `${fmt(histogram.max / 1e6, 1)} ms`, target: '≤ 50 ms' },
    { measure: 'longest event-loop delay while idle, as long', value: `${fmt(idle.max / 1e6, 1)} ms`, target: '' },
    { measure: `longest event-loop block during ${reloads} reloads, in CPU time`, value: `${fmt(longestCpuBlock, 1)} ms`, target: '≤ 50 ms' },
  ];
}

async function main(): Promise<void> {
  if (process.argv[2] === '--load-once') {
    const t0 = performance.now();
    await loadProwConfig({ configPath: process.argv[3], jobConfigPath: process.argv[4] });
    process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }));
    return;
  }
  const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const rounds = Number(arg('rounds') ?? 5);
  if (!existsSync(GNU_TIME)) throw new Error(`this benchmark needs GNU time at ${GNU_TIME} (Debian: apt-get install time)`);
  const checkConfig = join(ROOT, 'dist', 'tools', 'check-config', 'main.js');
  const { checkconfig } = await ensureBinaries(['prow']);
  const dir = await mkdtemp(join(tmpdir(), 'bench-prow-'));
  try {
    const paths = await generateProwConfig({ dir, jobs: 4000, seed: 11 });
    const size = await sizeOf(paths.jobConfigPath);
    const flags = ['--config-path', paths.configPath, '--job-config-path', paths.jobConfigPath];
    const contestants: Array<[string, string[]]> = [
      ['npm run check-config (Node)', [process.execPath, checkConfig, ...flags]],
      ['Prow checkconfig (Go)', [checkconfig!, ...flags]],
    ];
    const baseline = arg('baseline');
    if (baseline) contestants.push([`baseline ${baseline}`, [process.execPath, baseline, ...flags]]);
    const title = `Prow config: ${fmt(size.files)} files, ${fmt(size.bytes / 1048576, 1)} MiB of YAML, whole processes, medians of ${rounds} (node ${process.version})`;
    printTable(title, sideBySide(contestants, rounds));
    printTable('In this process', await inProcess(paths));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
