import { createHash, timingSafeEqual } from 'node:crypto';
import { load } from 'js-yaml';
import { ForbiddenError, UnauthenticatedError } from '@ci-stack/core';
import { WatchedFile } from '@ci-stack/service-kit';

export type Role = 'admin' | 'e2e';

export interface Caller {
  identity?: string;
  role?: Role;
}


interface Entry {
  identity: string;
  role: Role;
  digest: Buffer;
}

interface AuthFile {
  entries: Entry[];
  requireE2eToken: boolean;
}

/**
 * Parses the token file:
 * ```yaml
 * requireE2eToken: false      # true: getvacant, finishtest, ... need an e2e (or admin) token too
 * tokens:
 *   - {identity: ci-admins, role: admin, token: "<secret>"}
 *   - {identity: e2e-pods, role: e2e, token: "<secret>"}
 * ```
 */
export function parseAuthFile(text: string, source: string): AuthFile {
  const data = load(text) as { tokens?: unknown; requireE2eToken?: unknown } | null;
  if (!data || !Array.isArray(data.tokens)) throw new Error(`${source}: expected a top-level 'tokens' list`);
  const problems: string[] = [];
  const entries: Entry[] = [];
  data.tokens.forEach((raw: unknown, i: number) => {
    const t = raw as { identity?: unknown; role?: unknown; token?: unknown };
    if (typeof t?.identity !== 'string' || !t.identity) problems.push(`tokens[${i}].identity must be a non-empty string`);
    if (t?.role !== 'admin' && t?.role !== 'e2e') problems.push(`tokens[${i}].role must be admin or e2e`);
    if (typeof t?.token !== 'string' || t.token.length < 16) problems.push(`tokens[${i}].token must be at least 16 characters`);
    else if (typeof t.identity === 'string' && (t.role === 'admin' || t.role === 'e2e')) entries.push({ identity: t.identity, role: t.role, digest: sha(t.token) });
  });
  if (data.requireE2eToken !== undefined && typeof data.requireE2eToken !== 'boolean') problems.push('requireE2eToken must be true or false');
  if (problems.length) throw new Error(`${source}: ${problems.join('; ')}`);
  return { entries, requireE2eToken: data.requireE2eToken === true };
}

function sha(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Bearer tokens from a mounted Secret, reloaded on change; a bad new file keeps the last good one. */
export class TokenAuth extends WatchedFile<AuthFile> {
  constructor(path: string) {
    super(path, parseAuthFile);
  }

  private get file(): AuthFile {
    return this.current();
  }

  /** Who is calling (tokens compared in constant time); 401 for a bad token or a missing one that is required. */
  identify(header: string | undefined, needed: Role | undefined): Caller {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) {
      if (needed === 'admin' || (needed === 'e2e' && this.file.requireE2eToken)) {
        throw new UnauthenticatedError(`this call needs a bearer token: send 'Authorization: Bearer <token>'`);
      }
      return {};
    }
    const offered = sha(match[1]);
    let found: Entry | undefined;
    for (const entry of this.file.entries) if (timingSafeEqual(entry.digest, offered)) found = entry;
    if (!found) throw new UnauthenticatedError('unknown bearer token');
    if (needed === 'admin' && found.role !== 'admin') throw new ForbiddenError(`${found.identity} is not an admin`);
    return { identity: found.identity, role: found.role };
  }
}
