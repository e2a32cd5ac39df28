// Shared pieces of the benchmark scripts: a keep-alive HTTP load generator, percentiles, child processes.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { resolve } from 'node:path';
import { startNodeService } from '@ci-stack/kube-env';

export const ROOT = resolve(__dirname, '..', '..');

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  statuses: Record<string, number>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export interface Reply {
  status: number;
  body: string;
}
export type Send = (method: string, path: string, body?: string) => Promise<Reply>;

/** One request on a keep-alive agent; status 0 on a network error. */
function request(agent: http.Agent, url: URL, method: string, body?: string): Promise<Reply> {
  return new Promise((done) => {
    const req = http.request(url, { method, agent, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', () => done({ status: 0, body: '' }));
    req.end(body);
  });
}

/**
 * `concurrency` clients, each running `step` back to back until `durationMs` passes or `total` steps are done.
 * A step may make several requests (e.g. getvacant then finishtest); its latency is the whole step.
 */
export async function load(opts: {
  concurrency: number;
  durationMs?: number;
  total?: number;
  /** One unit of work; returns the status that counts (the last request's, or the first failure's). */
  step: (client: number, send: Send) => Promise<number>;
  base: string;
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + (opts.durationMs ?? Infinity);
  const send: Send = (method, path, body) => request(agent, new URL(path, opts.base), method, body);
  await Promise.all(
    Array.from({ length: opts.concurrency }, async (_, client) => {
      while (performance.now() < deadline && (opts.total === undefined || started < opts.total)) {
        started++;
        const s = performance.now();
        const status = await opts.step(client, send);
        latencies.push(performance.now() - s);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 0 || status >= 500) errors++;
      }
    }),
  );
  agent.destroy();
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, seconds, perSecond: latencies.length / seconds, p50ms: percentile(latencies, 50), p99ms: percentile(latencies, 99), statuses };
}

export interface Child {
  url: string;
  metricsUrl: string;
  rssMiB(): number;
  /** CPU time (user + system) the process has used so far: unlike throughput, barely moved by a busy machine. */
  cpuSeconds(): number;
  /** SIGKILL: the process dies without any shutdown. */
  kill(): void;
  stop(): Promise<void>;
}

/** Starts a Node service bundle (our services' flags, quiet logs) and waits until `readyPath` answers. */
export async function startNode(script: string, args: string[], opts: { readyPath?: string } = {}): Promise<Child> {
  const service = await startNodeService(script, args, { readyPath: opts.readyPath, logLevel: 'error' });
  const pid = service.process.child.pid;
  return {
    url: service.url,
    metricsUrl: service.metricsUrl,
    kill: () => void service.process.child.kill('SIGKILL'),
    rssMiB: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    // Fields 14 and 15 of /proc/PID/stat (utime, stime) in clock ticks, 100 a second on Linux; the name in field 2
    // may hold spaces, so count from after its closing parenthesis.
    cpuSeconds: () => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    stop: () => service.stop(),
  };
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function printTable(title: string, rows: Array<Record<string, string | number>>): void {
  process.stdout.write(`\n${title}\n`);
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  process.stdout.write(`| ${cols.map((c, i) => c.padEnd(width[i])).join(' | ')} |\n|${width.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
  for (const r of rows) process.stdout.write(`| ${cols.map((c, i) => String(r[c]).padEnd(width[i])).join(' | ')} |\n`);
}
