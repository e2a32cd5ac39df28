import { BuildRequiredError, HolderMismatchError, NotHoldOwnerError, UserMismatchError, UserNeedsTokenError } from './errors';
import type { Cluster } from './model';

/**
 * Who asks for a change to a lease or a hold, as the service authenticated them. The pool checks it inside the
 * change itself (docs/security.md): a check made before the compare-and-swap could pass against a holder that
 * another replica has replaced by the time the change is written.
 *
 * - `open`: the service runs without authentication; the original rules, where anyone may do anything.
 * - `anonymous`: authentication is on and the caller sent no token. It acts only for the build it names, on that
 *   build's lease or hold, and may not name a user.
 * - `user`: a non-admin token. It acts as its identity (a hold it takes is its identity's) and may end any lease.
 * - `admin`: an admin token. It may act for anyone.
 */
export type Actor = { readonly kind: 'open' } | { readonly kind: 'anonymous' } | { readonly kind: 'user' | 'admin'; readonly identity: string };

/** The actors, by how the caller was authenticated. */
export const actors = {
  open: Object.freeze({ kind: 'open' }) as Actor,
  anonymous: Object.freeze({ kind: 'anonymous' }) as Actor,
  user: (identity: string): Actor => ({ kind: 'user', identity }),
  admin: (identity: string): Actor => ({ kind: 'admin', identity }),
};

/** A call on a lease or a hold: who makes it, and the build and user the request names (`build=`, `user=`). */
export interface Acting {
  actor: Actor;
  /** The build the caller says holds the cluster; when given, it must be the holder's. */
  build?: string;
  /** The user the caller acts as (`user=`); only an admin, or anyone without authentication, may name another. */
  user?: string;
}

/** The calls that check an `Acting`, as clients know them (the messages name them). */
export type ActingCall = 'finishtest' | 'holdcluster' | 'releasecluster';

/**
 * The user a hold records: the one named with auth off or by an admin (the caller's own identity when none is
 * named), a token's own identity, and nobody for an anonymous caller, whose hold is its build's. Refuses an
 * anonymous caller that names a user and a non-admin token that names another.
 */
export function actingUser(acting: Acting): string | undefined {
  const { actor, user } = acting;
  switch (actor.kind) {
    case 'open':
      return user;
    case 'admin':
      return user ?? actor.identity;
    case 'anonymous':
      if (user !== undefined) throw new UserNeedsTokenError(user);
      return undefined;
    case 'user':
      if (user !== undefined && user !== actor.identity) throw new UserMismatchError(actor.identity, user);
      return actor.identity;
  }
}

/** An anonymous caller must name the build it acts for; without auth or with a token the build may be left out. */
export function requireBuild(acting: Acting, call: ActingCall, cluster: string): void {
  if (acting.actor.kind === 'anonymous' && acting.build === undefined) throw new BuildRequiredError(call, cluster);
}

/**
 * Whether the caller may end or keep the lease of a testing cluster (finishtest, holdcluster): the build it names
 * must be the holder's, and an anonymous caller must name one.
 */
export function checkLeaseClaim(cluster: Cluster, acting: Acting, call: ActingCall): void {
  requireBuild(acting, call, cluster.name);
  if (acting.build !== undefined && cluster.holder?.build !== acting.build) throw new HolderMismatchError(cluster, acting.build);
}

/**
 * Whether the caller may end the hold of a held cluster (releasecluster). A named build must be the holder's. A
 * hold a user took is theirs (or an admin's) to end; a hold an anonymous caller took is its build's, so an anonymous
 * caller must name that build. Without auth anyone may end any hold, as in the original.
 */
export function checkHoldClaim(cluster: Cluster, acting: Acting): void {
  actingUser(acting);
  const { actor } = acting;
  if (acting.build !== undefined && cluster.holder?.build !== acting.build) throw new HolderMismatchError(cluster, acting.build);
  if (actor.kind === 'open' || actor.kind === 'admin') return;
  const holder = cluster.holder?.user;
  if (holder !== undefined && (actor.kind === 'anonymous' || holder !== actor.identity)) throw new NotHoldOwnerError(cluster.name, holder);
  if (holder === undefined) requireBuild(acting, 'releasecluster', cluster.name);
}
