import type { DecorationConfig, JobBase, KubeObject } from '@ci-stack/prowjob-api';
import type { PlankConfig, ProwConfig } from './config-types';
import type { JobFileContents } from './job-file';
import type { JobKind } from './job-shape';
import { applyDecorationDefault, applyProwJobDefault, entriesFromMap, mergePreset, resolveDefaults, type DefaultEntry, type Preset } from './merge';
import { podSpecProblems } from './pod-spec-rules';
import type { ConfigProblem } from './problems';

/** What finalizing a job needs from config.yaml and the other files: plain data, so it can cross threads. */
export interface FinalizeSettings {
  podNamespace: string;
  decorateAllJobs: boolean;
  decoration: Array<DefaultEntry<DecorationConfig>>;
  prowJobDefaults: Array<DefaultEntry<KubeObject>>;
  /** Every preset, config.yaml's first, then each job file's in the order Prow reads the files. */
  presets: Preset[];
}

export function finalizeSettings(config: ProwConfig, presets: Preset[]): FinalizeSettings {
  return {
    podNamespace: config.pod_namespace,
    decorateAllJobs: config.decorate_all_jobs ?? false,
    decoration: decorationEntries(config.plank),
    prowJobDefaults: (config.prowjob_default_entries ?? []).filter((e) => e !== null) as Array<DefaultEntry<KubeObject>>,
    presets,
  };
}

function decorationEntries(plank: PlankConfig): Array<DefaultEntry<DecorationConfig>> {
  const map = plank.default_decoration_configs ?? {};
  if (Object.keys(map).length > 0) return entriesFromMap(map);
  return (plank.default_decoration_config_entries ?? []).filter((e): e is DefaultEntry<DecorationConfig> => e !== null);
}

/**
 * Prow's defaulting and finalizing of one file's jobs, in Prow's order: job base defaults, decoration and ProwJob
 * defaults, then presets; then the pod spec rules. Changes the jobs in place and returns what is wrong.
 */
export function finalizeContents(contents: JobFileContents, settings: FinalizeSettings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [repo, jobs] of contents.presubmits) {
    for (const job of jobs) {
      job.context ||= job.name;
      if (!job.trigger && !job.rerun_command) {
        job.trigger = `(?m)^/test( | .* )${job.name},?($|\\s.*)`;
        job.rerun_command = `/test ${job.name}`;
      }
      finalizeJob(job, { repo, kind: 'presubmit' }, settings, problems);
    }
  }
  for (const [repo, jobs] of contents.postsubmits) {
    for (const job of jobs) {
      job.context ||= job.name;
      finalizeJob(job, { repo, kind: 'postsubmit' }, settings, problems);
    }
  }
  for (const job of contents.periodics) {
    const ref = job.extra_refs?.[0];
    finalizeJob(job, { repo: ref ? `${ref.org}/${ref.repo}` : '', kind: 'periodic' }, settings, problems);
  }
  return problems;
}

/** What every job kind gets: base defaults, decoration and ProwJob defaults, presets, then the pod spec rules. */
function finalizeJob(job: JobBase, where: { repo: string; kind: JobKind }, settings: FinalizeSettings, problems: ConfigProblem[]): void {
  job.agent ||= 'kubernetes';
  job.namespace ||= settings.podNamespace;
  job.cluster ||= 'default';
  const place = { repo: where.repo, cluster: job.cluster };
  if (job.decorate ?? settings.decorateAllJobs) {
    job.decoration_config = resolveDefaults(settings.decoration, place, job.decoration_config, applyDecorationDefault) ?? {};
  }
  job.prowjob_defaults = resolveDefaults(settings.prowJobDefaults, place, job.prowjob_defaults, applyProwJobDefault) ?? {};
  job.prowjob_defaults.tenant_id ||= 'GlobalDefaultID';
  const clash = applyPresets(settings.presets, job);
  if (clash) problems.push({ file: job.source_path, job: job.name, message: clash });
  for (const message of podSpecProblems(where.kind, job.spec as Parameters<typeof podSpecProblems>[1], job.decoration_config)) {
    problems.push({ file: job.source_path, job: job.name, message: `${where.kind}: ${message}` });
  }
}

/** Applies the presets in order; Prow stops at a job's first clashing preset. */
function applyPresets(presets: Preset[], job: JobBase): string | undefined {
  for (const preset of presets) {
    const clash = mergePreset(preset, job);
    if (clash) return clash;
  }
  return undefined;
}
