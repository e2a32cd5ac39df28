import { randomUUID } from 'node:crypto';
import type { Clock } from '@ci-stack/core';
import type { Acting } from './acting';
import { NoCapacityError, ShuttingDownError } from './errors';
import type { Labels } from './labels';
import * as lc from './lifecycle';
import type { Cluster, PoolState, Ticket } from './model';
import type { PoolStore } from './store';
import * as t from './transitions';
import { Wakeup } from './wakeup';

/** Tells waiters that the stored pool may have changed, so they look again at once instead of at the next poll. */
export interface PoolChanges {
  /**
   * Calls `listener` after every later change to the stored pool, by this process or another, until the returned
   * function is called. A feed that was not live yet calls it once when it becomes live (it may have missed one).
   */
  subscribe(listener: () => void): () => void;
}

export interface ClusterPoolOptions {
  store: PoolStore;
  clock: Clock;
  /** Testing lease; heartbeats extend it. */
  leaseMs: number;
  /** Default hold when `hours` is not given. */
  holdMs: number;
  /** Upper bound for any hold. */
  maxHoldMs: number;
  /** Change notifications that wake waiting getvacant calls; without them, waiters only poll. */
  changes?: PoolChanges;
  /** How often a waiting getvacant looks again when no change woke it: 250 ms, or 5 s with `changes` (a fallback). */
  pollMs?: number;
  /** A queued ticket not refreshed for this long is dropped (its client went away). */
  staleTicketMs?: number;
  /** For testing: how to wait between polls (resolves early when `signal` aborts). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** With a cleanup job, returned clusters are cleaned (and quarantined after this many failed attempts). */
  cleanup?: { maxAttempts: number };
}

export interface VacantOptions {
  build: string;
  job: string;
  region?: string;
  /** Labels the cluster must have. */
  labels?: Labels;
  /** Wait up to this long in the fair FIFO queue; 0 answers at once. */
  waitMs?: number;
  /** Aborted when the client goes away: the ticket leaves the queue. */
  signal?: AbortSignal;
}

export interface VacantResult {
  cluster: Cluster;
  waitedMs: number;
  queued: boolean;
}

/** A getvacant of this process waiting in the queue, as {@link ClusterPool.stopWaiting} sees it. */
interface Waiter {
  /** Resolves when it makes no more store calls: with its ticket id when that is still queued, else undefined. */
  stopped: Promise<string | undefined>;
  stop: (ticketId: string | undefined) => void;
}

/** The pool's use cases, on top of a {@link PoolStore}. */
export class ClusterPool {
  private readonly pollMs: number;
  private readonly staleTicketMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly giveBack: t.ReturnPolicy;
  private readonly waiters = new Set<Waiter>();
  /** Aborted by {@link stopWaiting}: wakes every waiter. */
  private readonly stopping = new AbortController();
  private ticketsRemoved?: Promise<number>;

  constructor(private readonly opts: ClusterPoolOptions) {
    this.pollMs = opts.pollMs ?? (opts.changes ? 5000 : 250);
    this.staleTicketMs = opts.staleTicketMs ?? 30_000;
    this.sleep = opts.sleep ?? abortableSleep;
    this.giveBack = { cleanup: Boolean(opts.cleanup) };
  }

  /** How long a testing lease lasts; each heartbeat extends it by this much. */
  get leaseMs(): number {
    return this.opts.leaseMs;
  }

  /** Whether returned clusters go through the cleanup job. */
  get cleans(): boolean {
    return this.giveBack.cleanup;
  }

  add(name: string, region: string, by?: string, labels?: Labels): Promise<Cluster> {
    return this.opts.store.apply(t.addCluster(name, region, by, labels));
  }

  /** A free cluster now, or (with `waitMs`) as soon as one is free and no older waiter can take it. */
  async getVacant(req: VacantOptions): Promise<VacantResult> {
    const started = this.opts.clock.now().getTime();
    const base = { build: req.build, job: req.job, region: req.region, labels: req.labels, leaseMs: this.opts.leaseMs };
    try {
      return { cluster: await this.opts.store.apply(t.getVacant(base)), waitedMs: 0, queued: false };
    } catch (err) {
      if (!(err instanceof NoCapacityError) || !req.waitMs) throw err;
    }
    if (this.stopping.signal.aborted) throw new ShuttingDownError();
    const deadline = started + req.waitMs;
    // Listen before the ticket is written and the next look: a cluster freed from here on wakes this waiter.
    const wakeup = new Wakeup();
    const unsubscribe = this.opts.changes?.subscribe(() => wakeup.notify());
    const waiter = this.addWaiter();
    try {
      const { ticket } = await this.opts.store.apply(t.enqueue({ id: randomUUID(), build: req.build, job: req.job, region: req.region, ...(req.labels?.size ? { labels: req.labels } : {}), deadline: new Date(deadline).toISOString() }));
      return await this.waitInQueue(req, ticket, { started, deadline, wakeup }, waiter);
    } finally {
      waiter.stop(undefined);
      this.waiters.delete(waiter);
      unsubscribe?.();
    }
  }

  /**
   * Ends every wait of this process (on shutdown): no new ticket is written; once each waiter has finished the store
   * call it has in flight, one write removes all their tickets, then each answers {@link ShuttingDownError}. A waiter
   * whose call in flight got it a cluster keeps it. Resolves with the number of tickets removed.
   */
  stopWaiting(): Promise<number> {
    if (!this.ticketsRemoved) {
      this.stopping.abort();
      const waiters = [...this.waiters];
      this.ticketsRemoved = (async () => {
        const ids = (await Promise.all(waiters.map((w) => w.stopped))).filter((id): id is string => id !== undefined);
        return ids.length ? this.opts.store.apply(t.dequeue(ids)) : 0;
      })();
    }
    return this.ticketsRemoved;
  }

  private addWaiter(): Waiter {
    let stop!: (ticketId: string | undefined) => void;
    const stopped = new Promise<string | undefined>((resolve) => (stop = resolve));
    const waiter: Waiter = { stopped, stop };
    this.waiters.add(waiter);
    return waiter;
  }

  /** Looks again on every change (or poll) until a cluster is ours, the deadline passes, the client leaves or we stop. */
  private async waitInQueue(req: VacantOptions, ticket: Ticket, at: { started: number; deadline: number; wakeup: Wakeup }, waiter: Waiter): Promise<VacantResult> {
    const base = { build: req.build, job: req.job, region: req.region, labels: req.labels, leaseMs: this.opts.leaseMs, ticketId: ticket.id };
    const refreshMs = this.staleTicketMs / 3;
    const wake = req.signal ? AbortSignal.any([req.signal, this.stopping.signal]) : this.stopping.signal;
    let refreshed = at.started;
    try {
      for (;;) {
        if (this.stopping.signal.aborted) throw new ShuttingDownError();
        const seen = at.wakeup.changes;
        const got = await this.opts.store.apply(t.getVacant(base)).catch((err: unknown) => {
          if (err instanceof NoCapacityError) return err;
          throw err;
        });
        if (!(got instanceof NoCapacityError)) return { cluster: got, waitedMs: this.opts.clock.now().getTime() - at.started, queued: true };
        const now = this.opts.clock.now().getTime();
        if (now >= at.deadline) throw timeoutError(got, req.waitMs as number);
        if (this.stopping.signal.aborted) throw new ShuttingDownError();
        if (now - refreshed >= refreshMs) {
          await this.opts.store.apply(t.enqueue({ ...ticket }));
          refreshed = now;
        }
        // The poll is jittered so waiters of several replicas do not look in lockstep; it never sleeps past the
        // deadline or the next ticket refresh, so a quiet pool cannot let the ticket go stale.
        const pollMs = Math.min(this.pollMs * (0.5 + Math.random()), at.deadline - now, refreshed + refreshMs - now);
        await at.wakeup.wait(seen, Math.max(0, pollMs), this.sleep, wake);
        if (req.signal?.aborted) throw new NoCapacityError('request cancelled while waiting for a vacant cluster', {});
      }
    } catch (err) {
      await this.leaveQueue(ticket, waiter, err);
      throw err;
    }
  }

  /** A waiter that ends without a cluster takes its ticket out; on shutdown it goes with every other's, in one write. */
  private async leaveQueue(ticket: Ticket, waiter: Waiter, why: unknown): Promise<void> {
    if (why instanceof ShuttingDownError) {
      waiter.stop(ticket.id);
      await this.ticketsRemoved?.catch(() => undefined); // answer once it is gone
    } else {
      await this.opts.store.apply(t.dequeue([ticket.id])).catch(() => undefined);
    }
  }

  /** Ends a build's lease; `by` says who asks and which build they name (see {@link t.finishTest}). */
  finish(name: string, by: Acting): Promise<{ cluster: Cluster; alreadyFinished: boolean }> {
    return this.opts.store.apply(t.finishTest(name, by, this.giveBack));
  }

  heartbeat(name: string, build: string): Promise<Cluster> {
    return this.opts.store.apply(t.heartbeat(name, build, this.opts.leaseMs));
  }

  /** Holds for `hours` (capped at the maximum hold) or the default hold, for whom `by` may act as (see {@link t.holdCluster}). */
  hold(name: string, hours: number | undefined, by: Acting): Promise<Cluster> {
    const ms = hours === undefined ? this.opts.holdMs : Math.min(hours * 3_600_000, this.opts.maxHoldMs);
    return this.opts.store.apply(t.holdCluster(name, ms, by));
  }

  /** Ends a hold, if `by` may end it (see {@link t.releaseCluster}). */
  release(name: string, by: Acting): Promise<Cluster> {
    return this.opts.store.apply(t.releaseCluster(name, by, this.giveBack));
  }

  disable(name: string, reason?: string): Promise<Cluster> {
    return this.opts.store.apply(t.disableCluster(name, reason));
  }

  enable(name: string): Promise<Cluster> {
    return this.opts.store.apply(t.enableCluster(name));
  }

  delete(name: string): Promise<Cluster> {
    return this.opts.store.apply(t.deleteCluster(name));
  }

  snapshot(): Promise<PoolState> {
    return this.opts.store.read();
  }

  /** Expires leases, holds and stale tickets; see {@link t.sweep}. */
  sweep(): Promise<{ expired: t.Expiry[]; droppedTickets: number }> {
    return this.opts.store.apply(t.sweep(this.staleTicketMs, this.giveBack));
  }

  /** Records a cluster to create (or a failed one to retry) as provisioning; see {@link lc.startProvisioning}. */
  startProvisioning(req: lc.ProvisionRequest): Promise<Cluster> {
    return this.opts.store.apply(lc.startProvisioning(req));
  }

  recordJobStarted(name: string, key: string, started: lc.StartedJob): Promise<Cluster> {
    return this.opts.store.apply(lc.recordJobStarted(name, key, started));
  }

  finishJob(name: string, key: string, outcome: lc.JobOutcome): Promise<lc.JobResult> {
    return this.opts.store.apply(lc.finishJob(name, key, outcome, this.opts.cleanup?.maxAttempts ?? 1));
  }

  syncInventory(listed: readonly lc.InventoryCluster[]): Promise<lc.InventoryChanges> {
    return this.opts.store.apply(lc.syncInventory(listed));
  }

  replenish(targets: readonly lc.PoolTarget[], opts: lc.ReplenishOptions): Promise<{ created: Cluster[]; plans: lc.TargetPlan[] }> {
    return this.opts.store.apply(lc.replenish(targets, opts));
  }

  queue(): Promise<Ticket[]> {
    return this.opts.store.read().then((s) => s.queue);
  }
}

function timeoutError(last: NoCapacityError, waitMs: number): NoCapacityError {
  return new NoCapacityError(`${last.message}; waited ${Math.round(waitMs / 1000)}s`, { ...last.details, waitedMs: waitMs });
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
