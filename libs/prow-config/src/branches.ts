import type { Brancher } from '@ci-stack/prowjob-api';

/**
 * Compiles a Go RE2 pattern as a JavaScript RegExp. Prow joins branch patterns with `|` and never anchors them.
 * A leading `(?i)`-style flag group and `(?P<name>` groups are translated; anything JavaScript cannot parse is
 * reported by the caller as a bad regex.
 */
export function compileGoRegex(pattern: string): RegExp {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    compiled = translate(pattern);
    if (compiledPatterns.size < 10_000) compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

// Configs repeat a few patterns (`main`, `release-\d+\.\d+`) thousands of times. The expressions have no g or y
// flag, so sharing one RegExp is safe.
const compiledPatterns = new Map<string, RegExp>();

function translate(pattern: string): RegExp {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([imsU]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]) if (f === 'i' || f === 'm' || f === 's') flags += f;
  }
  source = source.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$');
  return new RegExp(source, flags);
}

interface CompiledBrancher {
  branches?: RegExp;
  skip?: RegExp;
}

const cache = new WeakMap<Brancher, CompiledBrancher>();

function compiled(job: Brancher): CompiledBrancher {
  let entry = cache.get(job);
  if (!entry) {
    entry = {
      branches: job.branches?.length ? compileGoRegex(job.branches.join('|')) : undefined,
      skip: job.skip_branches?.length ? compileGoRegex(job.skip_branches.join('|')) : undefined,
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
