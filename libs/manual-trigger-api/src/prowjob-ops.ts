import { z } from 'zod';
import { PROWJOB_STATES, PROWJOB_TYPES } from '@ci-stack/prowjob-api';
import type { RouteSpec } from '@ci-stack/http-contract';
import { KUBE_MISCONFIGURED, KUBE_UNAVAILABLE, errors } from './errors';
import { flag, integer, oneOf, pointInTime, prowJobName, text } from './params';
import { triggerAnswerSchema } from './schemas';

/** The answers of every route that reads ProwJobs: bad input, the grants, dry-run mode, the API server. */
const READ_ERRORS = { 403: ['FORBIDDEN'], 500: KUBE_MISCONFIGURED, 503: ['DRY_RUN', ...KUBE_UNAVAILABLE] } as const;

const filters = {
  job: text('job', 'Only this job'),
  state: oneOf('state', PROWJOB_STATES, 'Only ProwJobs in this state'),
  type: oneOf('type', PROWJOB_TYPES, 'Only ProwJobs of this type'),
  org: text('org', 'Only ProwJobs of this organisation'),
  repo: text('repo', 'Only ProwJobs of this repository'),
  triggered_by: text('triggered_by', 'Only ProwJobs this identity triggered'),
  since: pointInTime('since', 'Started at or after'),
  all: flag('all', 'Every ProwJob in the namespace, not only those manual-trigger created'),
};

/** One ProwJob as lists and event streams show it; absent values are null. */
export const prowJobSummarySchema = z
  .object({
    job_name: z.string(),
    job: z.string(),
    type: z.enum(PROWJOB_TYPES),
    state: z.enum(PROWJOB_STATES),
    build_id: z.string().nullable(),
    description: z.string().nullable(),
    status_link: z.string().nullable(),
    log_link: z.string().nullable(),
    url: z.string().nullable(),
    namespace: z.string().nullable(),
    start_time: z.string().nullable(),
    pending_time: z.string().nullable(),
    completion_time: z.string().nullable(),
    pod_name: z.string().nullable(),
    refs: z.looseObject({ org: z.string(), repo: z.string() }).nullable(),
    triggered_by: z.string().nullable(),
    rerun_of: z.string().nullable(),
    ended: z.boolean().describe('The state is final (success, failure, aborted, error)'),
  })
  .meta({ id: 'ProwJobSummary' });

const abortItem = z.object({ job_name: z.string(), job: z.string(), type: z.enum(PROWJOB_TYPES), state: z.enum(PROWJOB_STATES) });

export type ProwJobSummary = z.output<typeof prowJobSummarySchema>;

const droppedEnv = z
  .array(z.string())
  .describe("The old run's env overrides this rerun did not apply because --allowed-env no longer allows them (each is back to what the job's config gives it, or unset); empty when none");

/**
 * The list, follow, abort and rerun routes of manual-trigger (spec: docs/manual-trigger.md). The typed client
 * uses them, manual-trigger serves them and its document lists them.
 */
export const prowJobOpsRoutes = {
  list: {
    summary: 'ProwJobs, newest first',
    tags: ['prowjobs'],
    methods: ['GET'],
    path: '/prowjobs',
    paramsFrom: 'query',
    params: z.looseObject({
      ...filters,
      limit: integer('limit', 1, 500, 'Page size (1 to 500, default 50)'),
      continue: text('continue', "The previous page's continue token (send the same filters)", 4096),
    }),
    auth: 'read on the jobs listed (the list shows only those)',
    responses: {
      200: {
        description: 'One page',
        content: { 'application/json': z.object({ prowjobs: z.array(prowJobSummarySchema), continue: z.string().nullable().describe('Pass back as continue for the next page; null on the last') }) },
      },
      ...errors({ ...READ_ERRORS, 400: ['INVALID_CONTINUE'], 410: ['CONTINUE_EXPIRED'] }),
    },
  },
  events: {
    summary: "Server-sent events of a ProwJob's state until it ends",
    tags: ['prowjobs'],
    methods: ['GET'],
    path: '/prowjobs/{name}/events',
    pathParams: z.object({ name: prowJobName }),
    paramsFrom: 'query',
    params: z.looseObject({ last_event_id: text('last_event_id', 'Where to resume, for clients that cannot send the Last-Event-ID header', 20) }),
    headers: { 'Last-Event-ID': { description: 'The id of the last event received: the stream resumes after it', schema: z.string().regex(/^\d{1,20}$/) } },
    auth: 'read on the job',
    responses: {
      200: { description: 'Events `status` (and `deleted`), each with the ProwJob summary; ids resume with Last-Event-ID', content: { 'text/event-stream': prowJobSummarySchema } },
      204: { description: 'The ProwJob had ended and nothing followed Last-Event-ID: do not reconnect' },
      ...errors({ ...READ_ERRORS, 404: ['PROWJOB_NOT_FOUND'] }),
    },
  },
  abort: {
    summary: 'Abort a triggered or pending ProwJob',
    tags: ['prowjobs'],
    methods: ['POST'],
    path: '/prowjobs/{name}/abort',
    pathParams: z.object({ name: prowJobName }),
    paramsFrom: 'query-or-body',
    params: z.looseObject({ reason: text('reason', 'Why; recorded on the ProwJob', 1024) }),
    auth: 'abort on the job',
    responses: {
      200: { description: 'Aborted (plank then deletes the pod and sets the completion time)', content: { 'application/json': z.looseObject({ success: z.literal(true), message: z.string(), job_name: z.string(), state: z.enum(PROWJOB_STATES) }) } },
      ...errors({ 403: ['FORBIDDEN'], 404: ['PROWJOB_NOT_FOUND'], 409: ['PROWJOB_ENDED', 'PROWJOB_NOT_ABORTABLE', 'KUBE_CONFLICT'], 500: KUBE_MISCONFIGURED, 503: ['DRY_RUN', ...KUBE_UNAVAILABLE] }),
    },
  },
  abortMatching: {
    summary: 'Abort every triggered or pending ProwJob matching filters (dry_run=true shows the list)',
    tags: ['prowjobs'],
    methods: ['POST'],
    path: '/prowjobs/abort',
    paramsFrom: 'query-or-body',
    params: z.looseObject({
      ...filters,
      older_than: pointInTime('older_than', 'Started before'),
      dry_run: flag('dry_run', 'Only show what would be aborted'),
      reason: text('reason', 'Why; recorded on each ProwJob', 1024),
    }),
    auth: 'abort on the jobs',
    responses: {
      200: {
        description: 'What was aborted and what was skipped, and why',
        content: {
          'application/json': z.object({
            success: z.literal(true),
            message: z.string(),
            dry_run: z.boolean(),
            aborted: z.array(abortItem),
            skipped: z.array(abortItem.extend({ code: z.string(), reason: z.string() })),
          }),
        },
      },
      ...errors(READ_ERRORS),
    },
  },
  rerun: {
    summary: 'Run a ProwJob again, from its old spec or the current config',
    tags: ['prowjobs'],
    methods: ['POST'],
    path: '/prowjobs/{name}/rerun',
    pathParams: z.object({ name: prowJobName }),
    paramsFrom: 'query-or-body',
    params: z.looseObject({ mode: oneOf('mode', ['original', 'latest'], 'original (default) copies the old spec; latest rebuilds it from the config') }),
    headers: { 'Idempotency-Key': { description: 'As for a trigger', schema: z.string().regex(/^[\x21-\x7e]{1,255}$/) } },
    auth: 'rerun on the job',
    responses: {
      201: { description: 'Created', content: { 'application/json': triggerAnswerSchema.extend({ rerun_of: z.string(), dropped_env: droppedEnv }) } },
      200: { description: 'A dry run or an Idempotency-Key replay', content: { 'application/json': triggerAnswerSchema.extend({ rerun_of: z.string().optional(), dropped_env: droppedEnv }) } },
      ...errors({ 400: ['BRANCH_NOT_ALLOWED', 'RERUN_NOT_SUPPORTED', 'KUBE_INVALID'], 403: ['FORBIDDEN'], 404: ['PROWJOB_NOT_FOUND', 'JOB_NOT_FOUND'], 500: KUBE_MISCONFIGURED, 503: ['DRY_RUN', ...KUBE_UNAVAILABLE] }),
    },
  },
} as const satisfies Record<string, RouteSpec>;
