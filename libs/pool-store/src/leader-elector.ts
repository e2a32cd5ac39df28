import type { Clock } from '@ci-stack/core';

/** A lock with an expiry that one replica at a time holds: a Kubernetes Lease, a Redis key, or the process itself. */
export interface LeaderLock {
  /**
   * Takes the lock for `identity`, or renews it when `identity` already holds it. False while another holder's lock
   * is still valid; throws when the backend cannot be reached (the caller keeps its state until the deadline).
   */
  tryAcquire(identity: string): Promise<boolean>;
  /** Gives the lock up if `identity` holds it, so another replica takes over at once rather than at expiry. */
  release(identity: string): Promise<void>;
  close?(): Promise<void>;
}

/** Where the elector reports its transitions and failing lock calls (a pino logger fits). */
export interface ElectionLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface LeaderElectorOptions {
  lock: LeaderLock;
  /** This replica's name in the lock (the pod name and a random suffix). */
  identity: string;
  clock: Clock;
  /** How long a lock lasts unrenewed: the longest a dead leader delays the others. */
  leaseDurationMs: number;
  /** How often the leader renews and the others try to take over; at most a third of the lease duration. */
  renewIntervalMs: number;
  logger?: ElectionLog;
}

/**
 * Elects one replica to run the background loops, which ask {@link isLeader} before every round. The leader renews
 * its lock every interval; a leader that cannot renew for two thirds of the lease duration steps down on its own,
 * before any other replica may consider the lock expired, so two replicas never both believe they lead.
 * {@link onChange} tells of each transition (e.g. to start the loops' rounds at once). Correctness of the pool never
 * rests on this: every change is a guarded write, so a round that overlaps with the next leader's for a moment does
 * no harm, only double work.
 */
export class LeaderElector {
  private leading = false;
  private lastRenewStart = 0;
  private readonly listeners = new Set<(leading: boolean) => void>();
  private timer?: NodeJS.Timeout;
  private deadlineTimer?: NodeJS.Timeout;
  private closed = false;
  private lastError?: string;

  constructor(private readonly opts: LeaderElectorOptions) {}

  /** Whether this replica leads now; past its renew deadline it steps down here, whatever the timers did. */
  isLeader(): boolean {
    this.checkDeadline();
    return this.leading;
  }

  /** Calls `listener` with the new state on every change of leadership; returns the unsubscribe. */
  onChange(listener: (leading: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tries at once, then every renew interval, until {@link close}. */
  start(): void {
    const loop = (): void => {
      void this.tick().finally(() => {
        if (!this.closed) this.timer = setTimeout(loop, this.opts.renewIntervalMs);
      });
    };
    loop();
  }

  /** One attempt to take or renew the lock, and the state change it implies (for testing, called directly). */
  async tick(): Promise<void> {
    if (this.closed) return;
    const started = this.now();
    let acquired: boolean | undefined;
    try {
      acquired = await withTimeout(this.opts.lock.tryAcquire(this.opts.identity), this.opts.renewIntervalMs);
      this.lastError = undefined;
    } catch (err) {
      this.reportError(err as Error);
    }
    if (this.closed) return;
    if (acquired === true) {
      this.lastRenewStart = started;
      this.armDeadline();
      if (!this.leading) this.become(true, 'acquired the lock');
    } else if (acquired === false) {
      if (this.leading) this.become(false, 'another replica holds the lock');
    } else {
      this.checkDeadline();
    }
  }

  /** Stops trying and releases the lock if held, so another replica takes over at once. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.deadlineTimer);
    const wasLeading = this.leading;
    if (wasLeading) this.become(false, 'shutting down');
    if (wasLeading) await this.opts.lock.release(this.opts.identity).catch((err: Error) => this.reportError(err));
    await this.opts.lock.close?.();
  }

  private get renewDeadlineMs(): number {
    return (this.opts.leaseDurationMs * 2) / 3;
  }

  /** Steps down on time even when an attempt hangs or ticks stop. */
  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => this.checkDeadline(), this.renewDeadlineMs);
    this.deadlineTimer.unref();
  }

  private checkDeadline(): void {
    if (this.leading && this.now() - this.lastRenewStart >= this.renewDeadlineMs) this.become(false, 'could not renew the lock in time');
  }

  private become(leading: boolean, reason: string): void {
    this.leading = leading;
    this.opts.logger?.info({ identity: this.opts.identity, leading, reason }, leading ? 'became the leader: running the background loops' : 'stopped leading: background loops pause');
    for (const listener of [...this.listeners]) listener(leading);
  }

  /** Logs a failing lock backend once per distinct error, not every interval. */
  private reportError(err: Error): void {
    if (err.message === this.lastError) return;
    this.lastError = err.message;
    this.opts.logger?.warn({ identity: this.opts.identity, err: err.message }, 'leader election: cannot reach the lock; will retry');
  }

  private now(): number {
    return this.opts.clock.now().getTime();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the lock did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
