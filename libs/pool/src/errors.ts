import { DomainError } from '@ci-stack/core';
import type { Cluster } from './model';

export class ClusterNotFoundError extends DomainError {
  constructor(name: string) {
    super('not-found', 'CLUSTER_NOT_FOUND', `cluster ${name} not found`);
  }
}

export class ClusterExistsError extends DomainError {
  constructor(cluster: Cluster) {
    super('conflict', 'CLUSTER_EXISTS', `cluster ${cluster.name} already exists (state ${cluster.state}, region ${cluster.region})`);
  }
}

/** A transition the state machine does not allow; names the current state and holder. */
export class IllegalTransitionError extends DomainError {
  constructor(cluster: Cluster, action: string, allowedFrom: string) {
    super('conflict', 'ILLEGAL_TRANSITION', `cannot ${action} cluster ${cluster.name}: it is ${cluster.state}${describeHolder(cluster)}; ${action} needs a cluster that is ${allowedFrom}`, {
      state: cluster.state,
      holder: cluster.holder,
    });
  }
}

/** finishtest/heartbeat by a build that does not hold the cluster. */
export class HolderMismatchError extends DomainError {
  constructor(cluster: Cluster, build: string) {
    super('conflict', 'HOLDER_MISMATCH', `cluster ${cluster.name} is not held by build ${build}: it is ${cluster.state}${describeHolder(cluster)}`, { state: cluster.state, holder: cluster.holder });
  }
}

/** A release of a hold another user took, by someone who is not an admin. */
export class NotHoldOwnerError extends DomainError {
  constructor(cluster: string, holder: string) {
    // The code of the answer before the check moved into the pool: clients may match on it.
    super('forbidden', 'FORBIDDEN', `cluster ${cluster} is held by ${holder}; only they or an admin may release it`);
  }
}

/** With auth on, a call without a token on a lease or hold that does not name the build it acts for. */
export class BuildRequiredError extends DomainError {
  constructor(call: string, cluster: string) {
    super(
      'invalid',
      'BUILD_REQUIRED',
      `${call} of cluster ${cluster} without a token must name the build that got the cluster: add build=<the build id from getvacant, $BUILD_ID in a Prow job> (the shell client sends it), or send 'Authorization: Bearer <token>'`,
    );
  }
}

/** With auth on, a call without a token that names a user: only a token says who someone is. */
export class UserNeedsTokenError extends DomainError {
  constructor(user: string) {
    super(
      'forbidden',
      'USER_NEEDS_TOKEN',
      `user=${user} needs a token: without one a hold belongs to the build that holds the cluster. Leave out user= and name the build with build=, or send 'Authorization: Bearer <token>' to act as your token's identity`,
    );
  }
}

/** A non-admin token that names a user other than its own identity. */
export class UserMismatchError extends DomainError {
  constructor(identity: string, user: string) {
    super('forbidden', 'USER_MISMATCH', `this token acts as ${identity}, not as ${user}: leave out user= (it defaults to ${identity}), or use an admin token to act for someone else`);
  }
}

/** Nothing free now (and, with wait, nothing became free in time). One status for every such case. */
export class NoCapacityError extends DomainError {
  constructor(message: string, details: Record<string, unknown>) {
    super('no-capacity', 'NO_VACANT_CLUSTER', message, details);
  }
}

/** A wait this replica ends because it shuts down; the client asks again (another replica answers). */
export class ShuttingDownError extends DomainError {
  constructor() {
    super('unavailable', 'SHUTTING_DOWN', 'this cimaster replica is shutting down; ask again: another replica will answer');
  }
}

export class PoolTooLargeError extends DomainError {
  constructor(bytes: number, limit: number) {
    super('conflict', 'POOL_TOO_LARGE', `the pool would take ${bytes} bytes, more than the store allows (${limit}); delete clusters before adding more`);
  }
}

function describeHolder(cluster: Cluster): string {
  const h = cluster.holder;
  if (!h) return '';
  const who = [h.build && `build ${h.build}`, h.job && `job ${h.job}`, h.user && `user ${h.user}`].filter(Boolean).join(', ');
  return who ? ` (held by ${who} since ${h.since})` : '';
}

/**
 * The stored pool is not a document this cimaster wrote: a field is missing or of the wrong type, a name is not a
 * DNS label, the JSON is cut off. Nothing is served from it and nothing is written over it, so an operator can look
 * at it and fix or restore it; the message names each cluster or ticket and field that is wrong.
 */
export class StoreCorruptError extends DomainError {
  constructor(problems: string[]) {
    const shown = problems.slice(0, MAX_SHOWN_PROBLEMS).join('; ');
    const more = problems.length > MAX_SHOWN_PROBLEMS ? `; and ${problems.length - MAX_SHOWN_PROBLEMS} more` : '';
    super('unavailable', 'STORE_CORRUPT', `stored pool is corrupt: ${shown}${more}. Nothing was changed; correct or restore the stored document`);
  }
}

/** The stored pool was written in a version of the stored form this cimaster does not read. */
export class UnsupportedStoreVersionError extends DomainError {
  constructor(found: unknown, reads: number) {
    super('unavailable', 'STORE_VERSION_UNSUPPORTED', `stored pool has version ${JSON.stringify(found)}, this cimaster reads version ${reads}. Nothing was changed`);
  }
}

const MAX_SHOWN_PROBLEMS = 5;

/** A job outcome or start for a run the cluster has moved past (another attempt, a retry, an admin's action). */
export class JobSupersededError extends DomainError {
  constructor(cluster: Cluster, key: string) {
    super('conflict', 'JOB_SUPERSEDED', `cluster ${cluster.name} no longer follows job run ${key}: it is ${cluster.state}${cluster.job ? ` with run ${cluster.job.key}` : ''}`);
  }
}
