// cimaster on a Redis that stops answering: redis-server gets SIGSTOP (it still accepts connections, answers
// nothing), stays stopped a while, then gets SIGCONT. Probes send GET /clusters, /readyz and /getvacant one after
// another on their own connections; a run reports, per route, how long after SIGSTOP the first 503 came (and the
// longest answer while frozen) and how long after SIGCONT the first 200 came.
// Usage: npm run bench -- redis-freeze [--runs=5] [--frozen=5s] [--redis-timeout=2s] [--routes=/clusters,/readyz]
//        [--bundle=PATH]  (another build of cimaster, e.g. an older commit's)
import { resolve } from 'node:path';
import { parseDuration } from '@ci-stack/core';
import { startRedisServer } from '@ci-stack/pool-store/testing';
import { ROOT, fmt, percentile, printTable, startNode } from './lib';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const RUNS = Number(arg('runs') ?? 5);
const FROZEN_MS = parseDuration(arg('frozen') ?? '5s');
const REDIS_TIMEOUT = arg('redis-timeout') ?? '2s';
const CM = arg('bundle') ?? resolve(ROOT, 'dist/apps/cimaster/main.js');
/** A probe that got no answer by then gives up (an older cimaster never answers a frozen Redis). */
const PROBE_GIVE_UP_MS = 20_000;
const ROUTES = (arg('routes') ?? '/clusters,/readyz,/getvacant').split(',').map((r) => (r === '/getvacant' ? '/getvacant?build=probe&job=bench&wait=10' : r));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  sent: number;
  at: number;
  status: number;
  /** The error code of a JSON error answer (REDIS_UNAVAILABLE, NO_VACANT_CLUSTER, ...). */
  code?: string;
}

async function ask(base: string, path: string): Promise<Omit<Answer, 'sent' | 'at'>> {
  try {
    const res = await fetch(`${base}${path}`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(PROBE_GIVE_UP_MS) });
    const body = (await res.json().catch(() => ({}))) as { code?: string; cluster?: { name: string } };
    // getvacant takes a cluster: give it back, without waiting (a give-back lost to the freeze costs one cluster).
    if (res.status === 200 && body.cluster) void ask(base, `/finishtest?cluster=${body.cluster.name}`);
    return { status: res.status, code: body.code };
  } catch {
    return { status: 0 }; // no answer within PROBE_GIVE_UP_MS
  }
}

/** Asks `path` again as soon as each answer comes, until `stop`; every answer with its send and arrival time. */
async function probe(base: string, path: string, stop: { done: boolean }): Promise<Answer[]> {
  const answers: Answer[] = [];
  while (!stop.done) {
    const sent = performance.now();
    answers.push({ sent, ...(await ask(base, path)), at: performance.now() });
    await sleep(10);
  }
  return answers;
}

/** A 503 because of the store (not a no-capacity one); /readyz answers without a code. */
const storeDown = (a: Answer): boolean => a.status === 503 && (a.code === undefined || a.code === 'REDIS_UNAVAILABLE');

async function main(): Promise<void> {
  const redis = await startRedisServer();
  // A build from before --redis-timeout refuses the flag: give it only when asked for or to this build.
  const timeoutFlag = arg('redis-timeout') !== undefined || arg('bundle') === undefined ? [`--redis-timeout=${REDIS_TIMEOUT}`] : [];
  const cimaster = await startNode(CM, ['--store', 'redis', '--redis-url', redis.url, ...timeoutFlag, '--sweep-interval=1h'], { readyPath: '/readyz' });
  const rows: Array<Record<string, string | number>> = [];
  const firstFailures: Record<string, number[]> = {};
  const recoveries: Record<string, number[]> = {};
  try {
    for (let i = 0; i < 20; i++) await fetch(`${cimaster.url}/addcluster?cluster=c${i}&region=r`);
    for (let run = 1; run <= RUNS; run++) {
      const stop = { done: false };
      const probes = ROUTES.map((path) => probe(cimaster.url, path, stop));
      await sleep(500);
      const frozenAt = performance.now();
      await redis.freeze();
      await sleep(FROZEN_MS);
      const thawedAt = performance.now();
      redis.thaw();
      await sleep(3000);
      stop.done = true;
      const answers = await Promise.all(probes);
      ROUTES.forEach((path, i) => {
        const during = answers[i].filter((a) => a.at > frozenAt && a.sent < thawedAt);
        const first503 = during.find(storeDown);
        const back = answers[i].find((a) => a.sent >= thawedAt && a.status === 200);
        const firstFailure = first503 ? first503.at - frozenAt : NaN;
        const recovery = back ? back.at - thawedAt : NaN;
        (firstFailures[path] ??= []).push(firstFailure);
        (recoveries[path] ??= []).push(recovery);
        rows.push({
          run,
          route: path.split('?')[0],
          'SIGSTOP → first 503 (ms)': first503 ? fmt(firstFailure) : `none in ${fmt(FROZEN_MS)}`,
          'longest answer while frozen (ms)': during.length ? fmt(Math.max(...during.map((a) => a.at - a.sent))) : 'none',
          'answers while frozen': `${during.filter(storeDown).length}×503, ${during.filter((a) => !storeDown(a)).length} other`,
          'SIGCONT → first 200 (ms)': back ? fmt(recovery) : 'none',
        });
      });
    }
  } finally {
    await cimaster.stop();
    redis.thaw();
    await redis.stop();
  }
  printTable(`Redis frozen for ${FROZEN_MS / 1000}s, ${timeoutFlag[0] ?? 'no --redis-timeout'}, probes ${ROUTES.join(' ')}, ${RUNS} runs (${CM})`, rows);
  const summary = ROUTES.map((path) => {
    const f = [...firstFailures[path]].sort((a, b) => a - b);
    const r = [...recoveries[path]].sort((a, b) => a - b);
    return { route: path.split('?')[0], 'first 503, median (ms)': fmt(percentile(f, 50)), 'first 503, max (ms)': fmt(f[f.length - 1]), 'first 200, median (ms)': fmt(percentile(r, 50)), 'first 200, max (ms)': fmt(r[r.length - 1]) };
  });
  printTable('Summary', summary);
}

void main();
