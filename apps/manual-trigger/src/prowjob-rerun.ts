import type { JobIndex, LoadedProwConfig } from '@ci-stack/prow-config';
import { isValidLabelValue, newProwJob, type Container, type EnvVar, type ProwJob, type ProwJobType } from '@ci-stack/prowjob-api';
import type { Clock } from '@ci-stack/core';
import { Annotations, CREATED_BY_LABEL, DOMAIN, IDEMPOTENCY_LABEL, RERUN_OF_LABEL, TRIGGERED_BY_LABEL, buildProwJob, identityLabelValue } from './build-prowjob';
import { RerunNotSupportedError } from './errors';
import type { TriggerMetrics } from './metrics';
import { CREATED_HOUR_LABEL, hourBucket } from './time-buckets';
import type { RerunMode } from './requests/rerun-request';
import { type Caller, type TriggerService, idempotencyOf } from './trigger-service';
import type { TriggerRequest } from '@ci-stack/manual-trigger-api';
import type { TriggerResponse } from './views';

/** Labels and annotations other Prow components set that Deck carries over to a `latest` rerun. */
const COMPONENT_SPECIFIED = [
  'prow.k8s.io/gerrit-revision',
  'prow.k8s.io/gerrit-patchset',
  'prow.k8s.io/gerrit-report-label',
  'event-GUID',
  'created-by-tide',
  'prow.k8s.io/gerrit-id',
  'prow.k8s.io/gerrit-instance',
];
/** Our annotations that describe the spec (so they stay true of an `original` copy); the others describe one run. */
const SPEC_ANNOTATIONS = [Annotations.envOverrides, Annotations.typeOverride];
const ENDPOINT = 'POST /prowjobs/NAME/rerun';

export interface RerunDeps {
  trigger: TriggerService;
  config: () => LoadedProwConfig;
  clock: Clock;
  metrics: TriggerMetrics;
  githubUrl: string;
  allowedEnv: readonly string[];
}

/**
 * Reruns a ProwJob as Deck's rerun does: `original` copies its spec, labels and annotations; `latest` rebuilds the
 * job from the current config with the same refs. The new ProwJob records `rerun-of`, who asked and through which
 * request, is created under the caller's Idempotency-Key like a trigger, and the answer is a trigger's.
 */
export class ProwJobRerunner {
  constructor(private readonly deps: RerunDeps) {}

  async rerun(old: ProwJob, mode: RerunMode, caller: Caller): Promise<TriggerResponse & { dropped_env: string[] }> {
    const idempotency = idempotencyOf(caller);
    const overrides = this.overrides(old);
    const prowJob = mode === 'original' ? this.copy(old, caller, idempotency, overrides) : this.rebuild(old, caller, idempotency, overrides);
    const who = caller.identity === 'anonymous' ? '' : caller.identity;
    prowJob.status.description = `${who ? `${who} successfully reran` : 'Successfully reran'} ${old.metadata.name}.`;
    prowJob.metadata.annotations = { ...prowJob.metadata.annotations, [Annotations.rerunOf]: old.metadata.name };
    if (isValidLabelValue(old.metadata.name)) prowJob.metadata.labels = { ...prowJob.metadata.labels, [RERUN_OF_LABEL]: old.metadata.name };
    const answer = await this.deps.trigger.submit(prowJob, idempotency.idempotencyHash, `ProwJob created successfully as a rerun of ${old.metadata.name}`);
    if (!answer.idempotent_replay && !answer.dry_run) this.deps.metrics.reruns.inc({ mode });
    return { ...answer, rerun_of: old.metadata.name, dropped_env: overrides.dropped };
  }

  /**
   * The old spec as it was, but for the env overrides the operator no longer allows: each of those is set back to
   * what the job's current config gives it, or removed when the config gives it nothing.
   */
  private copy(old: ProwJob, caller: Caller, idempotency: { idempotencyHash?: string; name?: string }, overrides: Overrides): ProwJob {
    const now = this.deps.clock.now();
    const labels = { ...withoutOurs(old.metadata.labels, []), ...bookkeepingLabels(caller, idempotency.idempotencyHash), [CREATED_HOUR_LABEL]: hourBucket(now.getTime()) };
    const annotations = { ...withoutOurs(old.metadata.annotations, SPEC_ANNOTATIONS), ...runAnnotations(caller) };
    const spec = structuredClone(old.spec);
    if (overrides.dropped.length) {
      revertEnv(spec.pod_spec?.containers ?? [], overrides.dropped, configuredContainers(this.deps.config().index, old));
      if (overrides.kept.length) annotations[Annotations.envOverrides] = overrides.kept.join(',');
      else delete annotations[Annotations.envOverrides];
    }
    return newProwJob(spec, labels, annotations, { now, name: idempotency.name, requireScheduling: this.scheduling() });
  }

  private rebuild(old: ProwJob, caller: Caller, idempotency: { idempotencyHash?: string; name?: string }, overrides: Overrides): ProwJob {
    const type = old.spec.type;
    if (type === 'batch') throw new RerunNotSupportedError(old.metadata.name, type);
    const refs = old.spec.refs;
    const prowJob = buildProwJob(sameRequest(old, recordedEnv(old, overrides.kept)), {
      index: this.deps.config().index,
      requireScheduling: this.scheduling(),
      githubUrl: this.deps.githubUrl,
      identity: caller.identity,
      endpoint: ENDPOINT,
      requestId: caller.requestId,
      now: this.deps.clock.now(),
      refs: type === 'periodic' ? undefined : refs,
      ...idempotency,
    });
    for (const bag of ['labels', 'annotations'] as const) {
      for (const key of COMPONENT_SPECIFIED) {
        const value = old.metadata[bag]?.[key];
        if (value !== undefined) prowJob.metadata[bag] = { ...prowJob.metadata[bag], [key]: value };
      }
    }
    return prowJob;
  }

  /** With Prow's scheduler on, a new ProwJob starts in state `scheduling`, as Deck's rerun creates it. */
  private scheduling(): boolean {
    return this.deps.config().config.scheduler?.enabled === true;
  }

  /**
   * The env overrides the old run recorded (its `env-overrides` annotation), split into those a rerun applies again
   * (the ones `--allowed-env` allows now, and AUTHOR, which the trigger's user set) and those it drops.
   */
  private overrides(old: ProwJob): Overrides {
    const names = (old.metadata.annotations?.[Annotations.envOverrides] ?? '').split(',').filter(Boolean);
    const allowed = (name: string): boolean => name === 'AUTHOR' || this.deps.allowedEnv.includes(name);
    return { kept: names.filter(allowed), dropped: names.filter((name) => !allowed(name)).sort() };
  }
}

/** The recorded env overrides of a ProwJob, split by what `--allowed-env` allows now. */
interface Overrides {
  kept: string[];
  dropped: string[];
}

/** The values the old run had for the overrides a rerun keeps. */
function recordedEnv(old: ProwJob, kept: readonly string[]): Record<string, string> {
  const env = old.spec.pod_spec?.containers?.[0]?.env ?? [];
  const out: Record<string, string> = Object.create(null);
  for (const name of kept) {
    const value = env.find((e) => e.name === name)?.value;
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The containers the job has in the current config (the first of its variants), if it is still there. */
function configuredContainers(index: JobIndex, old: ProwJob): Container[] | undefined {
  const { type, job, refs } = old.spec;
  if (type === 'periodic') return index.periodic(job)?.spec?.containers;
  const orgRepo = `${refs?.org ?? ''}/${refs?.repo ?? ''}`;
  return [...index.presubmits(orgRepo, job), ...index.postsubmits(orgRepo, job)][0]?.spec?.containers;
}

/**
 * Undoes overrides in a copied spec: each named variable gets the definition the same container (by name, else by
 * position) has in the config, or goes when the config has none.
 */
function revertEnv(containers: Container[], names: readonly string[], configured: Container[] | undefined): void {
  containers.forEach((container, i) => {
    const source = configured?.find((c) => c.name !== undefined && c.name === container.name) ?? configured?.[i];
    const env: EnvVar[] = [];
    for (const entry of container.env ?? []) {
      if (!names.includes(entry.name)) env.push(entry);
      else {
        const original = source?.env?.find((e) => e.name === entry.name);
        if (original) env.push(structuredClone(original));
      }
    }
    container.env = env;
  });
}

/** The trigger request that names the old job: its type, name, repository, branch and pull request. */
function sameRequest(old: ProwJob, env: Record<string, string>): TriggerRequest {
  const refs = old.spec.refs;
  return {
    org: refs?.org ?? '',
    repo: refs?.repo ?? '',
    baseRef: refs?.base_ref ?? '',
    type: old.spec.type as Exclude<ProwJobType, 'batch'>,
    job: old.spec.job,
    pullRequest: refs?.pulls?.[0]?.number,
    env,
    dryRun: false,
  };
}

function withoutOurs(bag: Record<string, string> | undefined, keep: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(bag ?? {}).filter(([k]) => !k.startsWith(DOMAIN) || keep.includes(k)));
}

function bookkeepingLabels(caller: Caller, hash: string | undefined): Record<string, string> {
  return { [CREATED_BY_LABEL]: 'true', [TRIGGERED_BY_LABEL]: identityLabelValue(caller.identity), ...(hash ? { [IDEMPOTENCY_LABEL]: hash } : {}) };
}

function runAnnotations(caller: Caller): Record<string, string> {
  return { [Annotations.triggeredBy]: caller.identity, [Annotations.endpoint]: ENDPOINT, [Annotations.requestId]: caller.requestId };
}
