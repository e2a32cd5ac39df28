import { actingUser, checkHoldClaim, checkLeaseClaim, requireBuild, type Acting } from './acting';
import { ClusterExistsError, ClusterNotFoundError, HolderMismatchError, IllegalTransitionError, NoCapacityError } from './errors';
import { formatLabels, sameLabels, satisfies, type Labels } from './labels';
import { HISTORY_LIMIT, type Cluster, type ClusterState, type Ending, type PoolState, type Ticket } from './model';

/**
 * One change to the pool. It validates first and mutates only once it cannot fail, so a store can apply a batch of
 * commands to one working copy: a command that throws leaves the state exactly as it found it.
 */
export type Command<T> = (state: PoolState, now: Date) => T;

const iso = (d: Date): string => d.toISOString();

export function get(state: PoolState, name: string): Cluster {
  const cluster = state.clusters.get(name);
  if (!cluster) throw new ClusterNotFoundError(name);
  return cluster;
}

/**
 * Moves a cluster to a new state, closing its current stay in the history (capped). What belonged to the stay
 * (holder, expiries, followed job, problem, disable reason) goes with it; the caller sets what the new state needs.
 */
export function move(cluster: Cluster, to: ClusterState, now: Date, ended: Ending): void {
  const h = cluster.holder;
  const entry: Cluster['history'][number] = { state: cluster.state, build: h?.build || undefined, job: h?.job || undefined, user: h?.user, from: cluster.since, to: iso(now), ended };
  if (cluster.job?.name) {
    entry.prowJob = cluster.job.name;
    if (cluster.job.logLink) entry.logLink = cluster.job.logLink;
  }
  cluster.history.push(entry);
  if (cluster.history.length > HISTORY_LIMIT) cluster.history.splice(0, cluster.history.length - HISTORY_LIMIT);
  cluster.state = to;
  cluster.since = iso(now);
  if (to === 'finished') cluster.freedAt = iso(now);
  if (to !== 'testing' && to !== 'held') {
    delete cluster.holder;
    delete cluster.leaseExpires;
    delete cluster.holdExpires;
  }
  delete cluster.disabledReason;
  delete cluster.job;
  delete cluster.problem;
}

/** What happens to a cluster a build or a person gives back: straight to finished, or through the cleanup job. */
export interface ReturnPolicy {
  cleanup: boolean;
}

const NO_CLEANUP: ReturnPolicy = { cleanup: false };

/** The idempotency key of one job run: the same run always gets the same key, a new run a new one. */
export function jobKey(kind: 'create' | 'cleanup', cluster: Cluster, attempt: number): string {
  return `cimaster-${kind}-${cluster.name}-${Date.parse(cluster.since)}-${attempt}`;
}

/** Gives a used cluster back: finished, or cleaning with the first cleanup attempt requested. */
function giveBack(cluster: Cluster, now: Date, ended: Ending, policy: ReturnPolicy): void {
  if (!policy.cleanup) return move(cluster, 'finished', now, ended);
  move(cluster, 'cleaning', now, ended);
  cluster.job = { kind: 'cleanup', attempt: 1, key: jobKey('cleanup', cluster, 1), requestedAt: iso(now) };
}

export function addCluster(name: string, region: string, by?: string, labels?: Labels): Command<Cluster> {
  return (state, now) => {
    const existing = state.clusters.get(name);
    if (existing) throw new ClusterExistsError(existing);
    const cluster: Cluster = { name, region, state: 'finished', since: iso(now), addedAt: iso(now), freedAt: iso(now), history: [] };
    if (by) cluster.addedBy = by;
    if (labels?.size) cluster.labels = new Map(labels);
    state.clusters.set(name, cluster);
    return cluster;
  };
}

export interface VacantRequest {
  build: string;
  job: string;
  region?: string;
  /** Labels the cluster must have (region included, as `region`). */
  labels?: Labels;
  leaseMs: number;
  /** Set when the request waits in the queue; it may only take a cluster no older ticket could take. */
  ticketId?: string;
}

/**
 * Hands out the least recently used finished cluster (in the region, if given) and records the holder. Fair to
 * waiters: a cluster goes to the oldest queued ticket that can use it, so a newcomer never overtakes the queue.
 */
export function getVacant(req: VacantRequest): Command<Cluster> {
  return (state, now) => {
    const free = [...state.clusters.values()]
      .filter((c) => c.state === 'finished' && satisfies(c, req.region, req.labels))
      .sort((a, b) => a.freedAt.localeCompare(b.freedAt) || a.name.localeCompare(b.name));
    const mine = req.ticketId ? state.queue.findIndex((t) => t.id === req.ticketId) : state.queue.length;
    const ahead = state.queue.slice(0, mine < 0 ? state.queue.length : mine);
    // A waiter ahead blocks only the clusters it could use.
    const cluster = free.find((c) => !ahead.some((t) => satisfies(c, t.region, t.labels)));
    if (!cluster) {
      const total = [...state.clusters.values()].filter((c) => satisfies(c, req.region, req.labels)).length;
      const where = (req.region ? ` in region ${req.region}` : '') + (req.labels?.size ? ` with labels ${formatLabels(req.labels)}` : '');
      throw new NoCapacityError(`no vacant cluster${where}: ${free.length} free of ${total}, ${state.queue.length} waiting`, {
        free: free.length,
        total,
        waiting: state.queue.length,
        position: mine >= 0 && req.ticketId ? mine + 1 : undefined,
      });
    }
    if (req.ticketId && mine >= 0) state.queue.splice(mine, 1);
    move(cluster, 'testing', now, 'finished');
    cluster.history.pop(); // a free stay is not worth a history entry
    cluster.holder = { build: req.build, job: req.job, since: iso(now) };
    cluster.leaseExpires = iso(new Date(now.getTime() + req.leaseMs));
    return cluster;
  };
}

/**
 * testing → finished (or cleaning, with a cleanup job). With a build, it must be the holder's; finishing twice for
 * the same build is harmless, also while or after its cluster is cleaned. Who may finish without naming the build
 * is decided here, in the same compare-and-swap as the change (see {@link checkLeaseClaim}).
 */
export function finishTest(name: string, by: Acting, policy: ReturnPolicy = NO_CLEANUP): Command<{ cluster: Cluster; alreadyFinished: boolean }> {
  return (state, now) => {
    const cluster = get(state, name);
    requireBuild(by, 'finishtest', name);
    const { build } = by;
    if (cluster.state === 'finished' || cluster.state === 'cleaning' || cluster.state === 'quarantined') {
      const last = lastTestingStay(cluster);
      if (!build && (cluster.state === 'finished' || last)) return { cluster, alreadyFinished: true };
      if (build && last?.build === build) return { cluster, alreadyFinished: true };
      if (!build) throw new IllegalTransitionError(cluster, 'finish', 'testing');
      throw new HolderMismatchError(cluster, build);
    }
    if (cluster.state !== 'testing') throw new IllegalTransitionError(cluster, 'finish', 'testing');
    checkLeaseClaim(cluster, by, 'finishtest');
    giveBack(cluster, now, 'finished', policy);
    return { cluster, alreadyFinished: false };
  };
}

/** The testing stay that ended last, looking past the cleaning stays that followed it. */
function lastTestingStay(cluster: Cluster): Cluster['history'][number] | undefined {
  for (let i = cluster.history.length - 1; i >= 0; i--) {
    const h = cluster.history[i];
    if (h.state === 'testing') return h;
    if (h.state !== 'cleaning') return undefined;
  }
  return undefined;
}

/** Extends the testing lease of the holder's build. */
export function heartbeat(name: string, build: string, leaseMs: number): Command<Cluster> {
  return (state, now) => {
    const cluster = get(state, name);
    if (cluster.state !== 'testing') throw new IllegalTransitionError(cluster, 'heartbeat', 'testing');
    if (cluster.holder?.build !== build) throw new HolderMismatchError(cluster, build);
    cluster.leaseExpires = iso(new Date(now.getTime() + leaseMs));
    return cluster;
  };
}

/**
 * testing → held, for debugging, until released or the hold expires. The hold records the user the caller may act
 * as (see {@link actingUser}); an anonymous caller's hold is its build's, and it may hold only its build's cluster.
 */
export function holdCluster(name: string, holdMs: number, by: Acting): Command<Cluster> {
  return (state, now) => {
    const cluster = get(state, name);
    const user = actingUser(by);
    requireBuild(by, 'holdcluster', name);
    if (cluster.state !== 'testing') throw new IllegalTransitionError(cluster, 'hold', 'testing');
    checkLeaseClaim(cluster, by, 'holdcluster');
    const holder = { ...cluster.holder!, user: user ?? cluster.holder?.user };
    move(cluster, 'held', now, 'held');
    cluster.holder = holder;
    delete cluster.leaseExpires;
    cluster.holdExpires = iso(new Date(now.getTime() + holdMs));
    return cluster;
  };
}

/**
 * held → finished (or cleaning, with a cleanup job). With auth on, a hold a user took is theirs (or an admin's) to
 * end, and one an anonymous caller took its build's (see {@link checkHoldClaim}). The check belongs here, in the
 * same compare-and-swap as the release, or another replica could release it and someone else hold the cluster in
 * between, and this release would end the wrong person's hold.
 */
export function releaseCluster(name: string, by: Acting, policy: ReturnPolicy = NO_CLEANUP): Command<Cluster> {
  return (state, now) => {
    const cluster = get(state, name);
    if (cluster.state !== 'held') throw new IllegalTransitionError(cluster, 'release', 'held');
    checkHoldClaim(cluster, by);
    giveBack(cluster, now, 'released', policy);
    return cluster;
  };
}

export function disableCluster(name: string, reason?: string): Command<Cluster> {
  return (state, now) => {
    const cluster = get(state, name);
    if (cluster.state !== 'finished') throw new IllegalTransitionError(cluster, 'disable', 'finished');
    move(cluster, 'disabled', now, 'disabled');
    if (reason) cluster.disabledReason = reason;
    return cluster;
  };
}

/** disabled or quarantined → finished: an admin vouches for the cluster. */
export function enableCluster(name: string): Command<Cluster> {
  return (state, now) => {
    const cluster = get(state, name);
    if (cluster.state !== 'disabled' && cluster.state !== 'quarantined') throw new IllegalTransitionError(cluster, 'enable', 'disabled or quarantined');
    move(cluster, 'finished', now, 'enabled');
    return cluster;
  };
}

/** Removes a cluster nobody uses: finished, or given up on (failed, quarantined). */
export function deleteCluster(name: string): Command<Cluster> {
  return (state) => {
    const cluster = get(state, name);
    if (cluster.state !== 'finished' && cluster.state !== 'failed' && cluster.state !== 'quarantined') throw new IllegalTransitionError(cluster, 'delete', 'finished, failed or quarantined');
    state.clusters.delete(name);
    return cluster;
  };
}

/** Joins the wait queue (or refreshes the ticket of the same build and job, keeping its place). */
export function enqueue(ticket: Omit<Ticket, 'enqueuedAt' | 'seenAt'>): Command<{ ticket: Ticket; position: number }> {
  return (state, now) => {
    const existing = state.queue.findIndex((t) => t.build === ticket.build && t.job === ticket.job && t.region === ticket.region && sameLabels(t.labels, ticket.labels));
    if (existing >= 0) {
      const t = state.queue[existing];
      t.seenAt = iso(now);
      t.deadline = ticket.deadline > t.deadline ? ticket.deadline : t.deadline;
      return { ticket: t, position: existing + 1 };
    }
    const t: Ticket = { ...ticket, enqueuedAt: iso(now), seenAt: iso(now) };
    state.queue.push(t);
    return { ticket: t, position: state.queue.length };
  };
}

/** Leaves the queue (waiters that gave up, or all of a replica's at once when it shuts down); returns how many left. */
export function dequeue(ticketIds: readonly string[]): Command<number> {
  return (state) => {
    const before = state.queue.length;
    state.queue = state.queue.filter((t) => !ticketIds.includes(t.id));
    return before - state.queue.length;
  };
}

export interface Expiry {
  cluster: string;
  kind: 'lease' | 'hold';
  build?: string;
  job?: string;
  user?: string;
}

/**
 * Returns expired testing leases and holds to finished (or cleaning) and drops tickets past their deadline or no longer
 * refreshed. Being a command like any other, it happens (and is recorded) once even with several replicas.
 */
export function sweep(staleTicketMs: number, policy: ReturnPolicy = NO_CLEANUP): Command<{ expired: Expiry[]; droppedTickets: number }> {
  return (state, now) => {
    const t = iso(now);
    const expired: Expiry[] = [];
    for (const cluster of [...state.clusters.values()]) {
      const h = cluster.holder;
      if (cluster.state === 'testing' && cluster.leaseExpires && cluster.leaseExpires <= t) {
        expired.push({ cluster: cluster.name, kind: 'lease', build: h?.build, job: h?.job });
        giveBack(cluster, now, 'lease-expired', policy);
      } else if (cluster.state === 'held' && cluster.holdExpires && cluster.holdExpires <= t) {
        expired.push({ cluster: cluster.name, kind: 'hold', build: h?.build, job: h?.job, user: h?.user });
        giveBack(cluster, now, 'hold-expired', policy);
      }
    }
    const staleBefore = iso(new Date(now.getTime() - staleTicketMs));
    const before = state.queue.length;
    state.queue = state.queue.filter((q) => q.deadline > t && q.seenAt > staleBefore);
    return { expired, droppedTickets: before - state.queue.length };
  };
}
