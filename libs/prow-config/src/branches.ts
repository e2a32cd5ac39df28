import type { Brancher } from '@ci-stack/prowjob-api';
import { compileGoRegex, type GoRegexp } from './go-regexp';

interface CompiledBrancher {
  branches?: GoRegexp;
  skip?: GoRegexp;
}

const cache = new WeakMap<Brancher, CompiledBrancher>();

/** Prow compiles `branches` (and `skip_branches`) as one pattern, joined with `|` and never anchored. */
export function joinedBranchPattern(patterns: readonly string[]): string {
  return patterns.join('|');
}

function compiled(job: Brancher): CompiledBrancher {
  let entry = cache.get(job);
  if (!entry) {
    entry = {
      branches: job.branches?.length ? compileGoRegex(joinedBranchPattern(job.branches)) : undefined,
      skip: job.skip_branches?.length ? compileGoRegex(joinedBranchPattern(job.skip_branches)) : undefined,
    };
    cache.set(job, entry);
  }
  return entry;
}

/** True when the job has no branch filter at all. */
export function runsAgainstAllBranches(job: Brancher): boolean {
  return !job.branches?.length && !job.skip_branches?.length;
}

/** Prow's `Brancher.ShouldRun`: `skip_branches` wins; no `branches` means every branch not skipped. */
export function branchAllowed(job: Brancher, branch: string): boolean {
  if (runsAgainstAllBranches(job)) return true;
  const { branches, skip } = compiled(job);
  if (skip && skip.test(branch)) return false;
  return !branches || branches.test(branch);
}

/** Prow's `Brancher.Intersects`: could two jobs with these filters both run on some branch? */
export function branchersIntersect(a: Brancher, b: Brancher): boolean {
  if (runsAgainstAllBranches(a) || runsAgainstAllBranches(b)) return true;
  if (a.branches?.length) {
    if (b.branches?.length) return a.branches.some((x) => b.branches?.includes(x));
    return a.branches.some((x) => branchAllowed(b, x));
  }
  if (!b.branches?.length) return true;
  return branchersIntersect(b, a);
}
