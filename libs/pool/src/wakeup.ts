/**
 * A change counter a waiter can sleep on: {@link wait} returns at once if a change came since the count it last
 * saw, else at the next change, when the fallback sleep ends, or when the caller's signal aborts. Counting (rather
 * than a one-shot event) means a change that lands while the waiter is busy reading the store is not lost.
 */
export class Wakeup {
  private count = 0;
  private pending?: () => void;

  /** How many changes were seen so far; pass it back to {@link wait}. */
  get changes(): number {
    return this.count;
  }

  notify(): void {
    this.count++;
    this.pending?.();
  }

  async wait(seen: number, fallbackMs: number, sleep: (ms: number, signal?: AbortSignal) => Promise<void>, signal?: AbortSignal): Promise<void> {
    if (this.count !== seen || signal?.aborted) return;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race([new Promise<void>((resolve) => (this.pending = resolve)), sleep(fallbackMs, stop.signal)]);
    } finally {
      this.pending = undefined;
      signal?.removeEventListener('abort', onAbort);
      stop.abort(); // ends the fallback sleep, so no timer outlives the wait
    }
  }
}
