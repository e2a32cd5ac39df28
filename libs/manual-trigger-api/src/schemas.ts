import { z } from 'zod';
import { PROWJOB_STATES, PROWJOB_TYPES } from '@ci-stack/prowjob-api';

const link = z.string().nullable();

/** The fields every answer about one ProwJob starts with: the original service's, then ours. */
const prowJobFields = {
  success: z.literal(true),
  message: z.string(),
  job_name: z.string().describe('The ProwJob name'),
  status_link: link.describe("Deck's page of the ProwJob; null without a Deck URL"),
  log_link: link.describe('The build log; null until plank assigns a build id'),
  build_id: z.string().nullable(),
  state: z.enum(PROWJOB_STATES),
  type: z.enum(PROWJOB_TYPES),
  job: z.string().describe('The job name from the config'),
  namespace: z.string().optional().describe('Where the ProwJob lives (absent in dry-run mode)'),
  url: z.string().optional().describe("Plank's status.url, once set"),
};

/** A ProwJob object as the Kubernetes API holds it (only the outline is described). */
export const prowJobObjectSchema = z
  .looseObject({
    apiVersion: z.literal('prow.k8s.io/v1'),
    kind: z.literal('ProwJob'),
    metadata: z.looseObject({ name: z.string() }),
    spec: z.looseObject({ type: z.enum(PROWJOB_TYPES), job: z.string() }),
    status: z.looseObject({ state: z.enum(PROWJOB_STATES) }).optional(),
  })
  .meta({ id: 'ProwJob', description: 'A prow.k8s.io/v1 ProwJob' });

/** The answer to a trigger: 201 when created, 200 for a dry run or an Idempotency-Key replay. */
export const triggerAnswerSchema = z
  .object({
    ...prowJobFields,
    dry_run: z.literal(true).optional().describe('Built but not created (--dry-run)'),
    idempotent_replay: z.literal(true).optional().describe('The ProwJob an earlier request with the same Idempotency-Key created'),
    prowjob: prowJobObjectSchema.optional().describe('The would-be ProwJob, in dry-run mode'),
  })
  .meta({ id: 'TriggerAnswer' });

const time = z.string().nullable();

/** State, build id, links and times of one ProwJob. */
export const prowJobStatusSchema = z
  .object({
    ...prowJobFields,
    description: z.string().nullable().describe("Plank's description of the state"),
    start_time: time,
    pending_time: time,
    completion_time: time,
    pod_name: z.string().nullable(),
  })
  .meta({ id: 'ProwJobStatus' });

export const jobSummarySchema = z
  .object({
    type: z.enum(PROWJOB_TYPES),
    name: z.string(),
    org: z.string().optional(),
    repo: z.string().optional(),
    branches: z.array(z.string()).optional(),
    skip_branches: z.array(z.string()).optional(),
    cluster: z.string(),
    decorated: z.boolean(),
    schedule: z.string().optional().describe('cron, interval or minimum_interval of a periodic'),
  })
  .meta({ id: 'JobSummary', description: 'A job manual-trigger can run' });

export const jobCatalogSchema = z.object({ jobs: z.array(jobSummarySchema).describe('By type, repository and name'), count: z.number().int().min(0) });

export type TriggerAnswer = z.output<typeof triggerAnswerSchema>;
export type ProwJobStatus = z.output<typeof prowJobStatusSchema>;
export type JobSummary = z.output<typeof jobSummarySchema>;
