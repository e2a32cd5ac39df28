import { Router, type Request, type Response } from 'express';
import type { LoadedProwConfig } from '@ci-stack/prow-config';
import type { ProwJob } from '@ci-stack/prowjob-api';
import { expressPath } from '@ci-stack/http-contract';
import { manualTriggerRoutes, prowJobOpsRoutes as ops } from '@ci-stack/manual-trigger-api';
import type { Clock } from '@ci-stack/core';
import { openEventStream } from '@ci-stack/service-kit';
import { allows, authorize, type JobScope, type Principal, type Verb } from './auth';
import { decodeBody, idempotencyKey, valid } from './http-body';
import type { TriggerMetrics } from './metrics';
import type { ProwJobApi } from './prowjob-api';
import { ProwJobAborter } from './prowjob-abort';
import { ProwJobFollower } from './prowjob-follow';
import { ProwJobLister } from './prowjob-list';
import { ProwJobRerunner } from './prowjob-rerun';
import { parseAbortRequest, parseBulkAbortRequest } from './requests/abort-request';
import { parseEventsRequest, parseWaitRequest } from './requests/follow-request';
import { type ListFilters, parseListRequest } from './requests/list-request';
import { parseRerunRequest } from './requests/rerun-request';
import type { TriggerService } from './trigger-service';
import { hasEnded } from './views';

/** What the ProwJob routes do, behind the HTTP layer. */
export interface ProwJobOperations {
  lister: ProwJobLister;
  follower: ProwJobFollower;
  aborter: ProwJobAborter;
  rerunner: ProwJobRerunner;
}

export function createOperations(deps: {
  prowJobs?: ProwJobApi;
  trigger: TriggerService;
  config: () => LoadedProwConfig;
  clock: Clock;
  metrics: TriggerMetrics;
  githubUrl: string;
  allowedEnv: readonly string[];
  /** How long each abort is watched for plank undoing it (default 30 s). */
  keepAbortsMs?: number;
  onKeepError?: (err: Error, name: string) => void;
}): ProwJobOperations {
  const lister = new ProwJobLister({ prowJobs: deps.prowJobs, views: deps.trigger.views, clock: deps.clock });
  return {
    lister,
    follower: new ProwJobFollower({ prowJobs: deps.prowJobs, views: deps.trigger.views }),
    aborter: new ProwJobAborter({ prowJobs: deps.prowJobs, clock: deps.clock, metrics: deps.metrics, lister, keepAbortsMs: deps.keepAbortsMs, onKeepError: deps.onKeepError }),
    rerunner: new ProwJobRerunner({ trigger: deps.trigger, config: deps.config, clock: deps.clock, metrics: deps.metrics, githubUrl: deps.githubUrl, allowedEnv: deps.allowedEnv }),
  };
}

export interface ProwJobRouteDeps {
  service: TriggerService;
  operations: ProwJobOperations;
  principal: (req: Request) => Principal;
  clock: Clock;
  stopping?: AbortSignal;
  keepAliveMs?: number;
}

const RETRY_MS = 2000;
const KEEP_ALIVE_MS = 15_000;

/**
 * `GET /prowjobs`, `GET /prowjobs/NAME[?wait=complete]`, `GET /prowjobs/NAME/events`, abort (one, bulk) and rerun, at
 * the contract's paths (`@ci-stack/manual-trigger-api`), which also checks their parameters (requests/*).
 */
export function prowJobRoutes(deps: ProwJobRouteDeps): Router {
  const router = Router();
  const { lister, follower, aborter, rerunner } = deps.operations;
  const views = deps.service.views;

  router.get(ops.list.path, async (req, res) => {
    const who = deps.principal(req);
    const list = parseListRequest(req.query, decodeBody(req), deps.clock.now());
    authorize(who, scopeOfFilters(list.filters), 'read');
    res.json(await lister.page(list, (pj) => allows(who, 'read', scopeOf(pj))));
  });

  router.post(ops.abortMatching.path, async (req, res) => {
    const who = deps.principal(req);
    const bulk = parseBulkAbortRequest(req.query, decodeBody(req), deps.clock.now());
    authorize(who, scopeOfFilters(bulk.filters), 'abort');
    const visible = (pj: ProwJob): boolean => allows(who, 'read', scopeOf(pj));
    const result = await aborter.abortMatching(bulk.filters, (pj) => denial(who, 'abort', pj), { identity: who.identity, reason: bulk.reason, dryRun: bulk.dryRun, visible });
    const counts = `${result.aborted.length} ProwJob${result.aborted.length === 1 ? '' : 's'}, ${bulk.dryRun ? 'would skip' : 'skipped'} ${result.skipped.length}`;
    req.log.info({ identity: who.identity, dryRun: bulk.dryRun, aborted: result.aborted.length, skipped: result.skipped.length }, 'bulk abort');
    res.json({ success: true, message: `${bulk.dryRun ? 'Dry run: would abort' : 'Aborted'} ${counts}`, dry_run: bulk.dryRun, ...result });
  });

  router.get(expressPath(ops.events.path), async (req, res) => {
    const who = deps.principal(req);
    const name = valid(ops.events.pathParams, req.params).name;
    const { lastEventId } = parseEventsRequest(req.get('last-event-id'), req.query);
    const current = await follower.current(name);
    authorize(who, scopeOf(current), 'read');
    // Nothing new since the client's last event and nothing will come: 204 tells EventSource not to reconnect.
    if (lastEventId === current.metadata.resourceVersion && hasEnded(current)) return void res.status(204).end();
    const stream = openEventStream(req, res, { keepAliveMs: deps.keepAliveMs ?? KEEP_ALIVE_MS, retryMs: RETRY_MS });
    try {
      await follower.follow(current, lastEventId, (e) => stream.send(e.event, e.data, e.id), untilGone(res, deps.stopping));
    } finally {
      stream.end();
    }
  });

  router.get(expressPath(manualTriggerRoutes.prowjob.path), async (req, res) => {
    const who = deps.principal(req);
    const name = valid(manualTriggerRoutes.prowjob.pathParams, req.params).name;
    const wait = parseWaitRequest(req.query);
    const current = await deps.service.get(name);
    authorize(who, scopeOf(current), 'read');
    if (!wait) return void res.json(views.status(current));
    const { prowJob } = await follower.waitUntilEnded(current, wait.timeoutMs, untilGone(res, deps.stopping));
    res.json(views.status(prowJob));
  });

  router.post(expressPath(ops.abort.path), async (req, res) => {
    const who = deps.principal(req);
    const name = valid(ops.abort.pathParams, req.params).name;
    const { reason } = parseAbortRequest(req.query, decodeBody(req));
    const current = await deps.service.get(name);
    authorize(who, scopeOf(current), 'abort');
    const aborted = await aborter.abort(current, { identity: who.identity, reason });
    req.log.info({ prowjob: name, job: current.spec.job, identity: who.identity, reason }, 'prowjob aborted');
    res.json({ ...views.status(aborted), message: `ProwJob ${name} aborted` });
  });

  router.post(expressPath(ops.rerun.path), async (req, res) => {
    const who = deps.principal(req);
    const name = valid(ops.rerun.pathParams, req.params).name;
    const { mode } = parseRerunRequest(req.query, decodeBody(req));
    const key = idempotencyKey(req, ops.rerun.headers['Idempotency-Key'].schema);
    const old = await deps.service.get(name);
    authorize(who, scopeOf(old), 'rerun');
    const result = await rerunner.rerun(old, mode, { identity: who.identity, endpoint: 'POST /prowjobs/NAME/rerun', requestId: req.id, idempotencyKey: key });
    req.log.info({ prowjob: result.job_name, rerunOf: name, mode, buildId: result.build_id, identity: who.identity, droppedEnv: result.dropped_env }, 'prowjob rerun');
    res.status(result.idempotent_replay || result.dry_run ? 200 : 201).json(result);
  });

  return router;
}

/** The job a ProwJob runs, as grants see it (periodics have no org or repo, as when they are triggered). */
export function scopeOf(pj: ProwJob): JobScope {
  if (pj.spec.type === 'periodic') return { org: '', repo: '', name: pj.spec.job, type: 'periodic' };
  return { org: pj.spec.refs?.org ?? '', repo: pj.spec.refs?.repo ?? '', name: pj.spec.job, type: pj.spec.type };
}

function scopeOfFilters(f: ListFilters): JobScope {
  return { org: f.org, repo: f.repo, name: f.job, type: f.type };
}

function denial(who: Principal, verb: Verb, pj: ProwJob): string | undefined {
  try {
    authorize(who, scopeOf(pj), verb);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A signal that aborts when the client goes away or the service shuts down. */
function untilGone(res: Response, stopping: AbortSignal | undefined): AbortSignal {
  // One controller and a listener removed on close: Node 20 keeps every AbortSignal.any() made from a long-lived
  // signal alive, so one per request would grow the heap for as long as the service runs.
  const gone = new AbortController();
  const stop = (): void => gone.abort();
  if (stopping?.aborted) gone.abort();
  stopping?.addEventListener('abort', stop, { once: true });
  res.on('close', () => {
    stopping?.removeEventListener('abort', stop);
    gone.abort();
  });
  return gone.signal;
}
