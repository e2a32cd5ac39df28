import { ClusterExistsError, ClusterNotFoundError, HolderMismatchError, IllegalTransitionError, NoCapacityError, NotHoldOwnerError } from './errors';
import { HISTORY_LIMIT, type Cluster, type ClusterState, type Ending, type PoolState, type Ticket } from './model';

/**
 * One change to the pool. It validates first and mutates only once it cannot fail, so a store can apply a batch of
 * commands to one working copy: a command that throws leaves the state exactly as it found it.
 */
export type Command<T> = (state: PoolState, now: Date) => T;

const iso = (d: Date): string => d.toISOString();

function get(state: PoolState, name: string): Cluster {
  const cluster = state.clusters.get(name);
  if (!cluster) throw new ClusterNotFoundError(name);
  return cluster;
}

/** Moves a cluster to a new state, closing its current stay in the history (capped). */
function move(cluster: Cluster, to: ClusterState, now: Date, ended: Ending): void {
  const h = cluster.holder;
  cluster.history.push({ state: cluster.state, build: h?.build || undefined, job: h?.job || undefined, user: h?.user, from: cluster.since, to: iso(now), ended });
  if (cluster.history.length > HISTORY_LIMIT) cluster.history.splice(0, cluster.history.length - HISTORY_LIMIT);
  cluster.state = to;
  cluster.since = iso(now);
  if (to === 'finished') {
    cluster.freedAt = iso(now);
    delete cluster.holder;
    delete cluster.leaseExpires;
    delete cluster.holdExpires;
    delete cluster.disabledReason;
  }
}

export function addCluster(name: string, region: string, by?: string): Command<Cluster> {
  return (state, now) => {
    const existing = state.clusters.get(name);
    if (existing) throw new ClusterExistsError(existing);
    const cluster: Cluster = { name, region, state: 'finished', since: iso(now), addedAt: iso(now), freedAt: iso(now), history: [] };
    if (by) cluster.addedBy = by;
    state.clusters.set(name, cluster);
    return cluster;
  };
}

export interface VacantRequest {
  build: string;
  job: string;
  region?: string;
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
      .filter((c) => c.state === 'finished' && (!req.region || c.region === req.region))
      .sort((a, b) => a.freedAt.localeCompare(b.freedAt) || a.name.localeCompare(b.name));
    const mine = req.ticketId ? state.queue.findIndex((t) => t.id === req.ticketId) : state.queue.length;
    const ahead = state.queue.slice(0, mine < 0 ? state.queue.length : mine);
    const cluster = free.find((c) => !ahead.some((t) => !t.region || t.region === c.region));
    if (!cluster) {
      const total = [...state.clusters.values()].filter((c) => !req.region || c.region === req.region).length;
      const where = req.region ? ` in region ${req.region}` : '';
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

/** testing → finished. With a build, it must be the holder's; finishing twice for the same build is harmless. */
export function finishTest(name: string, build?: string): Command<{ cluster: Cluster; alreadyFinished: boolean }> {
  return (state, now) => {
    const cluster = get(state, name);
    if (cluster.state === 'finished') {
      const last = cluster.history[cluster.history.length - 1];
      if (!build || (last?.state === 'testing' && last.build === build)) return { cluster, alreadyFinished: true };
      throw new HolderMismatchError(cluster, build);
    }
    if (cluster.state !== 'testing') throw new IllegalTransitionError(cluster, 'finish', 'testing');
    if (build && cluster.holder?.build !== build) throw new HolderMismatchError(cluster, build);
    move(cluster, 'finished', now, 'finished');
    return { cluster, alreadyFinished: false };
  };
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

/** testing → held, for debugging, until released or the hold expires. */
export function holdCluster(name: string, holdMs: number, user?: string): Command<Cluster> {
  return (state, now) => {
    const cluster = get(state, name);
    if (cluster.state !== 'testing') throw new IllegalTransitionError(cluster, 'hold', 'testing');
    const holder = { ...cluster.holder!, user: user ?? cluster.holder?.user };
    move(cluster, 'held', now, 'held');
    cluster.holder = holder;
    delete cluster.leaseExpires;
    cluster.holdExpires = iso(new Date(now.getTime() + holdMs));
    return cluster;
  };
}

/** Who asks for a release when only the holding user may release (an admin, or no auth at all, may release any). */
export interface Releaser {
  user?: string;
}

/**
 * held → finished. With a `releaser`, a hold taken by a named user is theirs to release: the check belongs here,
 * in the same compare-and-swap as the release, or another replica could release it and someone else hold the
 * cluster in between, and this release would end the wrong person's hold.
 */
export function releaseCluster(name: string, releaser?: Releaser): Command<Cluster> {
  return (state, now) => {
    const cluster = get(state, name);
    if (cluster.state !== 'held') throw new IllegalTransitionError(cluster, 'release', 'held');
    const holder = cluster.holder?.user;
    if (releaser && holder && holder !== releaser.user) throw new NotHoldOwnerError(cluster.name, holder);
    move(cluster, 'finished', now, 'released');
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

export function enableCluster(name: string): Command<Cluster> {
  return (state, now) => {
    const cluster = get(state, name);
    if (cluster.state !== 'disabled') throw new IllegalTransitionError(cluster, 'enable', 'disabled');
    move(cluster, 'finished', now, 'enabled');
    return cluster;
  };
}

export function deleteCluster(name: string): Command<Cluster> {
  return (state) => {
    const cluster = get(state, name);
    if (cluster.state !== 'finished') throw new IllegalTransitionError(cluster, 'delete', 'finished');
    state.clusters.delete(name);
    return cluster;
  };
}

/** Joins the wait queue (or refreshes the ticket of the same build and job, keeping its place). */
export function enqueue(ticket: Omit<Ticket, 'enqueuedAt' | 'seenAt'>): Command<{ ticket: Ticket; position: number }> {
  return (state, now) => {
    const existing = state.queue.findIndex((t) => t.build === ticket.build && t.job === ticket.job && t.region === ticket.region);
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

/** Leaves the queue (a waiter that gave up). */
export function dequeue(ticketId: string): Command<boolean> {
  return (state) => {
    const i = state.queue.findIndex((t) => t.id === ticketId);
    if (i >= 0) state.queue.splice(i, 1);
    return i >= 0;
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
 * Returns expired testing leases and holds to finished and drops tickets past their deadline or no longer
 * refreshed. Being a command like any other, it happens (and is recorded) once even with several replicas.
 */
export function sweep(staleTicketMs: number): Command<{ expired: Expiry[]; droppedTickets: number }> {
  return (state, now) => {
    const t = iso(now);
    const expired: Expiry[] = [];
    for (const cluster of state.clusters.values()) {
      const h = cluster.holder;
      if (cluster.state === 'testing' && cluster.leaseExpires && cluster.leaseExpires <= t) {
        expired.push({ cluster: cluster.name, kind: 'lease', build: h?.build, job: h?.job });
        move(cluster, 'finished', now, 'lease-expired');
      } else if (cluster.state === 'held' && cluster.holdExpires && cluster.holdExpires <= t) {
        expired.push({ cluster: cluster.name, kind: 'hold', build: h?.build, job: h?.job, user: h?.user });
        move(cluster, 'finished', now, 'hold-expired');
      }
    }
    const staleBefore = iso(new Date(now.getTime() - staleTicketMs));
    const before = state.queue.length;
    state.queue = state.queue.filter((q) => q.deadline > t && q.seenAt > staleBefore);
    return { expired, droppedTickets: before - state.queue.length };
  };
}
