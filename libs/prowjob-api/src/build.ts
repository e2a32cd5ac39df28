import { randomUUID } from 'node:crypto';
import { encodeGo } from './go-encode';
import { GoTypes } from './go-types';
import { ProwLabels, sanitizeLabelValue, truncateForLabel } from './labels';
import type { JobBase, Periodic, Postsubmit, Presubmit, ProwJob, ProwJobSpec, ProwJobState, Refs } from './types';

/** A deep copy of plain data (what YAML and JSON give), so a built ProwJob never aliases the loaded config. */
function clone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clone) as T;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const copy = clone((value as Record<string, unknown>)[key]);
    // YAML and JSON give `__proto__` as an own key; assigning it would replace the copy's prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copy, writable: true, enumerable: true, configurable: true });
    else out[key] = copy;
  }
  return out as T;
}

/** Sets `target[key]` only when the value is present, as Go's `omitempty` JSON encoding would show it. */
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value === undefined || value === null || value === '' || value === false || value === 0) return;
  target[key] = value;
}

/** Prow's `specFromJobBase`: the fields every job kind copies into the ProwJob spec. */
function specFromJobBase(job: JobBase, type: ProwJobSpec['type']): ProwJobSpec {
  const spec: ProwJobSpec = { type, job: job.name, agent: job.agent };
  put(spec, 'cluster', job.cluster);
  put(spec, 'namespace', job.namespace);
  put(spec, 'max_concurrency', job.max_concurrency);
  put(spec, 'error_on_eviction', job.error_on_eviction);
  put(spec, 'extra_refs', decorateExtraRefs(job));
  put(spec, 'decoration_config', clone(job.decoration_config));
  put(spec, 'pod_spec', clone(job.spec));
  put(spec, 'pipeline_run_spec', clone(job.pipeline_run_spec));
  put(spec, 'tekton_pipeline_run_spec', clone(job.tekton_pipeline_run_spec));
  put(spec, 'reporter_config', clone(job.reporter_config));
  put(spec, 'rerun_auth_config', clone(job.rerun_auth_config));
  put(spec, 'hidden', job.hidden);
  put(spec, 'prowjob_defaults', clone(job.prowjob_defaults));
  put(spec, 'job_queue_name', job.job_queue_name);
  return spec;
}

/** A presubmit's or postsubmit's Jenkins settings, as Prow carries them into the spec. */
function jenkinsSpec(job: Presubmit | Postsubmit): ProwJobSpec['jenkins_spec'] {
  const jenkins = job.jenkins_spec as { github_branch_source_job?: boolean } | undefined;
  return jenkins ? { github_branch_source_job: jenkins.github_branch_source_job } : undefined;
}

function decorateRefs(refs: Refs, job: JobBase): Refs {
  const blobless = job.decoration_config?.blobless_fetch;
  if (job.decoration_config && refs.blobless_fetch === undefined && blobless !== undefined) {
    return { ...refs, blobless_fetch: blobless };
  }
  return refs;
}

function decorateExtraRefs(job: JobBase): Refs[] | undefined {
  if (!job.extra_refs || job.extra_refs.length === 0) return undefined;
  return job.extra_refs.map((r) => decorateRefs(clone(r), job));
}

/** Prow's `CompletePrimaryRefs`: the job's clone settings complete the caller's refs. */
export function completePrimaryRefs(refs: Refs, job: JobBase): Refs {
  const completed = clone(refs);
  if (job.path_alias) completed.path_alias = job.path_alias;
  if (job.clone_uri) completed.clone_uri = job.clone_uri;
  if (job.skip_submodules) completed.skip_submodules = true;
  if (job.clone_depth && job.clone_depth > 0) completed.clone_depth = job.clone_depth;
  if (job.skip_fetch_head) completed.skip_fetch_head = true;
  return decorateRefs(completed, job);
}

/** Prow's `PresubmitSpec`. */
export function presubmitSpec(job: Presubmit, refs: Refs): ProwJobSpec {
  const spec = specFromJobBase(job, 'presubmit');
  put(spec, 'context', job.context);
  spec.report = !job.skip_report;
  put(spec, 'rerun_command', job.rerun_command);
  put(spec, 'jenkins_spec', jenkinsSpec(job));
  spec.refs = completePrimaryRefs(refs, job);
  return spec;
}

/** Prow's `PostsubmitSpec`. */
export function postsubmitSpec(job: Postsubmit, refs: Refs): ProwJobSpec {
  const spec = specFromJobBase(job, 'postsubmit');
  put(spec, 'context', job.context);
  spec.report = !job.skip_report;
  spec.refs = completePrimaryRefs(refs, job);
  put(spec, 'jenkins_spec', jenkinsSpec(job));
  return spec;
}

/** Prow's `PeriodicSpec`: no refs, and periodics always report. */
export function periodicSpec(job: Periodic): ProwJobSpec {
  const spec = specFromJobBase(job, 'periodic');
  spec.report = true;
  return spec;
}

/**
 * Prow's `LabelsAndAnnotationsForSpec`: Prow's labels, caller labels merged over them, every value checked
 * (invalid values fall back to their last path element or are dropped); the job annotation keeps the full name.
 */
export function labelsAndAnnotationsForSpec(
  spec: ProwJobSpec,
  extraLabels: Record<string, string> = {},
  extraAnnotations: Record<string, string> = {},
): { labels: Record<string, string>; annotations: Record<string, string> } {
  // Caller labels come from job YAML, where `__proto__` is a key like any other: a Map, not an object, collects them.
  const candidate = new Map<string, string>([
    [ProwLabels.created, 'true'],
    [ProwLabels.type, spec.type],
  ]);
  const annotations: Record<string, string> = {};
  // The job name and context go on both: cut to a valid length on the label, in full on the annotation.
  for (const [key, value] of [[ProwLabels.job, spec.job], [ProwLabels.context, spec.context ?? '']] as const) {
    candidate.set(key, truncateForLabel(value));
    annotations[key] = value;
  }
  const refs = spec.refs ?? spec.extra_refs?.[0];
  if (refs) {
    candidate.set(ProwLabels.org, refs.org);
    candidate.set(ProwLabels.repo, refs.repo);
    candidate.set(ProwLabels.baseRef, refs.base_ref ?? '');
    const pull = refs.pulls?.[0];
    if (pull) candidate.set(ProwLabels.pull, String(pull.number));
  }
  for (const [key, value] of Object.entries(extraLabels)) candidate.set(key, value);
  const labels = Object.fromEntries([...candidate].flatMap(([key, value]) => {
    const sane = sanitizeLabelValue(value);
    return sane === undefined ? [] : [[key, sane]];
  })) as Record<string, string>;
  return { labels, annotations: { ...annotations, ...extraAnnotations } };
}

/** Options for {@link newProwJob}; `now` and `name` are seams for golden tests and deterministic names. */
export interface NewProwJobOptions {
  now?: Date;
  name?: string;
  /** Prow's `RequireScheduling`: with the scheduler enabled, a new ProwJob starts in state `scheduling`. */
  requireScheduling?: boolean;
}

/**
 * Prow's `NewProwJob`: a triggered ProwJob named by a random UUID, started now, written as Go writes it (fields
 * Go always writes are there, empty `omitempty` fields are not).
 */
export function newProwJob(
  spec: ProwJobSpec,
  extraLabels: Record<string, string> = {},
  extraAnnotations: Record<string, string> = {},
  opts: NewProwJobOptions = {},
): ProwJob {
  const { labels, annotations } = labelsAndAnnotationsForSpec(spec, extraLabels, extraAnnotations);
  const state: ProwJobState = opts.requireScheduling ? 'scheduling' : 'triggered';
  const prowJob = {
    apiVersion: 'prow.k8s.io/v1',
    kind: 'ProwJob',
    metadata: { name: opts.name ?? randomUUID(), labels, annotations },
    spec: withSlackReportDefault(spec),
    status: { startTime: formatTime(opts.now ?? new Date()), state },
  };
  return encodeGo(prowJob, GoTypes.prowJob) as ProwJob;
}

/**
 * Prow's `setReportDefault`: Slack's `report` is false when `job_states_to_report` is set and empty, true
 * otherwise, whatever the job says.
 */
function withSlackReportDefault(spec: ProwJobSpec): ProwJobSpec {
  const slack = spec.reporter_config?.slack as Record<string, unknown> | undefined;
  if (!slack) return spec;
  const states = slack.job_states_to_report;
  const report = !(Array.isArray(states) && states.length === 0);
  return { ...spec, reporter_config: { ...spec.reporter_config, slack: { ...slack, report } } };
}

/** Kubernetes `metav1.Time` JSON: RFC 3339 with second precision. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
