import { createHash, timingSafeEqual } from 'node:crypto';
import { load } from 'js-yaml';
import type { ProwJobType } from '@ci-stack/prowjob-api';
import { ForbiddenError, UnauthenticatedError } from '@ci-stack/core';
import { WatchedFile } from '@ci-stack/service-kit';

/** One allowlist entry: glob patterns (`*`) for org, repo and job name, and the job types allowed. */
export interface Grant {
  org?: string;
  repo?: string;
  jobs?: string[];
  types?: ProwJobType[];
}

interface TokenEntry {
  identity: string;
  digest: Buffer;
  grants: Grant[];
}

/** The identity a request was authenticated as, and what it may trigger. */
export interface Principal {
  identity: string;
  grants: Grant[] | 'all';
}

export const ANONYMOUS: Principal = Object.freeze({ identity: 'anonymous', grants: 'all' as const });

/**
 * Bearer tokens from a mounted Secret file:
 * ```yaml
 * tokens:
 *   - identity: cimaster
 *     token: "<secret>"
 *     allow:
 *       - {org: tess, repo: tessops, jobs: ["sddz-*"], types: [postsubmit]}
 * ```
 * Tokens are compared in constant time (on their SHA-256 digests) and never logged.
 */
export function parseAuthConfig(text: string, source: string): TokenEntry[] {
  const data = load(text) as { tokens?: unknown } | null;
  const problems: string[] = [];
  const entries: TokenEntry[] = [];
  if (!data || !Array.isArray(data.tokens)) throw new Error(`${source}: expected a top-level 'tokens' list`);
  data.tokens.forEach((raw: unknown, i: number) => {
    const t = raw as { identity?: unknown; token?: unknown; allow?: unknown };
    if (typeof t?.identity !== 'string' || !t.identity) problems.push(`tokens[${i}].identity must be a non-empty string`);
    if (typeof t?.token !== 'string' || t.token.length < 16) problems.push(`tokens[${i}].token must be a string of at least 16 characters`);
    if (t?.allow !== undefined && !Array.isArray(t.allow)) problems.push(`tokens[${i}].allow must be a list`);
    if (typeof t?.identity === 'string' && typeof t.token === 'string' && t.token.length >= 16) {
      entries.push({ identity: t.identity, digest: digest(t.token), grants: (t.allow as Grant[] | undefined) ?? [] });
    }
  });
  if (problems.length) throw new Error(`${source}: ${problems.join('; ')}`);
  return entries;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The token file, reloaded when it changes; a bad new file keeps the last good one. */
export class TokenAuthenticator extends WatchedFile<TokenEntry[]> {
  constructor(path: string) {
    super(path, parseAuthConfig);
  }

  /** The principal for an `Authorization` header; 401 when it is missing or unknown. */
  authenticate(header: string | undefined): Principal {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) throw new UnauthenticatedError("missing bearer token: send 'Authorization: Bearer <token>'");
    const offered = digest(match[1]);
    let found: TokenEntry | undefined;
    for (const entry of this.current()) {
      if (timingSafeEqual(entry.digest, offered)) found = entry;
    }
    if (!found) throw new UnauthenticatedError('unknown bearer token');
    return { identity: found.identity, grants: found.grants };
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
