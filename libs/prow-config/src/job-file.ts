import { GoTypes, fieldFor, type GoStruct, type JobBase, type Periodic, type Postsubmit, type Presubmit } from '@ci-stack/prowjob-api';
import type { DecodeProblem } from './go-decode';
import { checkJobShape, type JobKind } from './job-shape';
import type { Preset } from './merge';
import { readYaml, type DecodedFile } from './parse';
import type { ConfigProblem } from './problems';
import { splitRepoKey } from './repo-key';

/** What one config file holds, read into Prow's types; plain data, so it can cross threads. */
export interface JobFileContents {
  file: string;
  presets: Preset[];
  presubmits: Array<[orgRepo: string, jobs: Presubmit[]]>;
  postsubmits: Array<[orgRepo: string, jobs: Postsubmit[]]>;
  periodics: Periodic[];
  problems: ConfigProblem[];
  /** The whole document as decoded (config.yaml only: the caller needs its other settings). */
  document?: Record<string, unknown>;
}

const KINDS = { presubmits: 'presubmit', postsubmits: 'postsubmit', periodics: 'periodic' } as const;

/**
 * Reads one job config file (or config.yaml, with `root` set to GoTypes.config) as Prow does: YAML into Prow's
 * Go types, then the checks Prow makes of each job. A job with a problem is reported (with its line) and left out.
 */
export function readConfigFile(file: string, text: string, root: GoStruct = GoTypes.jobConfig): JobFileContents {
  const problems: ConfigProblem[] = [];
  const out: JobFileContents = { file, presets: [], presubmits: [], postsubmits: [], periodics: [], problems };
  const decodeProblems: DecodeProblem[] = [];
  const parsed = readYaml(file, text, root, problems, decodeProblems);
  if (!parsed) return out;
  const doc = parsed.doc;
  const byJob = assignProblems(decodeProblems, parsed, problems);
  out.presets = (doc.presets as Preset[] | undefined) ?? [];
  for (const field of ['presubmits', 'postsubmits'] as const) {
    const kind = KINDS[field];
    for (const [orgRepo, jobs] of Object.entries((doc[field] as Record<string, JobBase[]> | undefined) ?? {})) {
      if (!splitRepoKey(orgRepo)) {
        problems.push({ file, message: `${field} key ${JSON.stringify(orgRepo)} must be org/repo or a Gerrit repository https://HOST/PATH` });
        continue;
      }
      const ok = checked(jobs, { kind, parsed, problems, orgRepo }, byJob.get(`${field}\0${orgRepo}`));
      (out[field] as Array<[string, JobBase[]]>).push([orgRepo, ok]);
    }
  }
  out.periodics = checked((doc.periodics as Periodic[] | undefined) ?? [], { kind: 'periodic', parsed, problems }, byJob.get('periodics')) as Periodic[];
  if (root !== GoTypes.jobConfig) out.document = doc;
  return out;
}

/** A decoding problem of one job: the job field it is under, and the message. */
interface JobFailure {
  field: string;
  message: string;
}

/** Where a list of jobs comes from, and where its problems go. */
interface JobList {
  kind: JobKind;
  parsed: DecodedFile;
  problems: ConfigProblem[];
  orgRepo?: string;
}

/** The jobs without problems, each marked with its file; the others reported with their lines. */
function checked(jobs: JobBase[], { kind, parsed, problems, orgRepo }: JobList, failed: Map<number, JobFailure[]> | undefined): JobBase[] {
  const where = orgRepo ? ` for ${orgRepo}` : '';
  const ok: JobBase[] = [];
  for (const [i, job] of jobs.entries()) {
    const name = typeof job.name === 'string' && job.name !== '' ? job.name : undefined;
    const decodeFailures = failed?.get(i) ?? [];
    const found = [...decodeFailures.map((f) => f.message), ...checkJobShape(job, kind, new Set(decodeFailures.map((f) => f.field)))];
    if (found.length === 0) {
      job.source_path = parsed.file;
      ok.push(job);
      continue;
    }
    const line = name ? parsed.lineOf(name) : undefined;
    for (const message of found) problems.push({ file: parsed.file, line, job: name, message: `${kind}${where}: ${message}` });
  }
  return ok;
}

/**
 * Files each decoding problem under its job (`presubmits\0org/repo` or `periodics`, then the job's index) with
 * a message naming the field within the job; a problem outside any job is reported for the file at once.
 */
function assignProblems(found: DecodeProblem[], parsed: DecodedFile, problems: ConfigProblem[]): Map<string, Map<number, JobFailure[]>> {
  const byJob = new Map<string, Map<number, JobFailure[]>>();
  for (const { path, message } of found) {
    const field = typeof path[0] === 'string' ? fieldFor(GoTypes.jobConfig, path[0])?.name : undefined;
    const repoLevel = field === 'presubmits' || field === 'postsubmits';
    const jobAt = repoLevel ? 2 : field === 'periodics' ? 1 : -1;
    const index = path[jobAt];
    if (jobAt < 0 || typeof index !== 'number' || path.length <= jobAt + 1) {
      problems.push({ file: parsed.file, message: `${pathText(path)} ${message}` });
      continue;
    }
    const key = repoLevel ? `${field}\0${String(path[1])}` : 'periodics';
    const jobs = byJob.get(key) ?? new Map<number, JobFailure[]>();
    byJob.set(key, jobs);
    const within = path.slice(jobAt + 1);
    jobs.set(index, [...(jobs.get(index) ?? []), { field: String(within[0]), message: `${pathText(within)} ${message}` }]);
  }
  return byJob;
}

/** `spec.containers[0].env[1].value`. */
function pathText(path: Array<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
