import express, { type Express, type Request, type Response } from 'express';
import type { ClusterPool } from '@ci-stack/pool';
import { allReady, errorHandler, healthRoutes, httpMetrics, requestContext, type Logger } from '@ci-stack/service-kit';
import { adminCallRoutes } from './admin-calls';
import type { Auth } from './calls';
import type { CreateClusterRequest, TriggerAnswer } from './create-cluster';
import { e2eCallRoutes } from './e2e-calls';
import { getVacantRoutes } from './getvacant';
import type { PoolMetrics } from './metrics';
import { poolRoutes } from './pool-routes';
import { shellClientRoutes } from './shell-client';
import { reply } from './views';

export interface AppDeps {
  pool: ClusterPool;
  metrics: PoolMetrics;
  logger: Logger;
  auth?: Auth;
  createCluster: (req: CreateClusterRequest) => Promise<TriggerAnswer>;
  maxWaitMs: number;
  /** Resolves when the store can be read and trusted; its error is what `/readyz` reports. */
  ready: () => Promise<void>;
}

/** The cimaster HTTP API: the original GET calls (POST works too), plain text by default, JSON on request. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestContext({ logger: deps.logger }));
  app.use(httpMetrics({ registry: deps.metrics.registry, prefix: 'cimaster_' }));
  app.use(shellClientRoutes(deps.pool));
  app.use(healthRoutes({ ready: () => deps.ready().then(() => allReady({ store: { ok: true } }), (err: Error) => allReady({ store: { ok: false, message: err.message } })) }));
  app.use(express.json({ limit: '16kb' }));
  app.use(express.urlencoded({ limit: '16kb', extended: false }));
  app.use(getVacantRoutes(deps));
  app.use(e2eCallRoutes(deps));
  app.use(adminCallRoutes(deps));
  app.use(poolRoutes(deps.pool));
  app.use((req: Request, res: Response) => {
    reply(req, res, 404, `no such call: ${req.method} ${req.path}; see /getvacant, /finishtest, /addcluster, /clusters, /openapi.json`, { code: 'NOT_FOUND' });
  });
  app.use(errorHandler({ render: (req, res, status, body) => reply(req, res, status, body.message, { code: body.code, ...(body.details ? { details: body.details } : {}) }) }));
  return app;
}
