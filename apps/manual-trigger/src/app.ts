import express, { type Express, type Request, type Response } from 'express';
import { manualTriggerDocument, manualTriggerRoutes as routes, parseTriggerParams, type TriggerRequest } from '@ci-stack/manual-trigger-api';
import type { LoadedProwConfig, WatcherStatus } from '@ci-stack/prow-config';
import { ValidationError, type Clock } from '@ci-stack/core';
import { allReady, consoleRoutes, crossSiteGuard, errorHandler, healthRoutes, httpMetrics, requestContext, type Logger, type StaticAssets } from '@ci-stack/service-kit';
import { ANONYMOUS, authorize, type Principal } from './auth';
import { decodeBody, idempotencyKey, valid } from './http-body';
import type { TriggerMetrics } from './metrics';
import { type ProwJobOperations, prowJobRoutes } from './prowjob-routes';
import type { TriggerService } from './trigger-service';

/** What the HTTP layer needs; everything is injected so tests can pass fakes. */
export interface AppDeps {
  service: TriggerService;
  /** List, follow, abort and rerun (see prowjob-routes.ts). */
  operations: ProwJobOperations;
  /** The config in use; the watcher loads one before the app is built, and a failed reload keeps it. */
  config: () => LoadedProwConfig;
  configStatus: () => WatcherStatus;
  /** Absent when authentication is off. */
  auth?: { authenticate(header: string | undefined): Principal };
  /** Absent in dry-run mode: readiness then needs only a loaded config. */
  pingApi?: () => Promise<void>;
  metrics: TriggerMetrics;
  logger: Logger;
  clock: Clock;
  /** Aborted on shutdown: event streams and waits end at once instead of holding the drain. */
  stopping?: AbortSignal;
  /** For testing: how often event streams send a keep-alive comment. */
  keepAliveMs?: number;
  /** The built web console, served at `/ui/`; `config` is what it reads at start. */
  console?: { assets?: StaticAssets; config: Record<string, unknown> };
}

const BODY_LIMIT = '64kb';
const PING_CACHE_MS = 5000;

/** The manual-trigger HTTP API; never listens (see main.ts). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  app.use(requestContext({ logger: deps.logger }));
  app.use(httpMetrics({ registry: deps.metrics.registry, prefix: 'manual_trigger_' }));
  app.use(crossSiteGuard({ readOnly: () => true })); // every GET only reads; triggers, aborts and reruns are POSTs
  app.use(consoleRoutes(deps.console ?? { config: {} })); // before the probes: it sends browsers opening / to /ui/
  app.use(healthRoutes({ ready: readiness(deps) }));
  app.use(express.raw({ type: () => true, limit: BODY_LIMIT }));

  const principal = (req: Request): Principal => (deps.auth ? deps.auth.authenticate(req.get('authorization')) : ANONYMOUS);

  app.post(routes.trigger.path, async (req, res) => {
    const who = principal(req);
    const trigger = triggerRequest(req);
    authorize(who, { org: trigger.org, repo: trigger.repo, name: trigger.job, type: trigger.type }, 'trigger');
    const key = idempotencyKey(req, routes.trigger.headers['Idempotency-Key'].schema);
    const result = await deps.service.trigger(trigger, { identity: who.identity, endpoint: 'POST /manual-trigger', requestId: req.id, idempotencyKey: key });
    req.log.info({ job: result.job, prowjob: result.job_name, type: result.type, buildId: result.build_id, identity: who.identity }, 'prowjob triggered');
    res.status(result.idempotent_replay || result.dry_run ? 200 : 201).json(result);
  });

  app.get(routes.jobs.path, (req, res) => {
    principal(req);
    const jobs = deps.config().index.list(valid(routes.jobs.params, req.query));
    res.json({ jobs, count: jobs.length });
  });

  app.use(prowJobRoutes({ service: deps.service, operations: deps.operations, principal, clock: deps.clock, stopping: deps.stopping, keepAliveMs: deps.keepAliveMs }));

  app.get(routes.openapi.path, (_req, res) => {
    res.json(manualTriggerDocument());
  });

  app.use((req: Request, res: Response) => {
    res.status(404).json({
      success: false,
      code: 'NOT_FOUND',
      message: `no route for ${req.method} ${req.path}; see POST /manual-trigger, GET /jobs, GET /prowjobs, GET /prowjobs/NAME, GET /prowjobs/NAME/events, POST /prowjobs/NAME/abort, POST /prowjobs/abort, POST /prowjobs/NAME/rerun, GET /openapi.json`,
    });
  });
  app.use(
    errorHandler({
      render: (_req, res, status, body) => {
        if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="manual-trigger"');
        res.status(status).json({ success: false, ...body });
      },
    }),
  );
  return app;
}

/** The trigger's parameters from the query string and a JSON or form body (the body wins). */
function triggerRequest(req: Request): TriggerRequest {
  const body = decodeBody(req);
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw new ValidationError('request body must be a JSON object');
  const parsed = parseTriggerParams(req.query as Record<string, unknown>, body as Record<string, unknown> | undefined);
  if (!parsed.ok) throw new ValidationError(parsed.problems.join('; '), parsed.problems);
  return parsed.request;
}

function readiness(deps: AppDeps) {
  let lastPing: { at: number; ok: boolean; message?: string } | undefined;
  return async () => {
    const status = deps.configStatus();
    const checks: Record<string, { ok: boolean; message?: string }> = {
      config: { ok: true, message: status.lastError ? `last reload failed: ${status.lastError}` : undefined },
    };
    if (deps.pingApi) {
      if (!lastPing || Date.now() - lastPing.at > PING_CACHE_MS) {
        lastPing = await deps.pingApi().then(
          () => ({ at: Date.now(), ok: true }),
          (err: Error) => ({ at: Date.now(), ok: false, message: err.message }),
        );
      }
      checks.kubernetes = { ok: lastPing.ok, message: lastPing.message };
    }
    return allReady(checks);
  };
}
