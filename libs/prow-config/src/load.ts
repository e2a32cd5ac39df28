import { readFile } from 'node:fs/promises';
import { GoTypes, type DecorationConfig, type JobBase, type KubeObject, type Periodic, type Postsubmit, type Presubmit } from '@ci-stack/prowjob-api';
import { branchersIntersect } from './branches';
import type { PlankConfig, ProwConfig } from './config-types';
import { listJobConfigFiles } from './files';
import { readConfigFile, type JobFileContents } from './job-file';
import { JobIndex } from './job-index';
import type { JobKind } from './job-shape';
import { podSpecProblems } from './pod-spec-rules';
import { applyDecorationDefault, applyProwJobDefault, entriesFromMap, mergePreset, resolveDefaults, type DefaultEntry, type Preset } from './merge';
import { ConfigLoadError, type ConfigProblem } from './problems';

/** Where Prow's config lives: `--config-path` and `--job-config-path` (a file or a directory). */
export interface ProwConfigPaths {
  configPath: string;
  jobConfigPath?: string;
}

/** A config that loaded without problems, ready to serve lookups. */
export interface LoadedProwConfig {
  config: ProwConfig;
  index: JobIndex;
  presets: Preset[];
  files: string[];
  loadedAt: Date;
}

/** Everything a load found: the config when usable, and every problem. */
export interface LoadReport {
  loaded?: LoadedProwConfig;
  problems: ConfigProblem[];
  counts: { presubmits: number; postsubmits: number; periodics: number };
}

/** Jobs and presets of every file, in the order Prow reads the files. */
class Collected {
  readonly presubmits = new Map<string, Presubmit[]>();
  readonly postsubmits = new Map<string, Postsubmit[]>();
  readonly periodics: Periodic[] = [];
  readonly presets: Preset[] = [];

  add(contents: JobFileContents): void {
    this.presets.push(...contents.presets);
    for (const [repo, jobs] of contents.presubmits) appendTo(this.presubmits, repo, jobs);
    for (const [repo, jobs] of contents.postsubmits) appendTo(this.postsubmits, repo, jobs);
    this.periodics.push(...contents.periodics);
  }

  counts(): LoadReport['counts'] {
    return { presubmits: sum(this.presubmits), postsubmits: sum(this.postsubmits), periodics: this.periodics.length };
  }
}

function appendTo<T>(map: Map<string, T[]>, key: string, items: T[]): void {
  const list = map.get(key);
  if (list) list.push(...items);
  else map.set(key, [...items]);
}

function sum(map: Map<string, unknown[]>): number {
  let n = 0;
  for (const list of map.values()) n += list.length;
  return n;
}

/** Loads and validates Prow's config; throws {@link ConfigLoadError} listing every problem. */
export async function loadProwConfig(paths: ProwConfigPaths, now: () => Date = () => new Date()): Promise<LoadedProwConfig> {
  const report = await inspectProwConfig(paths, now);
  if (!report.loaded) throw new ConfigLoadError(report.problems);
  return report.loaded;
}

/**
 * Loads Prow's config the way Prow does (read into Prow's types, default, apply decoration defaults and presets,
 * validate) and reports every problem with its file, line and job. Yields to the event loop between slices of
 * work so that a reload in a serving process never blocks requests for long.
 */
export async function inspectProwConfig(paths: ProwConfigPaths, now: () => Date = () => new Date()): Promise<LoadReport> {
  const problems: ConfigProblem[] = [];
  const jobFiles = paths.jobConfigPath ? await listJobConfigFiles(paths.jobConfigPath, problems) : [];
  const collected = new Collected();
  const slice = timeSlicer(SLICE_MS);
  const mainText = await readFile(paths.configPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    problems.push({ file: paths.configPath, message: `cannot read file: ${err.code ?? String(err)}` });
    return undefined;
  });
  let config: ProwConfig | undefined;
  if (mainText !== undefined) {
    const main = readConfigFile(paths.configPath, mainText, GoTypes.config);
    problems.push(...main.problems);
    if (main.document) config = configFrom(main.document, paths.configPath, problems);
    collected.add(main);
  }
  for await (const [file, text] of readConcurrently(jobFiles, problems)) {
    await slice();
    const contents = readConfigFile(file, text);
    problems.push(...contents.problems);
    collected.add(contents);
  }
  problems.push(...presetProblems(collected.presets));
  const counts = collected.counts();
  if (config) await finalizeJobs(config, collected, problems, slice);
  await slice();
  validateDuplicates(collected, problems);
  await slice();
  if (!config || problems.length > 0) return { problems, counts };
  const index = new JobIndex(collected.presubmits, collected.postsubmits, collected.periodics);
  return { problems, counts, loaded: { config, index, presets: collected.presets, files: [paths.configPath, ...jobFiles], loadedAt: now() } };
}

/** Work runs in slices of at most this long between yields, so a reload never holds up requests for long. */
const SLICE_MS = 10;
const READ_CONCURRENCY = 32;

/** Resolves at once while the current slice lasts; once it has run `ms`, yields to the event loop first. */
function timeSlicer(ms: number): () => Promise<void> {
  let started = performance.now();
  return async () => {
    if (performance.now() - started < ms) return;
    await new Promise((resolve) => setImmediate(resolve));
    started = performance.now();
  };
}

/** Reads the files with a few reads in flight (sequential reads spend most of a load waiting), in order. */
async function* readConcurrently(files: string[], problems: ConfigProblem[]): AsyncGenerator<[string, string]> {
  const reads = new Map<number, Promise<string | undefined>>();
  const start = (i: number) => {
    if (i < files.length) reads.set(i, readFile(files[i], 'utf8').catch((err: NodeJS.ErrnoException) => {
      problems.push({ file: files[i], message: `cannot read file: ${err.code ?? String(err)}` });
      return undefined;
    }));
  };
  for (let i = 0; i < Math.min(READ_CONCURRENCY, files.length); i++) start(i);
  for (let i = 0; i < files.length; i++) {
    const text = await reads.get(i);
    reads.delete(i);
    start(i + READ_CONCURRENCY);
    if (text !== undefined) yield [files[i], text];
  }
}

/** config.yaml's settings with Prow's defaults; undefined (with problems) when they cannot be used. */
function configFrom(doc: Record<string, unknown>, file: string, problems: ConfigProblem[]): ProwConfig | undefined {
  const plank = (doc.plank ?? {}) as PlankConfig;
  if (Object.keys(plank.default_decoration_configs ?? {}).length > 0 && (plank.default_decoration_config_entries ?? []).length > 0) {
    problems.push({ file, message: 'plank.default_decoration_configs and plank.default_decoration_config_entries are mutually exclusive, please use one or the other' });
    return undefined;
  }
  const { presubmits: _a, postsubmits: _b, periodics: _c, ...rest } = doc;
  return {
    ...rest,
    prowjob_namespace: (doc.prowjob_namespace as string | undefined) || 'default',
    pod_namespace: (doc.pod_namespace as string | undefined) || 'default',
    plank,
  } as ProwConfig;
}

/** Prow refuses two presets that select on the same label and value. */
function presetProblems(presets: Preset[]): ConfigProblem[] {
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const preset of presets) {
    for (const [label, value] of Object.entries(preset.labels ?? {})) {
      const pair = `${label}:${value}`;
      if (seen.has(pair)) problems.push({ message: `duplicated preset 'label:value' pair : ${pair}` });
      seen.add(pair);
    }
  }
  return problems;
}

function decorationEntries(plank: PlankConfig): Array<DefaultEntry<DecorationConfig>> {
  const map = plank.default_decoration_configs ?? {};
  if (Object.keys(map).length > 0) return entriesFromMap(map);
  return (plank.default_decoration_config_entries ?? []).filter((e): e is DefaultEntry<DecorationConfig> => e !== null);
}

/** Prow's defaulting and finalizing, in Prow's order: job base defaults, decoration defaults, then presets. */
async function finalizeJobs(config: ProwConfig, jobs: Collected, problems: ConfigProblem[], slice: () => Promise<void>): Promise<void> {
  const finalize = finalizer(config, jobs.presets, problems);
  for (const [repo, list] of jobs.presubmits) {
    for (const job of list) {
      job.context ||= job.name;
      if (!job.trigger && !job.rerun_command) {
        job.trigger = `(?m)^/test( | .* )${job.name},?($|\\s.*)`;
        job.rerun_command = `/test ${job.name}`;
      }
      finalize(job, repo, 'presubmit');
      await slice();
    }
  }
  for (const [repo, list] of jobs.postsubmits) {
    for (const job of list) {
      job.context ||= job.name;
      finalize(job, repo, 'postsubmit');
      await slice();
    }
  }
  for (const job of jobs.periodics) {
    const ref = job.extra_refs?.[0];
    finalize(job, ref ? `${ref.org}/${ref.repo}` : '', 'periodic');
    await slice();
  }
}

/** What every job kind gets: base defaults, decoration and ProwJob defaults, presets, then the pod spec rules. */
function finalizer(config: ProwConfig, presets: Preset[], problems: ConfigProblem[]): (job: JobBase, repo: string, kind: JobKind) => void {
  const decoration = decorationEntries(config.plank);
  const prowJobDefaults = (config.prowjob_default_entries ?? []).filter((e) => e !== null) as Array<DefaultEntry<KubeObject>>;
  return (job, repo, kind) => {
    job.agent ||= 'kubernetes';
    job.namespace ||= config.pod_namespace;
    job.cluster ||= 'default';
    const place = { repo, cluster: job.cluster };
    if (job.decorate ?? config.decorate_all_jobs ?? false) {
      job.decoration_config = resolveDefaults(decoration, place, job.decoration_config, applyDecorationDefault) ?? {};
    }
    job.prowjob_defaults = resolveDefaults(prowJobDefaults, place, job.prowjob_defaults, applyProwJobDefault) ?? {};
    job.prowjob_defaults.tenant_id ||= 'GlobalDefaultID';
    const clash = applyPresets(presets, job);
    if (clash) problems.push({ file: job.source_path, job: job.name, message: clash });
    for (const message of podSpecProblems(kind, job.spec as Parameters<typeof podSpecProblems>[1], job.decoration_config)) {
      problems.push({ file: job.source_path, job: job.name, message: `${kind}: ${message}` });
    }
  };
}

/** Applies the presets in order; Prow stops at a job's first clashing preset. */
function applyPresets(presets: Preset[], job: JobBase): string | undefined {
  for (const preset of presets) {
    const clash = mergePreset(preset, job);
    if (clash) return clash;
  }
  return undefined;
}

function validateDuplicates(jobs: Collected, problems: ConfigProblem[]): void {
  for (const [kind, byRepo] of [['presubmit', jobs.presubmits], ['postsubmit', jobs.postsubmits]] as const) {
    for (const [repo, list] of byRepo) {
      const byName = new Map<string, Array<Presubmit | Postsubmit>>();
      for (const job of list) {
        const same = byName.get(job.name) ?? [];
        if (same.some((other) => branchersIntersect(other, job))) {
          problems.push({ file: job.source_path, job: job.name, message: `duplicated ${kind} job ${job.name} for ${repo} (branches overlap)` });
        }
        same.push(job);
        byName.set(job.name, same);
      }
    }
  }
  const seen = new Map<string, Periodic>();
  for (const job of jobs.periodics) {
    const first = seen.get(job.name);
    if (first) problems.push({ file: job.source_path, job: job.name, message: `duplicated periodic job ${job.name} (also in ${first.source_path})` });
    else seen.set(job.name, job);
  }
}
