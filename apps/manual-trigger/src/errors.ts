import { DomainError } from '@ci-stack/core';

/** The job is not in the loaded config (message as the original service phrased it). */
export class JobNotFoundError extends DomainError {
  constructor(job: string, where: string) {
    super('not-found', 'JOB_NOT_FOUND', `Job ${job} not found in config for ${where}`);
  }
}

/** One definition of a job name in a repo, with the branch filters that decide where it runs. */
export interface JobVariant {
  type: 'presubmit' | 'postsubmit';
  branches?: string[];
  skip_branches?: string[];
}

function filtersText(v: JobVariant): string {
  return `branches: ${v.branches?.join(', ') || 'any'}; skip_branches: ${v.skip_branches?.join(', ') || 'none'}`;
}

/**
 * The job exists but none of its variants may run on the requested branch. The message lists every variant's
 * filters, so the caller sees which `base_ref` to ask for.
 */
export class BranchNotAllowedError extends DomainError {
  constructor(job: string, orgRepo: string, branch: string, variants: JobVariant[]) {
    const filters = variants.length === 1 ? filtersText(variants[0]) : variants.map((v) => `${v.type}: ${filtersText(v)}`).join(' | ');
    super('invalid', 'BRANCH_NOT_ALLOWED', `Job ${job} is not configured to run on branch ${branch} of ${orgRepo} (${filters})`, {
      variants: variants.map(({ type, branches, skip_branches }) => ({ type, branches: branches ?? [], skip_branches: skip_branches ?? [] })),
    });
  }
}

/** A Gerrit presubmit runs on a change and revision, which a manual trigger cannot give yet. */
export class GerritChangeNotSupportedError extends DomainError {
  constructor(job: string, orgRepo: string) {
    super('invalid', 'GERRIT_CHANGE_NOT_SUPPORTED', `Job ${job} is a presubmit of the Gerrit repository ${orgRepo}: it needs a change number and revision, which manual triggering does not support yet (its postsubmits and periodics can be triggered)`);
  }
}

/** The caller asked to override an env var the operator did not allow. */
export class EnvNotAllowedError extends DomainError {
  constructor(names: string[], allowed: string[]) {
    super('invalid', 'ENV_NOT_ALLOWED', `env ${names.join(', ')} may not be overridden; allowed: ${allowed.length ? allowed.join(', ') : 'none (the operator allows none)'}`);
  }
}

export class ProwJobNotFoundError extends DomainError {
  constructor(name: string) {
    super('not-found', 'PROWJOB_NOT_FOUND', `ProwJob ${name} not found`);
  }
}

export class DryRunError extends DomainError {
  constructor(what: string) {
    super('unavailable', 'DRY_RUN', `${what} is not available in dry-run mode: no Kubernetes API is configured`);
  }
}


export class InvalidJsonError extends DomainError {
  constructor(detail: string) {
    super('invalid', 'INVALID_JSON', `request body is not valid JSON: ${detail}`);
  }
}

/** Only triggered or pending ProwJobs can be aborted; this one has finished. */
export class ProwJobEndedError extends DomainError {
  constructor(name: string, state: string) {
    super('conflict', 'PROWJOB_ENDED', `ProwJob ${name} has ended (state ${state}): only triggered or pending ProwJobs can be aborted`, { state });
  }
}

/** Only triggered or pending ProwJobs can be aborted; this one is in another state that has not ended (scheduling). */
export class ProwJobNotAbortableError extends DomainError {
  constructor(name: string, state: string) {
    super('conflict', 'PROWJOB_NOT_ABORTABLE', `ProwJob ${name} is ${state}: only triggered or pending ProwJobs can be aborted`, { state });
  }
}

/** A `continue` this service did not issue, or issued for other filters. */
export class InvalidContinueError extends DomainError {
  constructor(why: string) {
    super('invalid', 'INVALID_CONTINUE', `continue ${why}; list again without continue`);
  }
}

/** A `continue` past its lifetime; answered as 410 Gone, as the API server answers for its own. */
export class ContinueExpiredError extends DomainError {
  constructor() {
    super('gone', 'CONTINUE_EXPIRED', 'continue has expired (it is good for 10 minutes); list again without continue');
  }
}

/** `mode=latest` rebuilds from the config, which holds no batch jobs. */
export class RerunNotSupportedError extends DomainError {
  constructor(name: string, type: string) {
    super('invalid', 'RERUN_NOT_SUPPORTED', `ProwJob ${name} is a ${type} job, which the config cannot rebuild: rerun it with mode=original`);
  }
}
