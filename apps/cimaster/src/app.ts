import express, { type Express, type Request, type Response } from 'express';
import { ClusterNotFoundError, NoCapacityError, assertDnsLabel, type ClusterPool } from '@ci-stack/pool';
import { ForbiddenError, ValidationError, allReady, errorHandler, healthRoutes, httpMetrics, requestContext, type Logger } from '@ci-stack/service-kit';
import { type Caller, type Role, type TokenAuth } from './auth';
import type { TriggerAnswer } from './create-cluster';
import type { PoolMetrics } from './metrics';
import { readParams, type ParamSpec } from './params';
import { clusterDetail, clusterView, reply, ticketView } from './views';

export interface AppDeps {
  pool: ClusterPool;
  metrics: PoolMetrics;
  logger: Logger;
  auth?: Pick<TokenAuth, 'identify'>;
  createCluster: (req: { user?: string; branch: string; requestId: string }) => Promise<TriggerAnswer>;
  maxWaitMs: number;
  ready: () => Promise<void>;
}

type Handler = (req: Request, res: Response, params: Record<string, string | number | undefined>, caller: Caller) => Promise<void>;

/** The cimaster HTTP API: the original GET calls (POST works too), plain text by default, JSON on request. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestContext({ logger: deps.logger }));
  app.use(httpMetrics({ registry: deps.metrics.registry, prefix: 'cimaster_' }));
  app.use(healthRoutes({ ready: () => deps.ready().then(() => allReady({ store: { ok: true } }), (err: Error) => allReady({ store: { ok: false, message: err.message } })) }));
  app.use(express.json({ limit: '16kb' }));
  app.use(express.urlencoded({ limit: '16kb', extended: false }));
  const { pool } = deps;

  const route = (path: string, spec: ParamSpec, role: Role, handler: Handler): void => {
    const run = async (req: Request, res: Response): Promise<void> => {
      const caller = deps.auth ? deps.auth.identify(req.get('authorization'), role) : {};
      await handler(req, res, readParams(req, spec), caller);
    };
    app.get(path, run);
    app.post(path, run);
  };
  const str = (v: string | number | undefined): string => String(v);

  route('/getvacant', { build: { kind: 'text', required: true }, job: { kind: 'text', required: true }, region: { kind: 'region' }, wait: { kind: 'duration' } }, 'e2e', async (req, res, p) => {
    const waitMs = (p.wait as number | undefined) ?? 0;
    if (waitMs > deps.maxWaitMs) throw new ValidationError(`wait must be at most ${deps.maxWaitMs / 1000}s`);
    const gone = new AbortController();
    // Only a client that left before its answer cancels the wait (an abort costs an exception object).
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    try {
      const got = await pool.getVacant({ build: str(p.build), job: str(p.job), region: p.region as string | undefined, waitMs, signal: gone.signal });
      deps.metrics.getVacant.inc({ outcome: 'allocated' });
      if (got.queued) deps.metrics.waitSeconds.observe({ outcome: 'allocated' }, got.waitedMs / 1000);
      req.log.info({ cluster: got.cluster.name, build: p.build, job: p.job, waitedMs: got.waitedMs }, 'cluster allocated');
      reply(req, res, 200, got.cluster.name, { cluster: clusterView(got.cluster), waited_seconds: got.waitedMs / 1000 });
    } catch (err) {
      if (err instanceof NoCapacityError) {
        deps.metrics.getVacant.inc({ outcome: 'no_capacity' });
        if (waitMs) deps.metrics.waitSeconds.observe({ outcome: 'timeout' }, waitMs / 1000);
        res.setHeader('Retry-After', '30');
      }
      throw err;
    }
  });

  route('/finishtest', { cluster: { kind: 'cluster', required: true }, build: { kind: 'text' } }, 'e2e', async (req, res, p) => {
    const { cluster, alreadyFinished } = await pool.finish(str(p.cluster), p.build as string | undefined);
    reply(req, res, 200, `cluster ${cluster.name} is finished${alreadyFinished ? ' already' : ' successfully'}`, { cluster: clusterView(cluster), already_finished: alreadyFinished });
  });

  route('/heartbeat', { cluster: { kind: 'cluster', required: true }, build: { kind: 'text', required: true } }, 'e2e', async (req, res, p) => {
    const cluster = await pool.heartbeat(str(p.cluster), str(p.build));
    reply(req, res, 200, `cluster ${cluster.name} lease extended until ${cluster.leaseExpires}`, { cluster: clusterView(cluster) });
  });

  route('/holdcluster', { cluster: { kind: 'cluster', required: true }, hours: { kind: 'hours' }, user: { kind: 'text' } }, 'e2e', async (req, res, p, caller) => {
    const cluster = await pool.hold(str(p.cluster), p.hours as number | undefined, (p.user as string | undefined) ?? caller.identity);
    reply(req, res, 200, `cluster ${cluster.name} is held until ${cluster.holdExpires}`, { cluster: clusterView(cluster) });
  });

  route('/releasecluster', { cluster: { kind: 'cluster', required: true }, user: { kind: 'text' } }, 'e2e', async (req, res, p, caller) => {
    const current = (await pool.snapshot()).clusters[str(p.cluster)];
    const holder = current?.holder?.user;
    const me = caller.identity ?? (p.user as string | undefined);
    if (deps.auth && holder && caller.role !== 'admin' && holder !== me) throw new ForbiddenError(`cluster ${p.cluster} is held by ${holder}; only they or an admin may release it`);
    const cluster = await pool.release(str(p.cluster));
    reply(req, res, 200, `cluster ${cluster.name} is released successfully`, { cluster: clusterView(cluster) });
  });

  route('/addcluster', { cluster: { kind: 'cluster', required: true }, region: { kind: 'region', required: true }, name: { kind: 'text' } }, 'admin', async (req, res, p, caller) => {
    const cluster = await pool.add(str(p.cluster), str(p.region), (p.name as string | undefined) ?? caller.identity);
    req.log.info({ cluster: cluster.name, region: cluster.region, by: cluster.addedBy }, 'cluster added');
    reply(req, res, 200, `cluster ${cluster.name} is added successfully`, { cluster: clusterView(cluster) });
  });

  route('/disablecluster', { cluster: { kind: 'cluster', required: true }, reason: { kind: 'text' } }, 'admin', async (req, res, p) => {
    const cluster = await pool.disable(str(p.cluster), p.reason as string | undefined);
    reply(req, res, 200, `cluster ${cluster.name} is disabled successfully`, { cluster: clusterView(cluster) });
  });

  route('/enablecluster', { cluster: { kind: 'cluster', required: true } }, 'admin', async (req, res, p) => {
    const cluster = await pool.enable(str(p.cluster));
    reply(req, res, 200, `cluster ${cluster.name} is enabled successfully`, { cluster: clusterView(cluster) });
  });

  route('/deletecluster', { cluster: { kind: 'cluster', required: true } }, 'admin', async (req, res, p) => {
    const cluster = await pool.delete(str(p.cluster));
    reply(req, res, 200, `cluster ${cluster.name} is deleted successfully`, { cluster: clusterView(cluster) });
  });

  route('/createcluster', { user: { kind: 'text' }, branch: { kind: 'text' } }, 'admin', async (req, res, p, caller) => {
    const answer = await deps.createCluster({ user: (p.user as string | undefined) ?? caller.identity, branch: (p.branch as string | undefined) ?? 'master', requestId: req.id });
    const text = [`cluster creation job ${answer.job_name} triggered`, answer.status_link && `status: ${answer.status_link}`, answer.log_link && `log: ${answer.log_link}`].filter(Boolean).join('\n');
    reply(req, res, 200, text, { manual_trigger: answer });
  });

  app.get('/clusters', async (req, res) => {
    readParams(req, {});
    const state = await pool.snapshot();
    res.json({ clusters: Object.values(state.clusters).sort((a, b) => a.name.localeCompare(b.name)).map(clusterView), queue: state.queue.map((t, i) => ticketView(t, i + 1)) });
  });
  app.get('/clusters/:name', async (req, res) => {
    const name = req.params.name;
    assertDnsLabel('cluster', name);
    const cluster = (await pool.snapshot()).clusters[name];
    if (!cluster) throw new ClusterNotFoundError(name);
    res.json(clusterDetail(cluster));
  });
  app.get('/queue', async (_req, res) => {
    res.json({ queue: (await pool.queue()).map((t, i) => ticketView(t, i + 1)) });
  });

  app.use((req: Request, res: Response) => {
    reply(req, res, 404, `no such call: ${req.method} ${req.path}; see /getvacant, /finishtest, /addcluster, /clusters`, { code: 'NOT_FOUND' });
  });
  app.use(errorHandler({ render: (req, res, status, body) => reply(req, res, status, body.message, { code: body.code, ...(body.details ? { details: body.details } : {}) }) }));
  return app;
}
