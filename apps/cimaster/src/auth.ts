import { ForbiddenError, UnauthenticatedError } from '@ci-stack/core';
import { actors, type Actor } from '@ci-stack/pool';
import { BearerTokens, type TokenFileFormat } from '@ci-stack/service-kit';

export type Role = 'admin' | 'e2e';

export interface Caller {
  identity?: string;
  role?: Role;
  /** Who the pool sees acting on a lease or a hold, and so what it may do there (docs/security.md). */
  actor: Actor;
}

/** The caller when authentication is off: anyone may do what the original allowed. */
export const OPEN_CALLER: Caller = Object.freeze({ actor: actors.open });

interface Settings {
  /** True: e2e calls (getvacant, finishtest, ...) need an e2e or admin token too. */
  requireE2eToken: boolean;
}

/**
 * cimaster's part of the token file: each token's `role`, and `requireE2eToken` at the top:
 * ```yaml
 * requireE2eToken: false      # true: getvacant, finishtest, ... need an e2e (or admin) token too
 * tokens:
 *   - {identity: ci-admins, role: admin, token: "<secret>"}
 *   - {identity: e2e-pods, role: e2e, token: "<secret>"}
 * ```
 */
const CIMASTER_TOKEN_FORMAT: TokenFileFormat<Role, Settings> = {
  grants(entry, at, problems) {
    if (entry.role === 'admin' || entry.role === 'e2e') return entry.role;
    problems.push(`${at}.role must be admin or e2e`);
    return 'e2e';
  },
  settings(file, problems) {
    if (file.requireE2eToken !== undefined && typeof file.requireE2eToken !== 'boolean') problems.push('requireE2eToken must be true or false');
    return { requireE2eToken: file.requireE2eToken === true };
  },
};

/** Bearer tokens from a mounted Secret, reloaded on change; a bad new file keeps the last good one. */
export class TokenAuth extends BearerTokens<Role, Settings> {
  constructor(path: string) {
    super(path, CIMASTER_TOKEN_FORMAT);
  }

  /** Who is calling; 401 for an unknown token or a missing one that this call needs, 403 for a non-admin on an admin call. */
  identify(header: string | undefined, needed: Role | undefined): Caller {
    const holder = this.holder(header);
    if (!holder) {
      if (needed === 'admin' || (needed === 'e2e' && this.settings().requireE2eToken)) {
        throw new UnauthenticatedError(`this call needs a bearer token: send 'Authorization: Bearer <token>'`);
      }
      return { actor: actors.anonymous };
    }
    if (needed === 'admin' && holder.grants !== 'admin') throw new ForbiddenError(`${holder.identity} is not an admin`);
    return { identity: holder.identity, role: holder.grants, actor: holder.grants === 'admin' ? actors.admin(holder.identity) : actors.user(holder.identity) };
  }
}
