import { z } from 'zod';
import { consoleConfigBase } from '@ci-stack/http-contract';
import { triggerAnswerSchema } from '@ci-stack/manual-trigger-api';

const timestamp = z.iso.datetime();

/** The states a cluster moves through. */
export const CLUSTER_STATES = ['finished', 'testing', 'held', 'disabled', 'provisioning', 'failed', 'cleaning', 'quarantined'] as const;

const labelsSchema = z.record(z.string(), z.string()).describe('Labels besides the region');

export const jobRunSchema = z
  .object({
    kind: z.enum(['create', 'cleanup']),
    attempt: z.number().int().min(1),
    name: z.string().nullable().describe('The ProwJob, once manual-trigger created it'),
    status_link: z.string().nullable(),
    log_link: z.string().nullable(),
    requested_at: timestamp,
  })
  .meta({ id: 'JobRun', description: 'The creation or cleanup job cimaster follows for a provisioning or cleaning cluster.' });

export const problemSchema = z
  .object({ reason: z.string(), prowjob: z.string().nullable(), log_link: z.string().nullable(), at: timestamp })
  .meta({ id: 'Problem', description: 'Why a cluster is failed or quarantined, or why its last cleanup attempt failed.' });

export const holderSchema = z
  .object({
    build: z.string(),
    job: z.string(),
    user: z.string().optional().describe('Who holds it, after holdcluster'),
    since: timestamp,
  })
  .meta({ id: 'Holder', description: 'The build and job that got the cluster from getvacant, and the person holding it.' });

export const clusterViewSchema = z
  .object({
    name: z.string(),
    region: z.string(),
    state: z.enum(CLUSTER_STATES),
    since: timestamp.describe('When the cluster entered its current state'),
    holder: holderSchema.nullable(),
    lease_expires: timestamp.nullable().describe('End of the testing lease; heartbeat extends it'),
    hold_expires: timestamp.nullable(),
    disabled_reason: z.string().nullable(),
    added_by: z.string().nullable(),
    added_at: timestamp,
    labels: labelsSchema,
    job: jobRunSchema.nullable(),
    problem: problemSchema.nullable(),
    managed_by: z.enum(['inventory']).nullable().describe('inventory: the inventory file added it and removes it again'),
  })
  .meta({ id: 'Cluster', description: 'A cluster as the API shows it.' });

export const historyEntrySchema = z
  .object({
    state: z.enum(CLUSTER_STATES),
    build: z.string().nullable(),
    job: z.string().nullable(),
    user: z.string().nullable(),
    from: timestamp,
    to: timestamp,
    duration_seconds: z.number().int(),
    ended: z.enum(['finished', 'lease-expired', 'held', 'released', 'hold-expired', 'disabled', 'enabled', 'provisioned', 'failed', 'retried', 'cleaned', 'cleanup-failed', 'quarantined']),
    prowjob: z.string().nullable().describe('The creation or cleanup ProwJob of a provisioning or cleaning stay'),
    log_link: z.string().nullable(),
  })
  .meta({ id: 'HistoryEntry', description: 'One past stay of a cluster in a state, and how it ended.' });

export const clusterDetailSchema = clusterViewSchema
  .extend({ history: z.array(historyEntrySchema).describe('Newest first') })
  .meta({ id: 'ClusterDetail', description: 'A cluster with its recent history.' });

export const ticketSchema = z
  .object({
    position: z.number().int().min(1),
    build: z.string(),
    job: z.string(),
    region: z.string().nullable(),
    labels: labelsSchema,
    enqueued_at: timestamp,
    deadline: timestamp,
  })
  .meta({ id: 'Ticket', description: 'A getvacant call waiting in the fair queue.' });

export type ClusterView = z.output<typeof clusterViewSchema>;
export type ClusterDetail = z.output<typeof clusterDetailSchema>;
export type TicketView = z.output<typeof ticketSchema>;

/** The JSON form of a call's answer (`Accept: application/json`): the text reply as `message`, plus data. */
function callAnswer<S extends z.ZodRawShape>(shape: S) {
  return z.object({ success: z.literal(true), message: z.string().describe('The plain-text reply'), ...shape });
}

export const clusterAnswerSchema = callAnswer({ cluster: clusterViewSchema }).meta({ id: 'ClusterAnswer' });
export const getVacantAnswerSchema = callAnswer({ cluster: clusterViewSchema, waited_seconds: z.number().min(0) });
export const finishAnswerSchema = callAnswer({ cluster: clusterViewSchema, already_finished: z.boolean() });
export const createClusterAnswerSchema = callAnswer({ manual_trigger: triggerAnswerSchema.describe("manual-trigger's answer"), cluster: clusterViewSchema.optional().describe('With cluster=: the provisioning cluster') });

export const clustersSchema = z.object({ clusters: z.array(clusterViewSchema).describe('By name'), queue: z.array(ticketSchema) });
export const queueSchema = z.object({ queue: z.array(ticketSchema).describe('First come, first served') });

/** `GET /pool/events`: the whole pool first (and after every reconnect), then what changed. */
export const poolSnapshotEventSchema = z
  .object({
    seq: z.number().int().min(0).describe('The event id; a reconnect gets a new snapshot'),
    now: timestamp.describe("The service's time, for countdowns"),
    clusters: z.array(clusterViewSchema).describe('By name'),
    queue: z.array(ticketSchema),
  })
  .meta({ id: 'PoolSnapshotEvent', description: '`event: snapshot`: every cluster and the queue' });

export const poolChangeEventSchema = z
  .object({
    seq: z.number().int().min(1),
    now: timestamp,
    clusters: z.array(clusterViewSchema).describe('The clusters that changed or were added, whole'),
    removed: z.array(z.string()).describe('Names of the clusters that left the pool'),
    queue: z.array(ticketSchema).optional().describe('The whole queue, when it changed'),
  })
  .meta({ id: 'PoolChangeEvent', description: '`event: change`: what changed since the previous event' });

export const cimasterConsoleConfigSchema = z.object({ ...consoleConfigBase }).meta({ id: 'CimasterConsoleConfig' });
