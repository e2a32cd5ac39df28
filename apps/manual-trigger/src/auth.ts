import { PROWJOB_TYPES, type ProwJobType } from '@ci-stack/prowjob-api';
import { ForbiddenError, UnauthenticatedError } from '@ci-stack/core';
import { BearerTokens, type TokenFileFormat } from '@ci-stack/service-kit';

/** One allowlist entry: glob patterns (`*`) for org, repo and job name, and the job types allowed. */
export interface Grant {
  org?: string;
  repo?: string;
  jobs?: string[];
  types?: ProwJobType[];
}

/** The identity a request was authenticated as, and what it may trigger. */
export interface Principal {
  identity: string;
  grants: readonly Grant[] | 'all';
}

export const ANONYMOUS: Principal = Object.freeze({ identity: 'anonymous', grants: 'all' as const });

/**
 * The `allow` list of one token entry:
 * ```yaml
 * tokens:
 *   - identity: cimaster
 *     token: "<secret>"
 *     allow:
 *       - {org: tess, repo: tessops, jobs: ["sddz-*"], types: [postsubmit]}
 * ```
 * No `allow` means the token may trigger nothing (it may still list jobs and read ProwJobs).
 */
export function parseGrants(entry: Readonly<Record<string, unknown>>, at: string, problems: string[]): Grant[] {
  if (entry.allow === undefined) return [];
  if (!Array.isArray(entry.allow)) {
    problems.push(`${at}.allow must be a list`);
    return [];
  }
  return entry.allow.map((raw: unknown, i: number) => parseGrant(raw, `${at}.allow[${i}]`, problems));
}

function parseGrant(raw: unknown, at: string, problems: string[]): Grant {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${at} must be a mapping of org, repo, jobs and types`);
    return {};
  }
  const g = raw as Record<string, unknown>;
  const grant: Grant = {};
  for (const key of ['org', 'repo'] as const) {
    if (g[key] === undefined) continue;
    if (typeof g[key] === 'string') grant[key] = g[key];
    else problems.push(`${at}.${key} must be a string (a glob like "tess*")`);
  }
  if (g.jobs !== undefined) {
    if (isStringList(g.jobs)) grant.jobs = g.jobs;
    else problems.push(`${at}.jobs must be a list of job name globs`);
  }
  if (g.types !== undefined) {
    if (isStringList(g.types) && g.types.every((t) => PROWJOB_TYPES.includes(t as ProwJobType))) grant.types = g.types as ProwJobType[];
    else problems.push(`${at}.types must be a list of ${PROWJOB_TYPES.join(', ')}`);
  }
  return grant;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

const FORMAT: TokenFileFormat<Grant[], undefined> = { grants: parseGrants, settings: () => undefined };

/** The token file, reloaded when it changes; a bad new file keeps the last good one. */
export class TokenAuthenticator extends BearerTokens<Grant[], undefined> {
  constructor(path: string) {
    super(path, FORMAT);
  }

  /** The principal for an `Authorization` header; 401 when it is missing or unknown. */
  authenticate(header: string | undefined): Principal {
    const holder = this.holder(header);
    if (!holder) throw new UnauthenticatedError("missing bearer token: send 'Authorization: Bearer <token>'");
    return holder;
  }
}

/** 403 unless one of the principal's grants covers the job. */
export function authorize(principal: Principal, job: { org: string; repo: string; name: string; type: ProwJobType }): void {
  if (principal.grants === 'all') return;
  const ok = principal.grants.some(
    (g) =>
      glob(g.org ?? '*', job.org) &&
      glob(g.repo ?? '*', job.repo) &&
      (g.jobs ?? ['*']).some((p) => glob(p, job.name)) &&
      (!g.types || g.types.includes(job.type)),
  );
  if (!ok) {
    const where = job.type === 'periodic' ? 'periodics' : `${job.org}/${job.repo}`;
    throw new ForbiddenError(`${principal.identity} may not trigger ${job.type} job ${job.name} in ${where}`);
  }
}

function glob(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}
