import { readFile } from 'node:fs/promises';
import type { DecorationConfig, JobBase, Periodic, Postsubmit, Presubmit } from '@ci-stack/prowjob-api';
import { canonicalGoDuration } from '@ci-stack/prowjob-api';
import { branchersIntersect } from './branches';
import type { PlankConfig, ProwConfig } from './config-types';
import { listJobConfigFiles } from './files';
import { JobIndex } from './job-index';
import { checkJobShape, type JobKind } from './job-shape';
import { podSpecProblems } from './pod-spec-rules';
import { entriesFromMap, mergePreset, resolveDefaults, type DefaultEntry, type Preset } from './merge';
import { parseYamlFile, parseYamlText, type ParsedFile } from './parse';
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

interface Collected {
  presubmits: Map<string, Presubmit[]>;
  postsubmits: Map<string, Postsubmit[]>;
  periodics: Periodic[];
  presets: Preset[];
}

/** Loads and validates Prow's config; throws {@link ConfigLoadError} listing every problem. */
export async function loadProwConfig(paths: ProwConfigPaths, now: () => Date = () => new Date()): Promise<LoadedProwConfig> {
  const report = await inspectProwConfig(paths, now);
  if (!report.loaded) throw new ConfigLoadError(report.problems);
  return report.loaded;
}

/**
 * Loads Prow's config the way Prow does (parse, default, apply presets and decoration defaults, validate) and
 * reports every problem with its file, line and job. Yields to the event loop between files so that a reload in a
 * serving process never blocks requests for long.
 */
export async function inspectProwConfig(paths: ProwConfigPaths, now: () => Date = () => new Date()): Promise<LoadReport> {
  const problems: ConfigProblem[] = [];
  const main = await parseYamlFile(paths.configPath, problems);
  const jobFiles = paths.jobConfigPath ? await listJobConfigFiles(paths.jobConfigPath, problems) : [];
  const collected: Collected = { presubmits: new Map(), postsubmits: new Map(), periodics: [], presets: [] };
  const config = main ? defaultConfig(main.data, main.file, problems) : undefined;
  if (main) collectJobs(main, collected, problems);
  const slice = timeSlicer(SLICE_MS);
  for await (const [file, text] of readConcurrently(jobFiles, problems)) {
    await slice();
    const parsed = parseYamlText(file, text, problems);
    if (parsed) collectJobs(parsed, collected, problems);
  }
  const counts = {
    presubmits: sum(collected.presubmits),
    postsubmits: sum(collected.postsubmits),
    periodics: collected.periodics.length,
  };
  if (config) await finalizeJobs(config, collected, problems, slice);
  await slice();
  validateDuplicates(collected, problems);
  await slice();
  if (!config || problems.length > 0) return { problems, counts };
  const index = new JobIndex(collected.presubmits, collected.postsubmits, collected.periodics);
  return { problems, counts, loaded: { config, index, presets: collected.presets, files: [paths.configPath, ...jobFiles], loadedAt: now() } };
}

function sum(map: Map<string, unknown[]>): number {
  let n = 0;
  for (const list of map.values()) n += list.length;
  return n;
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

function defaultConfig(data: Record<string, unknown>, file: string, problems: ConfigProblem[]): ProwConfig | undefined {
  const plank = (data.plank ?? {}) as PlankConfig;
  const before = problems.length;
  for (const key of ['prowjob_namespace', 'pod_namespace']) {
    if (data[key] !== undefined && typeof data[key] !== 'string') problems.push({ file, message: `${key} must be a string` });
  }
  if (typeof plank !== 'object' || Array.isArray(plank)) problems.push({ file, message: 'plank must be a mapping' });
  const entries = plank.default_decoration_config_entries;
  if (entries !== undefined && !Array.isArray(entries)) problems.push({ file, message: 'plank.default_decoration_config_entries must be a list' });
  if (problems.length > before) return undefined;
  const { presubmits: _a, postsubmits: _b, periodics: _c, ...rest } = data;
  return {
    ...rest,
    prowjob_namespace: (data.prowjob_namespace as string | undefined) || 'default',
    pod_namespace: (data.pod_namespace as string | undefined) || 'default',
    plank,
  } as ProwConfig;
}

function collectJobs(parsed: ParsedFile, into: Collected, problems: ConfigProblem[]): void {
  const { data, file } = parsed;
  if (data.presets !== undefined) {
    if (Array.isArray(data.presets)) into.presets.push(...(data.presets as Preset[]));
    else problems.push({ file, message: 'presets must be a list' });
  }
  for (const kind of ['presubmits', 'postsubmits'] as const) {
    const byRepo = data[kind];
    if (byRepo === undefined || byRepo === null) continue;
    if (typeof byRepo !== 'object' || Array.isArray(byRepo)) {
      problems.push({ file, message: `${kind} must map org/repo to a list of jobs` });
      continue;
    }
    for (const [orgRepo, jobs] of Object.entries(byRepo as Record<string, unknown>)) {
      const target = kind === 'presubmits' ? into.presubmits : into.postsubmits;
      const list = target.get(orgRepo) ?? [];
      target.set(orgRepo, list as never);
      for (const job of checkedJobs(jobs, kind === 'presubmits' ? 'presubmit' : 'postsubmit', parsed, problems, orgRepo)) list.push(job as never);
    }
  }
  if (data.periodics !== undefined && data.periodics !== null) {
    into.periodics.push(...(checkedJobs(data.periodics, 'periodic', parsed, problems) as Periodic[]));
  }
}

function checkedJobs(jobs: unknown, kind: JobKind, parsed: ParsedFile, problems: ConfigProblem[], orgRepo?: string): JobBase[] {
  const where = orgRepo ? ` for ${orgRepo}` : '';
  if (!Array.isArray(jobs)) {
    problems.push({ file: parsed.file, message: `${kind}s${where} must be a list` });
    return [];
  }
  if (orgRepo !== undefined && !/^[^/\s]+\/[^/\s]+$/.test(orgRepo)) {
    problems.push({ file: parsed.file, message: `${kind}s key ${JSON.stringify(orgRepo)} must be org/repo` });
    return [];
  }
  const ok: JobBase[] = [];
  for (const raw of jobs) {
    const name = typeof (raw as JobBase)?.name === 'string' ? (raw as JobBase).name : undefined;
    const found = checkJobShape(raw, kind);
    const line = name ? parsed.lineOf(name) : undefined;
    for (const message of found) problems.push({ file: parsed.file, line, job: name, message: `${kind}${where}: ${message}` });
    if (found.length === 0) ok.push({ ...(raw as JobBase), source_path: parsed.file });
  }
  return ok;
}

function decorationEntries(plank: PlankConfig): DefaultEntry<DecorationConfig>[] {
  const fromMap = plank.default_decoration_configs ? entriesFromMap(plank.default_decoration_configs) : [];
  return [...fromMap, ...(plank.default_decoration_config_entries ?? [])];
}

/** Prow's defaulting and finalizing, in Prow's order: job base defaults, decoration defaults, then presets. */
async function finalizeJobs(config: ProwConfig, jobs: Collected, problems: ConfigProblem[], slice: () => Promise<void>): Promise<void> {
  const decoration = decorationEntries(config.plank);
  const finalize = (job: JobBase, repo: string, kind: JobKind): void => {
    job.agent ||= 'kubernetes';
    job.namespace ||= config.pod_namespace;
    job.cluster ||= 'default';
    if (job.decorate ?? config.decorate_all_jobs ?? false) {
      job.decoration_config = resolveDefaults(decoration, repo, job.cluster, job.decoration_config) ?? {};
      for (const message of canonicalizeDurations(job.decoration_config)) problems.push({ file: job.source_path, job: job.name, message });
    }
    job.prowjob_defaults = resolveDefaults(config.prowjob_default_entries ?? [], repo, job.cluster, job.prowjob_defaults) ?? {};
    job.prowjob_defaults.tenant_id ||= 'GlobalDefaultID';
    for (const preset of jobs.presets) {
      const clash = mergePreset(preset, job);
      if (clash) problems.push({ file: job.source_path, job: job.name, message: clash });
    }
    for (const message of podSpecProblems(kind, job.spec as Parameters<typeof podSpecProblems>[1], job.decoration_config)) {
      problems.push({ file: job.source_path, job: job.name, message: `${kind}: ${message}` });
    }
  };
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

/** Prow reads these into Go durations and writes them back canonical ("2h" becomes "2h0m0s"). */
function canonicalizeDurations(decoration: DecorationConfig): string[] {
  const problems: string[] = [];
  for (const field of ['timeout', 'grace_period'] as const) {
    const value = decoration[field];
    if (value === undefined) continue;
    const canonical = typeof value === 'string' ? canonicalGoDuration(value) : undefined;
    if (canonical === undefined) problems.push(`decoration_config.${field}: invalid duration ${JSON.stringify(value)} (use Go's form, like 2h or 90s)`);
    else decoration[field] = canonical;
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
