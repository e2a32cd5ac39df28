import { DomainError, type Clock } from '@ci-stack/core';
import { PoolTooLargeError, decodePool, encodePool, type Command, type PoolChanges, type PoolState, type PoolStore } from '@ci-stack/pool';

/** What a backend read: the stored pool and its version. */
export interface Loaded {
  text: string | null;
  /** Null when nothing is stored yet. */
  version: string | null;
  /** For a backend that refuses late writes (Redis): when it read, by its own clock; pass it back to `save`. */
  readAt?: number;
}

/** A backend that stores the encoded pool with a version, and refuses a write whose version is stale. */
export interface VersionedBackend {
  /** The stored pool and its version; `timeoutMs` shortens the backend's own deadline for this read (a probe). */
  load(opts?: { timeoutMs?: number }): Promise<Loaded>;
  /**
   * Stores `text` if the stored version is still `version`; 'conflict' when someone wrote in between. `readAt` is
   * the read's, for a backend that refuses a write arriving too long after the read it is based on.
   */
  save(text: string, version: string | null, readAt?: number): Promise<'ok' | 'conflict'>;
  close(): Promise<void>;
  /**
   * Calls `listener` after every later successful write, this process's or another's, until the returned function
   * is called; see {@link PoolChanges}. A backend without it only supports polling.
   */
  subscribe?(listener: () => void): () => void;
  /** Largest encoded pool the backend can hold. */
  readonly maxBytes?: number;
}

export interface BatchingStoreOptions {
  clock: Clock;
  /** Most commands applied in one write. */
  maxBatch?: number;
  /** Give up after this many conflicting writes in a row. */
  maxAttempts?: number;
  /** Observes each write attempt (seconds) for metrics. */
  onWrite?: (seconds: number, outcome: 'ok' | 'conflict' | 'error') => void;
}

interface Pending {
  command: Command<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Turns a versioned backend into a {@link PoolStore}. Concurrent commands of this process are coalesced: one read,
 * every command applied in order to the same working copy, one guarded write. A conflicting write (another replica
 * got there first) re-reads and re-applies the batch after a jittered backoff; nothing is written blindly.
 */
export class BatchingPoolStore implements PoolStore, PoolChanges {
  private readonly pending: Pending[] = [];
  private running = false;
  /** The state this process last wrote, with its text: when the store still holds that text, no decode is needed. */
  private lastWritten?: { text: string; state: PoolState };

  constructor(
    private readonly backend: VersionedBackend,
    private readonly opts: BatchingStoreOptions,
  ) {}

  apply<T>(command: Command<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ command, resolve: resolve as (v: unknown) => void, reject });
      void this.drain();
    });
  }

  /** The stored pool; `timeoutMs` gives up sooner than the backend's own deadline (for a readiness probe). */
  async read(opts: { timeoutMs?: number } = {}): Promise<PoolState> {
    const { text } = await this.backend.load(opts);
    return decodePool(text);
  }

  /** Wakes `listener` when the stored pool changes (see {@link VersionedBackend.subscribe}). */
  subscribe(listener: () => void): () => void {
    return this.backend.subscribe?.(listener) ?? (() => undefined);
  }

  async close(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 5));
    await this.backend.close();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.length > 0) {
        // Let the requests that arrived in this turn of the event loop join the batch: with a fast backend
        // (memory, or an idle Redis) a batch would otherwise hold one command, and each costs a full read and write.
        await new Promise((resolve) => setImmediate(resolve));
        const batch = this.pending.splice(0, this.opts.maxBatch ?? 256);
        await this.runBatch(batch).catch((err: unknown) => batch.forEach((p) => p.reject(err)));
      }
    } finally {
      this.running = false;
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const maxAttempts = this.opts.maxAttempts ?? 60;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const { text, version, readAt } = await this.backend.load();
      // Safe to reuse without a copy: commands that throw leave the state untouched, and a failed write drops it.
      const state = text !== null && this.lastWritten?.text === text ? this.lastWritten.state : decodePool(text);
      this.lastWritten = undefined;
      const now = this.opts.clock.now();
      const outcomes: Outcome[] = batch.map((p) => {
        try {
          return { ok: true, value: p.command(state, now) };
        } catch (error) {
          return { ok: false, error };
        }
      });
      if (outcomes.every((o) => !o.ok)) {
        if (text !== null) this.lastWritten = { text, state }; // untouched: every command refused
        return settle(batch, outcomes);
      }
      const max = this.backend.maxBytes;
      const encoded = max === undefined ? encodePool(state) : fitToSize(state, max);
      if (encoded === undefined) {
        if (batch.length > 1) return this.oneByOne(batch);
        return batch[0].reject(new PoolTooLargeError(Buffer.byteLength(encodePool(state)), max as number));
      }
      const started = process.hrtime.bigint();
      const saved = await this.backend.save(encoded, version, readAt).catch((err: unknown) => {
        this.opts.onWrite?.(elapsed(started), 'error');
        throw err;
      });
      this.opts.onWrite?.(elapsed(started), saved);
      if (saved === 'ok') {
        this.lastWritten = { text: encoded, state };
        return settle(batch, outcomes);
      }
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6))));
    }
    throw new DomainError('unavailable', 'STORE_CONTENDED', `the pool store stayed contended for ${maxAttempts} attempts; try again`);
  }

  /** When a batch would overflow the store, apply its commands singly so only the overflowing ones fail. */
  private async oneByOne(batch: Pending[]): Promise<void> {
    for (const p of batch) await this.runBatch([p]).catch((err: unknown) => p.reject(err));
  }
}

/**
 * Encodes the pool within `max` bytes, keeping ever less history per cluster (20, 10, 5, 2, 1, 0 entries) when the
 * whole of it does not fit; undefined when even the bare pool is too large.
 */
function fitToSize(state: PoolState, max: number): string | undefined {
  let encoded = encodePool(state);
  for (const keep of [10, 5, 2, 1, 0]) {
    if (Buffer.byteLength(encoded) <= max) return encoded;
    for (const cluster of state.clusters.values()) {
      if (cluster.history.length > keep) cluster.history.splice(0, cluster.history.length - keep);
    }
    encoded = encodePool(state);
  }
  return Buffer.byteLength(encoded) <= max ? encoded : undefined;
}

function settle(batch: Pending[], outcomes: Outcome[]): void {
  outcomes.forEach((o, i) => (o.ok ? batch[i].resolve(o.value) : batch[i].reject(o.error)));
}

function elapsed(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
