import { z } from 'zod';
import { PROWJOB_TYPES } from '@ci-stack/prowjob-api';
import { consoleConfigBase, consoleRouteSpecs, defineRoutes, documentRoute, probeRoutes, type ResponseSpec } from '@ci-stack/http-contract';
import { KUBE_MISCONFIGURED, KUBE_UNAVAILABLE, error, errors } from './errors';
import { prowJobName, waitParams } from './params';
import { jobCatalogSchema, prowJobStatusSchema, triggerAnswerSchema } from './schemas';
import { triggerParamsSchema } from './trigger-request';

/** Query values that are not a single non-empty string are ignored, as the original service did. */
const optionalText = (description: string) => z.preprocess((v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined), z.string().optional()).describe(description);

/** What any path or method outside the table answers. */
export const unknownRoute: ResponseSpec = error(404, ['NOT_FOUND'], { description: 'No such route; the message lists the main ones' });

/** What manual-trigger's console reads at start. */
export const manualTriggerConsoleConfigSchema = z
  .object({
    ...consoleConfigBase,
    allowed_env: z.array(z.string()).describe('The env names callers may override (--allowed-env)'),
    dry_run_only: z.boolean().describe('The service runs with --dry-run: nothing is created'),
  })
  .meta({ id: 'ManualTriggerConsoleConfig' });

/** manual-trigger's routes. */
export const manualTriggerRoutes = defineRoutes({
  trigger: {
    summary: 'Create a ProwJob for a job of the config',
    description:
      'Finds the job (presubmits of org/repo, then its postsubmits; periodics by name), builds the ProwJob as Prow does, creates it and waits for plank to assign a BuildID. A JSON body is accepted without a Content-Type.',
    tags: ['prowjobs'],
    methods: ['POST'],
    path: '/manual-trigger',
    paramsFrom: 'query-or-body',
    params: triggerParamsSchema,
    headers: { 'Idempotency-Key': { description: 'Retries with the same key (per identity) within --idempotency-ttl return the first ProwJob', schema: z.string().regex(/^[\x21-\x7e]{1,255}$/) } },
    auth: 'a token whose grants allow this org, repo, job and type',
    responses: {
      201: { description: 'Created; build_id and log_link are null when plank did not assign a BuildID within --build-id-timeout', content: { 'application/json': triggerAnswerSchema } },
      200: { description: 'A dry run (the would-be ProwJob under prowjob), or an Idempotency-Key replay', content: { 'application/json': triggerAnswerSchema } },
      ...errors({ 400: ['BRANCH_NOT_ALLOWED', 'ENV_NOT_ALLOWED', 'GERRIT_CHANGE_NOT_SUPPORTED', 'KUBE_INVALID'], 403: ['FORBIDDEN'], 404: ['JOB_NOT_FOUND'], 500: KUBE_MISCONFIGURED, 503: KUBE_UNAVAILABLE }),
    },
  },
  jobs: {
    summary: 'The jobs manual-trigger can run',
    tags: ['catalog'],
    methods: ['GET'],
    path: '/jobs',
    paramsFrom: 'query',
    params: z.looseObject({
      org: optionalText('Only jobs of this organisation (periodics have none)'),
      repo: optionalText('Only jobs of this repository'),
      type: z.enum(PROWJOB_TYPES, { error: `type must be one of ${PROWJOB_TYPES.join(', ')}` }).optional().describe('Only jobs of this type'),
    }),
    auth: 'any known token',
    responses: { 200: { description: 'The catalog', content: { 'application/json': jobCatalogSchema } }, ...errors({}) },
  },
  prowjob: {
    summary: 'State, build id, links and times of a ProwJob',
    description: 'With wait=complete, answers once the ProwJob has ended, or with its state when the timeout passes (for clients that cannot read the event stream).',
    tags: ['prowjobs'],
    methods: ['GET'],
    path: '/prowjobs/{name}',
    pathParams: z.object({ name: prowJobName }),
    paramsFrom: 'query',
    params: waitParams,
    auth: 'read on the job',
    responses: { 200: { description: 'The ProwJob', content: { 'application/json': prowJobStatusSchema } }, ...errors({ 403: ['FORBIDDEN'], 404: ['PROWJOB_NOT_FOUND'], 500: KUBE_MISCONFIGURED, 503: ['DRY_RUN', ...KUBE_UNAVAILABLE] }) },
  },
  openapi: documentRoute,
  ...probeRoutes,
  ...consoleRouteSpecs(manualTriggerConsoleConfigSchema, unknownRoute),
});

export { prowJobName };

export type ManualTriggerRoutes = typeof manualTriggerRoutes;
