import { PROWJOB_TYPES, type ProwJobType } from '@ci-stack/prowjob-api';
import { ForbiddenError, UnauthenticatedError } from '@ci-stack/core';
import { BearerTokens, type TokenFileFormat } from '@ci-stack/service-kit';
import { globMatches } from './glob';

/** What a grant may allow: create ProwJobs, see them (list, get, events), abort them, rerun them. */
export type Verb = 'trigger' | 'read' | 'abort' | 'rerun';
export const VERBS: readonly Verb[] = ['trigger', 'read', 'abort', 'rerun'];
/** A grant that names no verbs: what every grant allowed before verbs existed. */
const DEFAULT_VERBS: readonly Verb[] = ['trigger', 'read'];

/** One allowlist entry: glob patterns (`*`) for org, repo and job name, the job types and the verbs allowed. */
export interface Grant {
  org?: string;
  repo?: string;
  jobs?: string[];
  types?: ProwJobType[];
  verbs?: Verb[];
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
 *       - {org: tess, repo: tessops, jobs: ["sddz-*"], types: [postsubmit]}            # trigger and read
 *       - {org: tess, repo: tessops, jobs: ["sddz-*"], verbs: [read, abort, rerun]}
 * ```
 * No `allow` means the token may trigger and read nothing (it may still list the jobs of the config).
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
    problems.push(`${at} must be a mapping of org, repo, jobs, types and verbs`);
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
  if (g.verbs !== undefined) parseVerbs(g.verbs, grant, `${at}.verbs`, problems);
  return grant;
}

function parseVerbs(verbs: unknown, grant: Grant, at: string, problems: string[]): void {
  if (!isStringList(verbs) || verbs.length === 0) return void problems.push(`${at} must be a non-empty list of ${VERBS.join(', ')}`);
  const unknown = verbs.filter((v) => !VERBS.includes(v as Verb));
  if (unknown.length) return void problems.push(`${at}: unknown verb ${unknown.map((v) => JSON.stringify(v)).join(', ')} (known: ${VERBS.join(', ')})`);
  grant.verbs = verbs as Verb[];
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

/** A job as grants see it; a field left out (a list filter nobody set) may be anything. */
export interface JobScope {
  org?: string;
  repo?: string;
  name?: string;
  type?: ProwJobType;
}

/** Whether one of the principal's grants allows `verb` on the job (or, for a partial scope, on some job in it). */
export function allows(principal: Principal, verb: Verb, job: JobScope): boolean {
  if (principal.grants === 'all') return true;
  return principal.grants.some((g) => (g.verbs ?? DEFAULT_VERBS).includes(verb) && covers(g, job));
}

/** Whether the grant's patterns cover the job; an unset field of the scope matches any pattern. */
function covers(g: Grant, job: JobScope): boolean {
  const fits = (pattern: string | undefined, value: string | undefined): boolean => value === undefined || globMatches(pattern ?? '*', value);
  const name = job.name;
  return fits(g.org, job.org) && fits(g.repo, job.repo) && (name === undefined || (g.jobs ?? ['*']).some((p) => globMatches(p, name))) && (!g.types || job.type === undefined || g.types.includes(job.type));
}

/** 403 naming the verb and the job unless one of the principal's grants allows it. */
export function authorize(principal: Principal, job: JobScope, verb: Verb = 'trigger'): void {
  if (allows(principal, verb, job)) return;
  const what = `${job.type ? `${job.type} ` : ''}${job.name ? `job ${job.name}` : 'jobs'}`;
  const where = job.type === 'periodic' ? 'periodics' : job.org !== undefined ? `${job.org}/${job.repo ?? '*'}` : undefined;
  throw new ForbiddenError(`${principal.identity} may not ${verb} ${what}${where ? ` in ${where}` : ''}`);
}
