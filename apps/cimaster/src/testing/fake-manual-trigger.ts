import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type State = 'triggered' | 'pending' | 'success' | 'failure' | 'error' | 'aborted';

interface FakeJob {
  name: string;
  job: string;
  state: State;
  description: string | null;
  /** Every version, oldest first: what a watch from a resourceVersion replays. */
  versions: Array<{ rv: number; state: State; description: string | null; deleted?: boolean }>;
}

const ENDED = new Set<State>(['success', 'failure', 'error', 'aborted']);

/**
 * manual-trigger over real HTTP, as far as cimaster's lifecycle uses it: trigger (with Idempotency-Key), read a
 * ProwJob, and its Server-Sent Events (`Last-Event-ID` replays what followed, 204 when it had ended). Knobs: answer
 * the events route as an older manual-trigger does (404, 405), drop open streams; it records every request.
 */
export class FakeManualTrigger {
  /** Event requests, with the Last-Event-ID each sent. */
  readonly eventRequests: Array<{ name: string; lastEventId: string | undefined }> = [];
  /** `GET /prowjobs/NAME` reads (polls). */
  readonly reads: string[] = [];
  /** Set to answer the events route as a manual-trigger without it does (404, 405), or always with 204. */
  eventsRoute: 'served' | 204 | 404 | 405 = 'served';
  private readonly jobs = new Map<string, FakeJob>();
  private readonly byKey = new Map<string, string>();
  private readonly open = new Map<string, Set<ServerResponse>>();
  private rv = 100;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const streams of this.open.values()) for (const res of streams) res.destroy();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Event streams open now, for one ProwJob or all. */
  openStreams(name?: string): number {
    if (name) return this.open.get(name)?.size ?? 0;
    let n = 0;
    for (const s of this.open.values()) n += s.size;
    return n;
  }

  /** Plank moves the ProwJob on (a new resourceVersion); open streams hear it. */
  set(name: string, state: State, description: string | null = null): void {
    const job = this.must(name);
    Object.assign(job, { state, description });
    this.bump(job, {});
  }

  /** Sinker deletes the ProwJob. */
  delete(name: string): void {
    this.bump(this.must(name), { deleted: true });
    this.jobs.delete(name);
  }

  /** The network drops the open streams of this ProwJob (without their end). */
  drop(name: string): void {
    for (const res of this.open.get(name) ?? []) res.destroy();
  }

  private must(name: string): FakeJob {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no ProwJob ${name}`);
    return job;
  }

  private bump(job: FakeJob, extra: { deleted?: boolean }): void {
    const version = { rv: ++this.rv, state: job.state, description: job.description, ...extra };
    job.versions.push(version);
    for (const res of [...(this.open.get(job.name) ?? [])]) this.send(res, job, version);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const events = /^\/prowjobs\/([^/]+)\/events$/.exec(url.pathname);
    const one = /^\/prowjobs\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'POST' && url.pathname === '/manual-trigger') return this.trigger(req, res);
    if (req.method === 'GET' && events) return this.events(decodeURIComponent(events[1]), req, res);
    if (req.method === 'GET' && one) return this.read(decodeURIComponent(one[1]), res);
    json(res, 404, { success: false, message: 'no such route', code: 'NOT_FOUND' });
  }

  private async trigger(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const { prowjob } = JSON.parse(body) as { prowjob: string };
    const key = req.headers['idempotency-key'] as string | undefined;
    const replay = key ? this.byKey.get(key) : undefined;
    if (replay) return json(res, 200, { ...this.answer(this.must(replay)), idempotent_replay: true });
    const name = `pj-${this.jobs.size + 1}`;
    const job: FakeJob = { name, job: prowjob, state: 'pending', description: null, versions: [] };
    this.jobs.set(name, job);
    if (key) this.byKey.set(key, name);
    this.bump(job, {});
    json(res, 201, this.answer(job));
  }

  private read(name: string, res: ServerResponse): void {
    this.reads.push(name);
    const job = this.jobs.get(name);
    if (!job) return json(res, 404, { success: false, message: `ProwJob ${name} not found`, code: 'PROWJOB_NOT_FOUND' });
    json(res, 200, { ...this.answer(job), description: job.description, start_time: null, pending_time: null, completion_time: null, pod_name: null });
  }

  private events(name: string, req: IncomingMessage, res: ServerResponse): void {
    const lastEventId = req.headers['last-event-id'] as string | undefined;
    this.eventRequests.push({ name, lastEventId });
    if (this.eventsRoute === 404) return json(res, 404, { success: false, message: `no such route: GET /prowjobs/${name}/events`, code: 'NOT_FOUND' });
    if (this.eventsRoute === 405) return json(res, 405, { success: false, message: 'method not allowed', code: 'METHOD_NOT_ALLOWED' });
    if (this.eventsRoute === 204) return void res.writeHead(204).end();
    const job = this.jobs.get(name);
    if (!job) return json(res, 404, { success: false, message: `ProwJob ${name} not found`, code: 'PROWJOB_NOT_FOUND' });
    const current = job.versions.at(-1)!;
    if (lastEventId === String(current.rv) && ENDED.has(current.state)) return void res.writeHead(204).end();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('retry: 2000\n\n');
    const missed = lastEventId === undefined ? [current] : job.versions.filter((v) => v.rv > Number(lastEventId));
    const streams = this.open.get(name) ?? new Set<ServerResponse>();
    this.open.set(name, streams);
    streams.add(res);
    res.on('close', () => streams.delete(res));
    for (const v of missed) this.send(res, job, v);
  }

  /** One event; the stream ends after the job ended or was deleted, as manual-trigger's does. */
  private send(res: ServerResponse, job: FakeJob, v: FakeJob['versions'][number]): void {
    if (res.writableEnded || res.destroyed) return;
    const data = { job_name: job.name, job: job.job, type: 'postsubmit', state: v.state, build_id: '1', description: v.description, status_link: null, log_link: `https://prow/log/${job.name}`, url: null, namespace: 'prow', start_time: null, pending_time: null, completion_time: null, pod_name: null, refs: null, triggered_by: null, rerun_of: null, ended: ENDED.has(v.state) };
    res.write(`id: ${v.rv}\nevent: ${v.deleted ? 'deleted' : 'status'}\ndata: ${JSON.stringify(data)}\n\n`);
    if (v.deleted || data.ended) {
      this.open.get(job.name)?.delete(res);
      res.end();
    }
  }

  private answer(job: FakeJob): Record<string, unknown> {
    return { success: true, message: 'ProwJob created successfully', job_name: job.name, status_link: null, log_link: `https://prow/log/${job.name}`, build_id: '1', state: job.state, type: 'postsubmit', job: job.job };
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
