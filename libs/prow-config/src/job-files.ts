import { readFileSync } from 'node:fs';
import type { Periodic, Postsubmit, Presubmit } from '@ci-stack/prowjob-api';
import { finalizeContents, type FinalizeSettings } from './finalize';
import { readConfigFile, type JobFileContents } from './job-file';
import type { Preset } from './merge';
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
 * Reading job config files in two passes, which can run on worker threads. A job cannot be finalized before
 * every file's presets are known, so the first pass (`scan`) reads each file and parses only those that may hold
 * presets; the second (`finish`) parses the others and finalizes every job. Parsed files are not kept between
 * the passes, only text, which keeps memory low.
 */
export interface JobFileProcessor {
  /** Each file's presets, in file order. */
  scan(files: string[]): Promise<Preset[][]>;
  /** Each file's jobs and problems, in file order; without settings (config.yaml unusable) jobs are not finalized. */
  finish(settings: FinalizeSettings | undefined, keepJobs: boolean): Promise<FileResult[]>;
  close(): Promise<void>;
}

/** A file between the passes: its text, or, if it may hold presets, what parsing it gave. */
export interface HeldFile {
  file: string;
  text?: string;
  contents?: JobFileContents;
}

// A `presets` key in any case (Go matches keys case-insensitively, ſ and K included), or an escape sequence that
// could spell one in a quoted key. A file without either has no presets.
const MAY_HOLD_PRESETS = /presets|\\[xuU]/iu;

/** First pass over one file: read it, and parse it if it may hold presets. */
export function scanFile(file: string): { held: HeldFile; presets: Preset[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const problems = [{ file, message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }];
    return { held: { file, contents: { file, presets: [], presubmits: [], postsubmits: [], periodics: [], problems } }, presets: [] };
  }
  if (!MAY_HOLD_PRESETS.test(text)) return { held: { file, text }, presets: [] };
  const contents = readConfigFile(file, text);
  return { held: { file, contents }, presets: contents.presets };
}

export function countJobs(contents: Pick<JobFileContents, 'presubmits' | 'postsubmits' | 'periodics'>): JobCounts {
  const sum = (byRepo: Array<[string, unknown[]]>): number => byRepo.reduce((n, [, jobs]) => n + jobs.length, 0);
  return { presubmits: sum(contents.presubmits), postsubmits: sum(contents.postsubmits), periodics: contents.periodics.length };
}

/** Second pass over one file: parse it if the first did not, finalize its jobs, and keep them whole or in brief. */
export function finishFile(held: HeldFile, settings: FinalizeSettings | undefined, keepJobs: boolean): FileResult {
  const contents = held.contents ?? readConfigFile(held.file, held.text ?? '');
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

/** Both passes on this thread, yielding between files so that a reload never blocks the event loop for long. */
export function inThreadProcessor(slice: () => Promise<void>): JobFileProcessor {
  let held: HeldFile[] = [];
  return {
    async scan(files) {
      held = [];
      const presets: Preset[][] = [];
      for (const file of files) {
        await slice();
        const scanned = scanFile(file);
        held.push(scanned.held);
        presets.push(scanned.presets);
      }
      return presets;
    },
    async finish(settings, keepJobs) {
      const out: FileResult[] = [];
      for (let i = 0; i < held.length; i++) {
        await slice();
        out.push(finishFile(held[i], settings, keepJobs));
        held[i] = { file: held[i].file }; // the text is no longer needed
      }
      held = [];
      return out;
    },
    async close() {
      held = [];
    },
  };
}

/**
 * Several processors sharing the work: files are dealt out in turn (each processor finishes the files it
 * scanned), and the answers put back in file order.
 */
export function sharedProcessor(parts: JobFileProcessor[]): JobFileProcessor {
  let shares: number[][] = [];
  return {
    async scan(files) {
      shares = parts.map((_, k) => files.map((_file, i) => i).filter((i) => i % parts.length === k));
      const answers = await Promise.all(parts.map((part, k) => part.scan(shares[k].map((i) => files[i]))));
      return placeBack(answers, shares, files.length);
    },
    async finish(settings, keepJobs) {
      const answers = await Promise.all(parts.map((part) => part.finish(settings, keepJobs)));
      return placeBack(answers, shares, shares.reduce((n, share) => n + share.length, 0));
    },
    async close() {
      await Promise.all(parts.map((part) => part.close()));
    },
  };
}

function placeBack<T>(answers: T[][], shares: number[][], total: number): T[] {
  const out = new Array<T>(total);
  answers.forEach((answer, k) => answer.forEach((item, j) => (out[shares[k][j]] = item)));
  return out;
}
