import { DomainError, sleep } from '@ci-stack/core';
import { StoreCorruptError, UnsupportedStoreVersionError } from '@ci-stack/pool';
import type { Logger } from '@ci-stack/service-kit';

export interface StoreWaitOptions {
  /** One attempt to read the store, within the store's own deadline. */
  read: () => Promise<unknown>;
  /** What is waited for, e.g. `Redis at redis://redis.ci:6379/0`. */
  store: string;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** First pause between attempts; doubled after each, up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Ends the wait (on shutdown): resolves false. */
  signal?: AbortSignal;
}

/**
 * Start-up: reads the store until it answers, logging each failed attempt at warn with what is waited for and when
 * the next attempt comes (backing off from 0.5 s to 10 s). A store that cannot be reached or does not answer is
 * waited for; one that answers with something this cimaster cannot use (a corrupt or newer stored pool, a refused
 * command or password) stops the start at once, as nothing changes by waiting. Resolves true once the store answered.
 */
export async function waitForStore(opts: StoreWaitOptions): Promise<boolean> {
  const max = opts.maxBackoffMs ?? 10_000;
  let backoff = opts.backoffMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      await opts.read();
      if (attempt > 1) opts.logger.info({ store: opts.store, attempts: attempt }, 'store reachable: serving');
      return true;
    } catch (err) {
      if (!isOutage(err)) throw err;
      opts.logger.warn({ store: opts.store, attempt, retryInMs: backoff, err: (err as Error).message }, `waiting for the store (${opts.store}): ${(err as Error).message}`);
    }
    await sleep(backoff, opts.signal);
    if (opts.signal?.aborted) return false;
    backoff = Math.min(backoff * 2, max);
  }
}

/** An outage of the store, which may end by itself (not its content or our setup, which will not). */
function isOutage(err: unknown): boolean {
  if (err instanceof StoreCorruptError || err instanceof UnsupportedStoreVersionError) return false;
  return err instanceof DomainError && (err.kind === 'unavailable' || err.kind === 'timeout');
}
