import { z } from 'zod';
import { PROWJOB_STATES, PROWJOB_TYPES } from '@ci-stack/prowjob-api';
import type { RouteSpec } from '@ci-stack/http-contract';
import { triggerAnswerSchema } from './schemas';

/** null and "" mean "not given". */
const absent = (v: unknown): unknown => (v === null || v === '' ? undefined : v);

function text(name: string, description: string, max = 256) {
  return z
    .preprocess(absent, z.string({ error: (iss) => `'${name}' must be a string, got ${Array.isArray(iss.input) ? 'a list' : typeof iss.input}` }).max(max, `'${name}' is longer than ${max} characters`).trim().optional())
    .describe(description);
}

function oneOf(name: string, values: readonly string[], description: string) {
  return z
    .preprocess(absent, z.string().refine((v) => values.includes(v.trim()), { error: (iss) => `unknown ${name} '${String(iss.input)}': must be one of ${values.join(', ')}` }).optional())
    .meta({ description, type: 'string', enum: [...values] });
}

const TIME_OR_DURATION = '^(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})|(\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h|d)?)+)$';

function pointInTime(name: string, description: string) {
  return text(name, description).meta({ pattern: TIME_OR_DURATION, description: `${description}: an RFC 3339 time (2026-03-28T10:00:00Z) or a duration back from now (24h, 90m)` });
}

function flag(name: string, description: string) {
  return z
    .preprocess(absent, z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'TRUE', 'FALSE', 'True', 'False'])], { error: (iss) => `'${name}' must be true or false, got ${JSON.stringify(iss.input)}` }).optional())
    .meta({ description, anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false', '1', '0'] }] });
}

const filters = {
  job: text('job', 'Only this job'),
  state: oneOf('state', PROWJOB_STATES, 'Only ProwJobs in this state'),
  type: oneOf('type', PROWJOB_TYPES, 'Only ProwJobs of this type'),
  org: text('org', 'Only ProwJobs of this organisation'),
  repo: text('repo', 'Only ProwJobs of this repository'),
  triggered_by: text('triggered_by', 'Only ProwJobs this identity triggered'),
  since: pointInTime('since', 'Created at or after'),
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

/**
 * The list, follow, abort and rerun routes of manual-trigger (spec: docs/manual-trigger.md). The typed client
 * uses them; the served document lists them once the service has them.
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
      limit: z.preprocess(absent, z.coerce.number().int().min(1).max(500).optional()).meta({ description: 'Page size (1 to 500, default 50)', type: 'integer', minimum: 1, maximum: 500 }),
      continue: text('continue', "The previous page's continue token", 4096),
    }),
    auth: 'read on the jobs listed',
    responses: {
      200: {
        description: 'One page',
        content: { 'application/json': z.object({ prowjobs: z.array(prowJobSummarySchema), continue: z.string().nullable().describe('Pass back as continue for the next page; null on the last') }) },
      },
    },
  },
  events: {
    summary: "Server-sent events of a ProwJob's state until it ends",
    tags: ['prowjobs'],
    methods: ['GET'],
    path: '/prowjobs/{name}/events',
    pathParams: z.object({ name: z.string() }),
    auth: 'read on the job',
    responses: { 200: { description: 'Events `status` (and `deleted`), each with the ProwJob summary; ids resume with Last-Event-ID', content: { 'text/event-stream': prowJobSummarySchema } } },
  },
  abort: {
    summary: 'Abort a triggered or pending ProwJob',
    tags: ['prowjobs'],
    methods: ['POST'],
    path: '/prowjobs/{name}/abort',
    pathParams: z.object({ name: z.string() }),
    paramsFrom: 'query-or-body',
    params: z.looseObject({ reason: text('reason', 'Why; recorded on the ProwJob', 1024) }),
    auth: 'abort on the job',
    responses: { 200: { description: 'Aborted', content: { 'application/json': z.looseObject({ success: z.literal(true), message: z.string(), job_name: z.string(), state: z.enum(PROWJOB_STATES) }) } } },
  },
  abortMatching: {
    summary: 'Abort every triggered or pending ProwJob matching filters (dry_run=true shows the list)',
    tags: ['prowjobs'],
    methods: ['POST'],
    path: '/prowjobs/abort',
    paramsFrom: 'query-or-body',
    params: z.looseObject({
      ...filters,
      older_than: pointInTime('older_than', 'Created before'),
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
    },
  },
  rerun: {
    summary: 'Run a ProwJob again, from its old spec or the current config',
    tags: ['prowjobs'],
    methods: ['POST'],
    path: '/prowjobs/{name}/rerun',
    pathParams: z.object({ name: z.string() }),
    paramsFrom: 'query-or-body',
    params: z.looseObject({ mode: oneOf('mode', ['original', 'latest'], 'original (default) copies the old spec; latest rebuilds it from the config') }),
    headers: { 'Idempotency-Key': { description: 'As for a trigger', schema: z.string() } },
    auth: 'rerun on the job',
    responses: {
      201: { description: 'Created', content: { 'application/json': triggerAnswerSchema.extend({ rerun_of: z.string() }) } },
      200: { description: 'A dry run or an Idempotency-Key replay', content: { 'application/json': triggerAnswerSchema.extend({ rerun_of: z.string().optional() }) } },
    },
  },
} as const satisfies Record<string, RouteSpec>;
