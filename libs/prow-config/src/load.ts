import { readFile } from 'node:fs/promises';
import { GoTypes, type Periodic, type Postsubmit, type Presubmit } from '@ci-stack/prowjob-api';
import { branchersIntersect } from './branches';
import type { PlankConfig, ProwConfig } from './config-types';
import { listJobConfigFiles } from './files';
import { finalizeSettings, type FinalizeSettings } from './finalize';
import { readConfigFile, type JobFileContents } from './job-file';
import { countJobs, finishFile, readJobFile, type FileResult, type JobCounts, type ReadFile } from './job-files';
import { JobIndex } from './job-index';
import type { Preset } from './merge';
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
  counts: JobCounts;
}

/** How to load. */
export interface LoadOptions {
  now?: () => Date;
  /** Keep the jobs to serve them (default); without, a load only reports problems and counts (check-config). */
  keepJobs?: boolean;
}

/** Jobs of every file, in the order Prow reads the files. */
class Collected {
  readonly presubmits = new Map<string, Presubmit[]>();
  readonly postsubmits = new Map<string, Postsubmit[]>();
  readonly periodics: Periodic[] = [];

  add(jobs: FileResult): void {
    for (const [repo, list] of jobs.presubmits) appendTo(this.presubmits, repo, list);
    for (const [repo, list] of jobs.postsubmits) appendTo(this.postsubmits, repo, list);
    this.periodics.push(...jobs.periodics);
  }
}

function appendTo<T>(map: Map<string, T[]>, key: string, items: T[]): void {
  const list = map.get(key);
  if (list) list.push(...items);
  else map.set(key, [...items]);
}

function addCounts(a: JobCounts, b: JobCounts): JobCounts {
  return { presubmits: a.presubmits + b.presubmits, postsubmits: a.postsubmits + b.postsubmits, periodics: a.periodics + b.periodics };
}

/** Loads and validates Prow's config; throws {@link ConfigLoadError} listing every problem. */
export async function loadProwConfig(paths: ProwConfigPaths, opts: Omit<LoadOptions, 'keepJobs'> = {}): Promise<LoadedProwConfig> {
  const report = await inspectProwConfig(paths, opts);
  if (!report.loaded) throw new ConfigLoadError(report.problems);
  return report.loaded;
}

/**
 * Loads Prow's config the way Prow does (read into Prow's types, default, apply decoration defaults and presets,
 * validate) and reports every problem with its file, line and job. No job can be finalized before every file's
 * presets are known: the job files are read first, only those that may hold presets parsed; then each file is
 * finished (parsed, finalized). The work yields to the event loop between slices, so that a reload never blocks
 * requests for long.
 */
export async function inspectProwConfig(paths: ProwConfigPaths, opts: LoadOptions = {}): Promise<LoadReport> {
  const problems: ConfigProblem[] = [];
  const keepJobs = opts.keepJobs ?? true;
  const jobFiles = paths.jobConfigPath ? await listJobConfigFiles(paths.jobConfigPath, problems) : [];
  const slice = timeSlicer(SLICE_MS);
  const main = await readMain(paths.configPath, problems);
  const read: ReadFile[] = [];
  for (const file of jobFiles) {
    await slice();
    read.push(readJobFile(file));
  }
  const presets = [...(main?.presets ?? []), ...read.flatMap((r) => r.contents?.presets ?? [])];
  const config = main?.document ? configFrom(main.document, paths.configPath, problems) : undefined;
  const settings = config ? finalizeSettings(config, presets) : undefined;
  const mainResult = main && settings ? finishFile({ file: paths.configPath, contents: main }, settings, keepJobs) : undefined;
  const { jobs, counts } = collect(main, mainResult, await finishAll(read, settings, keepJobs, slice), problems);
  await slice();
  problems.push(...presetProblems(presets));
  if (!config || !settings) return { problems, counts };
  await slice();
  validateDuplicates(jobs, problems);
  if (!keepJobs || problems.length > 0) return { problems, counts };
  const index = new JobIndex(jobs.presubmits, jobs.postsubmits, jobs.periodics);
  const now = opts.now ?? (() => new Date());
  return { problems, counts, loaded: { config, index, presets, files: [paths.configPath, ...jobFiles], loadedAt: now() } };
}

/** Each file's jobs and problems, in file order; its text and parse are dropped as soon as it is finished. */
async function finishAll(read: ReadFile[], settings: FinalizeSettings | undefined, keepJobs: boolean, slice: () => Promise<void>): Promise<FileResult[]> {
  const results: FileResult[] = [];
  for (let i = 0; i < read.length; i++) {
    await slice();
    results.push(finishFile(read[i], settings, keepJobs));
    read[i] = { file: read[i].file };
  }
  return results;
}

/**
 * Every file's jobs, config.yaml's first, with their problems added to `problems` (config.yaml's reading problems
 * were added when it was read) and their counts summed.
 */
function collect(main: JobFileContents | undefined, mainResult: FileResult | undefined, results: FileResult[], problems: ConfigProblem[]): { jobs: Collected; counts: JobCounts } {
  const jobs = new Collected();
  let counts = main ? countJobs(main) : { presubmits: 0, postsubmits: 0, periodics: 0 };
  if (mainResult) {
    problems.push(...mainResult.problems.slice(main?.problems.length));
    jobs.add(mainResult);
  }
  for (const result of results) {
    problems.push(...result.problems);
    counts = addCounts(counts, result.counts);
    jobs.add(result);
  }
  return { jobs, counts };
}

/** config.yaml: Prow's Config type, whose jobs and presets come before every job file's. */
async function readMain(file: string, problems: ConfigProblem[]): Promise<JobFileContents | undefined> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    problems.push({ file, message: `cannot read file: ${err.code ?? String(err)}` });
    return undefined;
  });
  if (text === undefined) return undefined;
  const main = readConfigFile(file, text, GoTypes.config);
  problems.push(...main.problems);
  return main;
}

/** Work runs in slices of at most this long between yields, so a reload never holds up requests for long. */
const SLICE_MS = 10;

/** Resolves at once while the current slice lasts; once it has run `ms`, yields to the event loop first. */
function timeSlicer(ms: number): () => Promise<void> {
  let started = performance.now();
  return async () => {
    if (performance.now() - started < ms) return;
    await new Promise((resolve) => setImmediate(resolve));
    started = performance.now();
  };
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
