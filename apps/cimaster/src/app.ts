import express, { type Express, type Request, type Response } from 'express';
import type { Cluster, ClusterPool } from '@ci-stack/pool';
import { systemClock } from '@ci-stack/core';
import { consoleRoutes, crossSiteGuard, errorHandler, healthRoutes, httpMetrics, requestContext, type Logger, type ReadinessCheck, type StaticAssets } from '@ci-stack/service-kit';
import { adminCallRoutes } from './admin-calls';
import type { Auth } from './calls';
import type { CreateClusterRequest, TriggerAnswer } from './create-cluster';
import { e2eCallRoutes } from './e2e-calls';
import { getVacantRoutes } from './getvacant';
import type { ProvisionCall } from './job-follower';
import type { PoolMetrics } from './metrics';
import { PoolEventHub, poolEventRoutes } from './pool-events';
import { poolRoutes } from './pool-routes';
import { shellClientRoutes } from './shell-client';
import { reply } from './views';

export interface AppDeps {
  pool: ClusterPool;
  metrics: PoolMetrics;
  logger: Logger;
  auth?: Auth;
  createCluster: (req: CreateClusterRequest) => Promise<TriggerAnswer>;
  /** createcluster with cluster=: records the cluster as provisioning and triggers its creation job. */
  provision?: (req: ProvisionCall) => Promise<{ cluster: Cluster; answer: TriggerAnswer }>;
  /** Asks the background work to run soon (a cluster went to cleaning here). */
  wake?: () => void;
  maxWaitMs: number;
  /** Resolves when the store can be read and trusted; its error is what `/readyz` reports. */
  ready: () => Promise<void>;
  /** Checks shown in /readyz that do not make the replica unready (a bad inventory keeps the last good one). */
  advisories?: () => Record<string, ReadinessCheck>;
  /** Feeds `GET /pool/events` (main closes it on shutdown); by default one reading `pool` without notifications. */
  events?: PoolEventHub;
  /** The built web console, served at `/ui/`; `config` is what it reads at start (e.g. the other console's URL). */
  console?: { assets?: StaticAssets; config: Record<string, unknown> };
}

/** GET routes that change nothing, which another site's page may call (the console, probes, reads). */
const READ_ONLY = new Set(['/', '/healthz', '/readyz', '/openapi.json', '/client.sh', '/clusters', '/queue', '/pool/events']);

/** The cimaster HTTP API: the original GET calls (POST works too), plain text by default, JSON on request. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestContext({ logger: deps.logger }));
  app.use(httpMetrics({ registry: deps.metrics.registry, prefix: 'cimaster_' }));
  // The original calls change the pool on GET, so another site may only read: a link there must not take a cluster.
  app.use(crossSiteGuard({ readOnly: (req) => READ_ONLY.has(req.path) || req.path.startsWith('/ui') || req.path.startsWith('/clusters/') }));
  app.use(consoleRoutes(deps.console ?? { config: {} })); // before the probes: it sends browsers opening / to /ui/
  app.use(shellClientRoutes(deps.pool));
  app.use(
    healthRoutes({
      ready: async () => {
        const store: ReadinessCheck = await deps.ready().then(
          () => ({ ok: true }),
          (err: Error) => ({ ok: false, message: err.message }),
        );
        return { ready: store.ok, checks: { store, ...deps.advisories?.() } };
      },
    }),
  );
  app.use(express.json({ limit: '16kb' }));
  app.use(express.urlencoded({ limit: '16kb', extended: false }));
  app.use(getVacantRoutes(deps));
  app.use(e2eCallRoutes(deps));
  app.use(adminCallRoutes(deps));
  app.use(poolRoutes(deps.pool));
  app.use(poolEventRoutes(deps.events ?? new PoolEventHub({ snapshot: () => deps.pool.snapshot(), clock: systemClock, logger: deps.logger })));
  app.use((req: Request, res: Response) => {
    reply(req, res, 404, `no such call: ${req.method} ${req.path}; see /getvacant, /finishtest, /addcluster, /clusters, /openapi.json`, { code: 'NOT_FOUND' });
  });
  app.use(errorHandler({ render: (req, res, status, body) => reply(req, res, status, body.message, { code: body.code, ...(body.details ? { details: body.details } : {}) }) }));
  return app;
}
