import { createHash } from 'node:crypto';
import type { JobIndex } from '@ci-stack/prow-config';
import { branchAllowed } from '@ci-stack/prow-config';
import {
  isValidLabelValue,
  newProwJob,
  periodicSpec,
  postsubmitSpec,
  presubmitSpec,
  type Container,
  type Periodic,
  type Postsubmit,
  type Presubmit,
  type ProwJob,
  type ProwJobSpec,
  type Refs,
} from '@ci-stack/prowjob-api';
import { BranchNotAllowedError, GerritChangeNotSupportedError, JobNotFoundError } from './errors';
import { gerritRefs, isGerritRequest } from './gerrit-refs';
import { baseRefProblem, type TriggerRequest } from '@ci-stack/manual-trigger-api';
import { ValidationError } from '@ci-stack/core';
import { CREATED_HOUR_LABEL, hourBucket } from './time-buckets';

/** Labels and annotations manual-trigger adds to the ProwJobs it creates (and, for aborts, changes). */
export const DOMAIN = 'manual-trigger.ci-stack.io/';
export const Annotations = Object.freeze({
  triggeredBy: `${DOMAIN}triggered-by`,
  endpoint: `${DOMAIN}endpoint`,
  requestId: `${DOMAIN}request-id`,
  envOverrides: `${DOMAIN}env-overrides`,
  typeOverride: `${DOMAIN}type-override`,
  rerunOf: `${DOMAIN}rerun-of`,
  abortedBy: `${DOMAIN}aborted-by`,
  abortedAt: `${DOMAIN}aborted-at`,
  abortReason: `${DOMAIN}abort-reason`,
});
export const IDEMPOTENCY_LABEL = `${DOMAIN}idempotency-key`;
export const CREATED_BY_LABEL = `${DOMAIN}created`;
/** The identity as a label value (see {@link identityLabelValue}), so lists can select by who triggered. */
export const TRIGGERED_BY_LABEL = `${DOMAIN}triggered-by`;
/** The ProwJob a rerun repeats, when its name fits in a label value (the annotation always has it). */
export const RERUN_OF_LABEL = `${DOMAIN}rerun-of`;

export interface BuildContext {
  index: JobIndex;
  /** Prow's scheduler is enabled: new ProwJobs start in state `scheduling`, as Prow creates them. */
  requireScheduling?: boolean;
  githubUrl: string;
  identity: string;
  endpoint: string;
  requestId: string;
  now: Date;
  name?: string;
  idempotencyHash?: string;
  /** Refs to use as they are instead of building them from the request (a rerun keeps the old job's refs). */
  refs?: Refs;
}

type Found = { kind: 'presubmit'; job: Presubmit } | { kind: 'postsubmit'; job: Postsubmit } | { kind: 'periodic'; job: Periodic };

/** Finds the job as the original service did: presubmits first, then postsubmits; periodics by name. */
function findJob(index: JobIndex, req: TriggerRequest): Found {
  if (req.type === 'periodic') {
    const job = index.periodic(req.job);
    if (!job) throw new JobNotFoundError(req.job, 'periodics');
    return { kind: 'periodic', job };
  }
  const orgRepo = `${req.org}/${req.repo}`;
  // The contract refuses a longer base_ref in a request; a rerun brings the one an older ProwJob carries.
  const refProblem = baseRefProblem(req.baseRef);
  if (refProblem) throw new ValidationError(refProblem);
  const candidates: Found[] = [
    ...index.presubmits(orgRepo, req.job).map((job) => ({ kind: 'presubmit' as const, job })),
    ...index.postsubmits(orgRepo, req.job).map((job) => ({ kind: 'postsubmit' as const, job })),
  ];
  if (candidates.length === 0) throw new JobNotFoundError(req.job, orgRepo);
  const preferred = candidates.filter((c) => c.kind === req.type);
  const ordered = [...preferred, ...candidates.filter((c) => c.kind !== req.type)];
  const runnable = ordered.find((c) => branchAllowed(c.job as Presubmit, req.baseRef));
  if (!runnable) {
    const variants = ordered.map((c) => ({ type: c.kind as 'presubmit' | 'postsubmit', branches: (c.job as Presubmit).branches, skip_branches: (c.job as Presubmit).skip_branches }));
    throw new BranchNotAllowedError(req.job, orgRepo, req.baseRef, variants);
  }
  if (req.type === 'presubmit' && isGerritRequest(req)) throw new GerritChangeNotSupportedError(req.job, orgRepo);
  return runnable;
}

/** The ProwJob Prow would create for this request, with the caller's user and env applied and recorded. */
export function buildProwJob(req: TriggerRequest, ctx: BuildContext): ProwJob {
  const found = findJob(ctx.index, req);
  const spec = specFor(found, req, ctx);
  if (found.kind !== req.type && found.kind !== 'periodic') spec.type = req.type;
  const env = { ...req.env, ...(req.user ? { AUTHOR: req.user } : {}) };
  setEnv(spec, env);
  const annotations: Record<string, string> = {
    ...(found.job.annotations ?? {}),
    [Annotations.triggeredBy]: ctx.identity,
    [Annotations.endpoint]: ctx.endpoint,
    [Annotations.requestId]: ctx.requestId,
  };
  if (Object.keys(env).length) annotations[Annotations.envOverrides] = Object.keys(env).sort().join(',');
  if (found.kind !== req.type) annotations[Annotations.typeOverride] = `${found.kind}->${req.type}`;
  const labels: Record<string, string> = {
    ...(found.job.labels ?? {}),
    [CREATED_BY_LABEL]: 'true',
    [TRIGGERED_BY_LABEL]: identityLabelValue(ctx.identity),
    [CREATED_HOUR_LABEL]: hourBucket(ctx.now.getTime()),
  };
  if (ctx.idempotencyHash) labels[IDEMPOTENCY_LABEL] = ctx.idempotencyHash;
  return newProwJob(spec, labels, annotations, { now: ctx.now, name: ctx.name, requireScheduling: ctx.requireScheduling });
}

function specFor(found: Found, req: TriggerRequest, ctx: BuildContext): ProwJobSpec {
  if (found.kind === 'periodic') return periodicSpec(found.job);
  if (ctx.refs) return found.kind === 'presubmit' ? presubmitSpec(found.job, structuredClone(ctx.refs)) : postsubmitSpec(found.job, structuredClone(ctx.refs));
  if (isGerritRequest(req)) return found.kind === 'presubmit' ? presubmitSpec(found.job, gerritRefs(req)) : postsubmitSpec(found.job, gerritRefs(req));
  const repoLink = `${ctx.githubUrl}/${req.org}/${req.repo}`;
  const refs: Refs = { org: req.org, repo: req.repo, repo_link: repoLink, base_ref: req.baseRef };
  if (req.baseSha) {
    refs.base_sha = req.baseSha;
    refs.base_link = `${repoLink}/commit/${req.baseSha}`;
  }
  if (req.type === 'presubmit' && req.pullRequest) {
    refs.pulls = [{ number: req.pullRequest, author: req.user ?? '', sha: req.pullSha ?? '', link: `${repoLink}/pull/${req.pullRequest}` }];
  }
  return found.kind === 'presubmit' ? presubmitSpec(found.job, refs) : postsubmitSpec(found.job, refs);
}

/**
 * An identity as a label value: itself when it is a valid one, else a digest of it (the triggered-by annotation
 * keeps the identity itself, and lists compare against it).
 */
export function identityLabelValue(identity: string): string {
  return isValidLabelValue(identity) ? identity : `sha256-${createHash('sha256').update(identity).digest('hex').slice(0, 56)}`;
}

/** Sets each variable in every container: an existing entry is replaced in place, never duplicated. */
function setEnv(spec: ProwJobSpec, env: Record<string, string>): void {
  const containers: Container[] = spec.pod_spec?.containers ?? [];
  for (const container of containers) {
    for (const [name, value] of Object.entries(env)) {
      const list = (container.env ??= []);
      const existing = list.find((e) => e.name === name);
      if (existing) {
        existing.value = value;
        delete existing.valueFrom;
      } else list.push({ name, value });
    }
  }
}
