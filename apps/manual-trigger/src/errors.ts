import { DomainError } from '@ci-stack/core';

/** The job is not in the loaded config (message as the original service phrased it). */
export class JobNotFoundError extends DomainError {
  constructor(job: string, where: string) {
    super('not-found', 'JOB_NOT_FOUND', `Job ${job} not found in config for ${where}`);
  }
}

/** The job exists but its branch filters do not let it run on the requested branch. */
export class BranchNotAllowedError extends DomainError {
  constructor(job: string, orgRepo: string, branch: string, filters: { branches?: string[]; skip_branches?: string[] }) {
    super('invalid', 'BRANCH_NOT_ALLOWED', `Job ${job} is not configured to run on branch ${branch} of ${orgRepo} (branches: ${filters.branches?.join(', ') || 'any'}; skip_branches: ${filters.skip_branches?.join(', ') || 'none'})`, { ...filters });
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
