import { readFileSync } from 'node:fs';
import type { Periodic, Postsubmit, Presubmit } from '@ci-stack/prowjob-api';
import { finalizeContents, type FinalizeSettings } from './finalize';
import { readConfigFile, type JobFileContents } from './job-file';
import type { ConfigProblem } from './problems';

/** How many jobs of each kind. */
export interface JobCounts {
  presubmits: number;
  postsubmits: number;
  periodics: number;
}

/** A file's jobs, ready to index (with `keepJobs` off, only what the duplicate checks need), and its problems. */
export interface FileResult {
  presubmits: Array<[orgRepo: string, jobs: Presubmit[]]>;
  postsubmits: Array<[orgRepo: string, jobs: Postsubmit[]]>;
  periodics: Periodic[];
  problems: ConfigProblem[];
  counts: JobCounts;
}

/**
 * A job config file as read: its text, and if it may hold presets, what parsing it gave (no job can be
 * finalized before every file's presets are known, so those files are parsed first).
 */
export interface ReadFile {
  file: string;
  text?: string;
  contents?: JobFileContents;
}

// A `presets` key in any case (Go matches keys case-insensitively, ſ included), or an escape sequence that could
// spell one in a quoted key. A file without either has no presets.
const MAY_HOLD_PRESETS = /presets|\\[xuU]/iu;

/** Reads one file, parsing it at once if it may hold presets; an unreadable file is a problem, not an exception. */
export function readJobFile(file: string): ReadFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const problems = [{ file, message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }];
    return { file, contents: { file, presets: [], presubmits: [], postsubmits: [], periodics: [], problems } };
  }
  return MAY_HOLD_PRESETS.test(text) ? { file, contents: readConfigFile(file, text) } : { file, text };
}

export function countJobs(contents: Pick<JobFileContents, 'presubmits' | 'postsubmits' | 'periodics'>): JobCounts {
  const sum = (byRepo: Array<[string, unknown[]]>): number => byRepo.reduce((n, [, jobs]) => n + jobs.length, 0);
  return { presubmits: sum(contents.presubmits), postsubmits: sum(contents.postsubmits), periodics: contents.periodics.length };
}

/** Parses the file if not done yet, finalizes its jobs, and keeps them whole or in brief. */
export function finishFile(read: ReadFile, settings: FinalizeSettings | undefined, keepJobs: boolean): FileResult {
  const contents = read.contents ?? readConfigFile(read.file, read.text ?? '');
  const counts = countJobs(contents);
  const problems = settings ? [...contents.problems, ...finalizeContents(contents, settings)] : contents.problems;
  if (keepJobs) return { presubmits: contents.presubmits, postsubmits: contents.postsubmits, periodics: contents.periodics, problems, counts };
  const brief = <T extends { name: string; branches?: string[]; skip_branches?: string[]; source_path?: string }>(job: T): T =>
    ({ name: job.name, branches: job.branches, skip_branches: job.skip_branches, source_path: job.source_path }) as T;
  return {
    presubmits: contents.presubmits.map(([repo, jobs]) => [repo, jobs.map(brief)]),
    postsubmits: contents.postsubmits.map(([repo, jobs]) => [repo, jobs.map(brief)]),
    periodics: contents.periodics.map(brief),
    problems,
    counts,
  };
}
