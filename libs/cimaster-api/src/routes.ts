import { z } from 'zod';
import { consoleRouteSpecs, defineRoutes, documentRoute, errorBodySchema, errorResponses, probeRoutes, type ErrorCodes, type ErrorStatus, type ResponseSpec } from '@ci-stack/http-contract';
import { dnsLabel, duration, hours, labels, text } from './params';
import {
  cimasterConsoleConfigSchema,
  clusterAnswerSchema,
  clusterDetailSchema,
  clustersSchema,
  createClusterAnswerSchema,
  finishAnswerSchema,
  getVacantAnswerSchema,
  poolChangeEventSchema,
  poolSnapshotEventSchema,
  queueSchema,
} from './schemas';

/** Errors of the store every pool call reads or writes: an outage (503), or cimaster's own RBAC or credentials for the ConfigMap store (500). */
const STORE_UNAVAILABLE = ['STORE_CONTENDED', 'STORE_CORRUPT', 'STORE_VERSION_UNSUPPORTED', 'REDIS_UNAVAILABLE', 'KUBE_UNAVAILABLE', 'KUBE_TIMEOUT'] as const;
const STORE_MISCONFIGURED = ['INTERNAL', 'KUBE_FORBIDDEN', 'KUBE_UNAUTHORIZED'] as const;
const BAD_REQUEST = ['INVALID_REQUEST', 'INVALID_JSON', 'REQUEST_ABORTED'] as const;

const STATUS_TEXT: Record<ErrorStatus, string> = {
  400: 'Bad parameters: the message names each one and what it takes',
  401: 'Authentication is on and the call needs a token (or the token is unknown)',
  403: 'The token (or a call without one) may not do this: the message says who may',
  404: 'No such cluster',
  409: 'The cluster is not in a state that allows this, or not held by the build named; the message names its state and holder',
  410: 'Gone (cimaster answers no 410)',
  413: 'Body over 16 KiB',
  415: 'Unsupported body encoding',
  500: "A bug (the message names nothing internal, the log has the request id), or cimaster's own setup: the message says what to grant or fix",
  502: 'manual-trigger refused to create the cluster',
  503: 'Unavailable: see the code',
  504: 'Timed out',
};

/** One error status: the plain-text message, or `{success: false, code, message}` with `Accept: application/json`. */
function error(status: ErrorStatus, codes: ErrorCodes, extra: Partial<ResponseSpec> = {}): ResponseSpec {
  return {
    description: `${STATUS_TEXT[status]} (${codes.join(', ')})`,
    content: { 'text/plain': z.string().describe('The message'), 'application/json': errorBodySchema(codes) },
    ...extra,
  };
}

/** The errors a route may answer: those of every request (bad body, auth, the store, bugs) plus its own. */
function errors(own: Partial<Record<ErrorStatus, ErrorCodes>>, auth: 'admin' | 'e2e' | 'none'): Partial<Record<ErrorStatus, ResponseSpec>> {
  const common: Partial<Record<ErrorStatus, ErrorCodes>> = {
    400: BAD_REQUEST,
    ...(auth !== 'none' ? { 401: ['UNAUTHENTICATED'] as const } : {}),
    ...(auth === 'admin' ? { 403: ['FORBIDDEN'] as const } : {}),
    413: ['BODY_TOO_LARGE'],
    415: ['UNSUPPORTED_ENCODING'],
    500: STORE_MISCONFIGURED,
    503: STORE_UNAVAILABLE,
  };
  return errorResponses(common, own, (status, codes) => error(status, codes));
}

/** A call's answer: the plain-text reply by default, JSON with `Accept: application/json`. */
function ok<J extends z.ZodType>(example: string, json: J, textSchema: z.ZodType = z.string(), headers?: ResponseSpec['headers']) {
  return {
    description: `Done. Plain text by default (e.g. \`${example.split('\n')[0]}\`); JSON with \`Accept: application/json\``,
    content: { 'text/plain': textSchema.meta({ examples: [example] }), 'application/json': json },
    ...(headers ? { headers } : {}),
  } as const;
}

/** On getvacant and heartbeat answers: how long the testing lease lasts, so a client knows how often to heartbeat. */
const leaseHeader = { 'Cimaster-Lease-Seconds': { description: 'The testing lease (--test-lease) in seconds; heartbeat at least this often', schema: z.string().regex(/^\d+$/) } };

const call = { methods: ['GET', 'POST'], paramsFrom: 'query-or-body', tags: ['pool'] } as const;
const cluster = dnsLabel('cluster', 'Cluster name');
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before asking again', schema: z.string() } };

/** What any path or method outside the table answers. */
export const unknownCall: ResponseSpec = error(404, ['NOT_FOUND'], { description: 'No such call; the message lists the main ones' });

/** cimaster's routes: the original calls (GET or POST, plain text or JSON) and the JSON views. */
export const cimasterRoutes = defineRoutes({
  getvacant: {
    ...call,
    summary: 'Take the least recently used vacant cluster for a build',
    description:
      'With `wait`, waits in a fair first-come-first-served queue kept in the store. No capacity is always 503 with Retry-After; so is a wait the replica ends because it shuts down (`SHUTTING_DOWN`, Retry-After: 1: ask again, another replica answers).',
    auth: 'e2e token when requireE2eToken is set',
    path: '/getvacant',
    params: z.object({
      build: text('build', 'Build id (Prow sets BUILD_ID)'),
      job: text('job', 'Job name (Prow sets JOB_NAME)'),
      region: dnsLabel('region', 'Only a cluster of this region').optional(),
      wait: duration('wait', 'How long to wait in the queue: seconds (600) or 90s, 10m; at most --max-wait').optional(),
      labels: labels('labels', 'Only a cluster with all of these labels, e.g. k8s=1.32,gpu=true (region=… selects the region)').optional(),
    }),
    responses: {
      200: ok('cluster-01', getVacantAnswerSchema, z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).describe('The cluster name'), leaseHeader),
      ...errors({}, 'e2e'),
      503: error(503, ['NO_VACANT_CLUSTER', 'SHUTTING_DOWN', ...STORE_UNAVAILABLE], { headers: retryAfter }),
    },
  },
  finishtest: {
    ...call,
    summary: 'Give a cluster back after a test',
    description:
      "With `build`, it must be the holder's; finishing twice is harmless. With authentication on, a call without a token must name the build (400 `BUILD_REQUIRED`): it may end only that build's lease.",
    auth: 'e2e token when requireE2eToken is set; without a token (auth on), only with build',
    path: '/finishtest',
    params: z.object({ cluster, build: text('build', 'The build that got it (needed without a token when authentication is on)').optional() }),
    responses: { 200: ok('cluster cluster-01 is finished successfully', finishAnswerSchema), ...errors({ 400: ['BUILD_REQUIRED'], 404: ['CLUSTER_NOT_FOUND'], 409: ['ILLEGAL_TRANSITION', 'HOLDER_MISMATCH'] }, 'e2e') },
  },
  heartbeat: {
    ...call,
    summary: "Extend a testing cluster's lease",
    auth: 'e2e token when requireE2eToken is set',
    path: '/heartbeat',
    params: z.object({ cluster, build: text('build', 'The build that holds it') }),
    responses: { 200: ok('cluster c1 lease extended until 2026-06-01T04:00:00.000Z', clusterAnswerSchema, z.string(), leaseHeader), ...errors({ 404: ['CLUSTER_NOT_FOUND'], 409: ['ILLEGAL_TRANSITION', 'HOLDER_MISMATCH'] }, 'e2e') },
  },
  holdcluster: {
    ...call,
    summary: 'Hold a testing cluster for debugging',
    description:
      "The hold records who holds it. Without authentication, the `user` given. With authentication on: an admin token may name anyone (default: itself), any other token only itself (else 403 `USER_MISMATCH`), and a call without a token no user at all (403 `USER_NEEDS_TOKEN`): its hold is the build's, and it must name that build (400 `BUILD_REQUIRED`). A `build` given must be the holder's (409 `HOLDER_MISMATCH`).",
    auth: 'e2e token when requireE2eToken is set; without a token (auth on), only with build and without user',
    path: '/holdcluster',
    params: z.object({
      cluster,
      hours: hours('hours', 'How long (default --hold-duration, at most --max-hold-duration)').optional(),
      user: text('user', 'Who holds it (default: the token identity); another than the token identity only with an admin token').optional(),
      build: text('build', 'The build testing on it (needed without a token when authentication is on)').optional(),
    }),
    responses: {
      200: ok('cluster c1 is held until 2026-06-01T06:00:00.000Z', clusterAnswerSchema),
      ...errors({ 400: ['BUILD_REQUIRED'], 403: ['USER_NEEDS_TOKEN', 'USER_MISMATCH'], 404: ['CLUSTER_NOT_FOUND'], 409: ['ILLEGAL_TRANSITION', 'HOLDER_MISMATCH'] }, 'e2e'),
    },
  },
  releasecluster: {
    ...call,
    summary: 'Release a held cluster',
    description:
      "Without authentication anyone may release any hold. With authentication on, a hold a user took is theirs or an admin's to release (403 `FORBIDDEN`); a hold taken without a token is its build's, released without a token only with that `build` (400 `BUILD_REQUIRED`, 409 `HOLDER_MISMATCH`). `user` follows the rules of holdcluster. Checked in the same guarded write as the release.",
    auth: 'the holder, or an admin',
    path: '/releasecluster',
    params: z.object({
      cluster,
      user: text('user', 'Who releases it (default: the token identity); another than the token identity only with an admin token').optional(),
      build: text('build', 'The build whose hold it is (needed without a token when authentication is on and no user took the hold)').optional(),
    }),
    responses: {
      200: ok('cluster c1 is released successfully', clusterAnswerSchema),
      ...errors({ 400: ['BUILD_REQUIRED'], 403: ['FORBIDDEN', 'USER_NEEDS_TOKEN', 'USER_MISMATCH'], 404: ['CLUSTER_NOT_FOUND'], 409: ['ILLEGAL_TRANSITION', 'HOLDER_MISMATCH'] }, 'e2e'),
    },
  },
  addcluster: {
    ...call,
    summary: 'Add a cluster to the pool',
    auth: 'admin',
    path: '/addcluster',
    params: z.object({
      cluster,
      region: dnsLabel('region', 'Region'),
      name: text('name', 'Who adds it (default: the token identity)').optional(),
      labels: labels('labels', 'Labels besides the region, e.g. k8s=1.32,gpu=true').optional(),
    }),
    responses: { 200: ok('cluster c1 is added successfully', clusterAnswerSchema), ...errors({ 409: ['CLUSTER_EXISTS', 'POOL_TOO_LARGE'] }, 'admin') },
  },
  disablecluster: {
    ...call,
    summary: 'Take a vacant cluster out of service',
    auth: 'admin',
    path: '/disablecluster',
    params: z.object({ cluster, reason: text('reason', 'Why, shown in /clusters').optional() }),
    responses: { 200: ok('cluster c1 is disabled successfully', clusterAnswerSchema), ...errors({ 404: ['CLUSTER_NOT_FOUND'], 409: ['ILLEGAL_TRANSITION'] }, 'admin') },
  },
  enablecluster: {
    ...call,
    summary: 'Put a disabled or quarantined cluster back in service',
    auth: 'admin',
    path: '/enablecluster',
    params: z.object({ cluster }),
    responses: { 200: ok('cluster c1 is enabled successfully', clusterAnswerSchema), ...errors({ 404: ['CLUSTER_NOT_FOUND'], 409: ['ILLEGAL_TRANSITION'] }, 'admin') },
  },
  deletecluster: {
    ...call,
    summary: 'Remove a vacant, failed or quarantined cluster from the pool',
    auth: 'admin',
    path: '/deletecluster',
    params: z.object({ cluster }),
    responses: { 200: ok('cluster c1 is deleted successfully', clusterAnswerSchema), ...errors({ 404: ['CLUSTER_NOT_FOUND'], 409: ['ILLEGAL_TRANSITION'] }, 'admin') },
  },
  createcluster: {
    ...call,
    summary: 'Run the cluster-creation job through manual-trigger',
    description:
      'POSTs `{org, repo, base_ref: branch, prowtype: postsubmit, prowjob, user}` to manual-trigger. With `cluster` and `region`, the cluster is recorded as provisioning, the job runs with CLUSTER_NAME, CLUSTER_REGION and CLUSTER_LABELS, and cimaster follows it: vacant on success, failed otherwise. The same name retries a failed cluster.',
    auth: 'admin',
    path: '/createcluster',
    params: z.object({
      user: text('user', 'Passed to the job as AUTHOR (default: the token identity)').optional(),
      branch: text('branch', 'Branch of the creation job (default --create-cluster-branch)').optional(),
      cluster: dnsLabel('cluster', 'Name of the cluster to create and follow').optional(),
      region: dnsLabel('region', 'Its region (with cluster)').optional(),
      labels: labels('labels', 'Its labels (with cluster), e.g. k8s=1.32').optional(),
    }),
    responses: {
      200: ok('cluster creation job 6d07540b-… triggered\nstatus: https://prow.example.com/prowjob?prowjob=6d07540b-…', createClusterAnswerSchema),
      ...errors({ 409: ['CLUSTER_EXISTS', 'POOL_TOO_LARGE'], 502: ['MANUAL_TRIGGER_FAILED'], 503: ['MANUAL_TRIGGER_UNAVAILABLE'] }, 'admin'),
    },
  },
  clusters: {
    summary: 'Every cluster and the queue',
    tags: ['views'],
    methods: ['GET'],
    path: '/clusters',
    paramsFrom: 'query',
    params: z.object({}),
    auth: 'none',
    responses: { 200: { description: 'By name', content: { 'application/json': clustersSchema } }, ...errors({}, 'none') },
  },
  cluster: {
    summary: 'One cluster with its recent history',
    tags: ['views'],
    methods: ['GET'],
    path: '/clusters/{name}',
    pathParams: z.object({ name: dnsLabel('cluster', 'Cluster name') }),
    auth: 'none',
    responses: { 200: { description: 'The cluster', content: { 'application/json': clusterDetailSchema } }, ...errors({ 404: ['CLUSTER_NOT_FOUND'] }, 'none') },
  },
  queue: {
    summary: 'The getvacant calls waiting, in order; with build and job, one waiter\'s tickets at their place in it',
    tags: ['views'],
    methods: ['GET'],
    path: '/queue',
    paramsFrom: 'query',
    params: z.object({ build: text('build', 'Only tickets of this build').optional(), job: text('job', 'Only tickets of this job').optional() }),
    auth: 'none',
    responses: { 200: { description: 'The queue', content: { 'application/json': queueSchema } }, ...errors({}, 'none') },
  },
  poolEvents: {
    summary: 'The pool as Server-Sent Events: a snapshot, then every change',
    description:
      'The console\'s live board. `event: snapshot` carries every cluster and the queue (first, and after every reconnect); `event: change` carries the clusters that changed, the names removed and the queue when it changed. Every replica serves it from the store\'s change notifications, so a client sees the writes of all replicas. A comment line every 15 s keeps idle connections open.',
    tags: ['views'],
    methods: ['GET'],
    path: '/pool/events',
    auth: 'none',
    responses: { 200: { description: 'The stream (never ends on its own)', content: { 'text/event-stream': z.union([poolSnapshotEventSchema, poolChangeEventSchema]) } } },
  },
  shellClient: {
    summary: 'The POSIX sh client for e2e pods (acquire, release, heartbeat, hold, run)',
    description: 'Fetch it with `curl -sf "$CIMASTER_URL/client.sh" -o cimaster.sh`, then `sh cimaster.sh COMMAND`; see docs/cimaster.md.',
    tags: ['shell client'],
    methods: ['GET'],
    path: '/client.sh',
    auth: 'none',
    responses: { 200: { description: 'The script', content: { 'text/plain': z.string().regex(/^#!\/bin\/sh\n/) } } },
  },
  openapi: documentRoute,
  ...probeRoutes,
  ...consoleRouteSpecs(cimasterConsoleConfigSchema, unknownCall),
});

export type CimasterRoutes = typeof cimasterRoutes;
